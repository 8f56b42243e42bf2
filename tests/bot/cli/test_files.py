"""Files the commands touch (bot/files.py): a notice PDF is written 0600 and never through
a symbolic link; an input that is a FIFO, a device or too large is one line of error."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hosho.bot import files
from tests.mailbox.town import number


def _one_line_error(done, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert done.returncode == 1, done.stdout
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr


def test_a_notice_is_written_for_its_owner_only(town, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "notice.pdf"
    out.write_bytes(b"old")
    out.chmod(0o644)  # a file that was there: narrowed, not kept wide
    done = cli("notice", "issue", number(1), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes().startswith(b"%PDF-")


def test_out_refuses_a_symbolic_link(town, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "notice.pdf"
    link.symlink_to(victim)
    done = cli("notice", "issue", number(1), "--out", str(link))
    _one_line_error(done, "symbolic link")
    assert victim.read_text() == "keep me"


@pytest.mark.parametrize(
    "command", [["notice", "parse"], ["contracts", "import"], ["demo", "mail"]]
)
def test_inputs_refuse_a_fifo_and_a_device(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, cli, command: list[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # nobody writes to it: a plain read would wait for ever
    _one_line_error(cli(*command, str(fifo), cwd=tmp_path), "not a regular file")
    _one_line_error(cli(*command, "/dev/zero", cwd=tmp_path), "not a regular file")


def test_inputs_are_read_with_a_size_bound(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.pdf"
    with open(big, "wb") as handle:  # sparse: no disk used
        handle.truncate(files.PDF_LIMIT + 1)
    _one_line_error(cli("notice", "parse", str(big)), "larger than 20 MB")
