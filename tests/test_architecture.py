"""The dependency rules of ARCHITECTURE.md, checked on the source: core imports no adapter
(no hosho.bot, hosho.mailbox, Slack or IMAP library), mailbox imports no chat front end,
and core holds no Slack markup."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADAPTERS = ("hosho.bot", "hosho.mailbox", "slack_sdk", "slack_bolt", "imapclient")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, wherever the import stands (also inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offending(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_imported_modules_sees_nested_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from hosho.bot.slack import app\n    import slack_sdk\n")
    assert imported_modules(sample) == {"hosho.bot.slack", "slack_sdk"}


def test_core_imports_no_adapter() -> None:
    assert offending("core", ADAPTERS) == []


def test_mailbox_imports_no_chat_front_end() -> None:
    assert offending("mailbox", ("hosho.bot", "slack_sdk", "slack_bolt")) == []


@pytest.mark.parametrize("pattern", [r"<@U", r"<![a-z]"])
def test_core_holds_no_slack_markup(pattern: str) -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "core").rglob("*"))
        if path.is_file() and path.suffix in {".py", ".toml"}
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if re.search(pattern, line)
    ]
    assert hits == []
