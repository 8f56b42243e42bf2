"""The card's folders are imported as hosho.*; the standard library's mailbox stays importable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_stdlib_mailbox_and_project_mailbox_in_process() -> None:
    import mailbox

    import hosho.mailbox

    assert hasattr(mailbox, "Maildir"), mailbox.__file__
    assert Path(mailbox.__file__).parent != ROOT / "mailbox"
    assert any(Path(p) == ROOT / "mailbox" for p in hosho.mailbox.__path__)


def test_stdlib_mailbox_from_repo_root() -> None:
    # With the repo root first on sys.path (python -c / python -m pytest from the root),
    # the folder mailbox/ has no __init__.py and so cannot shadow the standard library.
    code = (
        "import mailbox, hosho.mailbox, hosho.core, hosho.bot; "
        "assert hasattr(mailbox, 'Maildir'); print(mailbox.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "mailbox/" not in out.stdout.replace(str(ROOT), "")
    assert not (ROOT / "mailbox" / "__init__.py").exists()


def test_console_script_runs() -> None:
    out = subprocess.run(["hosho", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "contracts" in out.stdout
