"""``hosho submissions …`` from the command line: list --json rows carry id and verified,
show --pdf writes the received PDF byte for byte (never over a file or through a link),
and every refusal is one line on stderr with exit 1, never echoing the key."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

from tests.conftest import Cli
from tests.mailbox.town import key_for, message, notice, notice_message, number

BROKEN_PDF = b"%PDF-1.4\n" + bytes(range(256))


def polled(cli: Cli, tmp_path: Path, *raws: bytes) -> dict[str, str]:
    """The messages delivered to a Maildir and taken by ``hosho poll --once``; the env."""
    env = {"HOSHO_MAILDIR": str(tmp_path / "inbox")}
    inbox = mailbox.Maildir(tmp_path / "inbox", create=True)
    for raw in raws:
        inbox.add(raw)
    done = cli("poll", "--once", env=env)
    assert done.returncode == 0, done.stderr
    return env


def rows(cli: Cli, env: dict[str, str]) -> list[dict[str, object]]:
    listed = cli("submissions", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)  # type: ignore[no-any-return]


def one_line_error(done, *absent: str) -> str:  # type: ignore[no-untyped-def]
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr
    for text in absent:
        assert text not in done.stderr
    return str(done.stderr)


def test_show_pdf_writes_the_received_file_byte_for_byte_and_never_overwrites(  # type: ignore[no-untyped-def]
    town, cli: Cli, tmp_path: Path
) -> None:
    env = polled(cli, tmp_path, notice_message(1))
    (row,) = rows(cli, env)
    assert isinstance(row["id"], int) and row["verified"] is True
    ident = str(row["id"])
    out = tmp_path / "out.pdf"
    shown = cli("submissions", "show", ident, "--pdf", str(out), env=env)
    assert shown.returncode == 0, shown.stderr
    assert out.read_bytes() == notice(1)
    assert "status: registered" in shown.stdout and key_for(1) not in shown.stdout
    one_line_error(cli("submissions", "show", ident, "--pdf", str(out), env=env))
    assert out.read_bytes() == notice(1)
    target = tmp_path / "elsewhere.pdf"
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    one_line_error(cli("submissions", "show", ident, "--pdf", str(link), env=env))
    assert not target.exists()
    as_json = cli("submissions", "show", ident, "--json", env=env)
    view = json.loads(as_json.stdout)
    assert view["files"][0]["parsed"]["auth_key_read"] is True
    assert view["files"][0]["size"] == len(notice(1)) and key_for(1) not in as_json.stdout


def test_accept_reject_retry_and_purge_from_the_command_line(
    town, cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    scan = message(
        subject="scan 電子保証", attachments=[("scan.pdf", BROKEN_PDF, "application/pdf")]
    )
    plain = message(subject="no file 認証キー")
    env = polled(cli, tmp_path, scan, notice_message(1, subject="notice 電子保証"), plain)
    ids = {str(r["subject"]).split()[0]: str(r["id"]) for r in rows(cli, env)}
    unreadable, registered, no_file = ids["scan"], ids["notice"], ids["no"]
    key = key_for(2)
    errors = [
        cli("submissions", "accept", "999", "--number", number(2), "--key", key, env=env),
        cli("submissions", "accept", unreadable, "--number", key, "--key", number(2), env=env),
        cli(
            "submissions", "accept", unreadable, "--number", number(2), "--key", number(3), env=env
        ),
        cli("submissions", "accept", unreadable, "--number", number(3), "--key", key, env=env),
        cli(
            "submissions", "accept", registered, "--number", number(1), "--key", key_for(1), env=env
        ),
        cli("submissions", "accept", "abc", "--number", number(2), "--key", key, env=env),
        cli("submissions", "retry", no_file, env=env),
        cli("submissions", "purge", "--before", "yesterday", env=env),
    ]
    for done in errors:
        one_line_error(done, key, key_for(1))
    assert "#999" in errors[0].stderr and "すでに受付済み" in errors[4].stderr
    accepted = cli(
        "submissions", "accept", unreadable, "--number", number(2), "--key", key, env=env
    )
    assert accepted.returncode == 0, accepted.stderr
    assert key not in accepted.stdout + accepted.stderr
    rejected = cli(
        "submissions", "reject", no_file, "--reason", "別の手続きのメールです。", env=env
    )
    assert rejected.returncode == 0, rejected.stderr
    one_line_error(cli("submissions", "retry", no_file, env=env))  # a person decided
    statuses = {str(r["id"]): r["status"] for r in rows(cli, env)}
    assert statuses == {unreadable: "registered", registered: "registered", no_file: "rejected"}
    looked = cli("dsure", "lookup", number(2), "--key", key, "--json", env=env)
    assert json.loads(looked.stdout)["registered"] is True
    purged = cli("submissions", "purge", "--before", "2999-01-01", env=env)
    assert purged.returncode == 0 and "purged 2 kept files" in purged.stdout
