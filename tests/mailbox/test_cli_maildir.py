"""``hosho poll --once`` on the local Maildir (no mail server), ``hosho submissions list``,
and the SMTP mailer the chat front end reuses."""

from __future__ import annotations

import email
import json
import mailbox
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest

from hosho.core.settings import get_settings
from hosho.mailbox.errors import MailError
from hosho.mailbox.outgoing import Mailer, mailer_from_settings
from tests.mailbox.conftest import set_env
from tests.mailbox.town import certificate, message, notice_message

FIELDS = {"message_id", "sender", "subject", "received_at", "contract_number", "status", "reason"}
FIELDS |= {"id", "verified"}  # added in the second round (the person in the loop)


def test_poll_once_on_the_default_maildir(town, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    def hosho(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return cli(*args, cwd=cwd)

    (tmp_path / "var").mkdir(exist_ok=True)
    inbox = mailbox.Maildir(tmp_path / "var" / "inbox", create=True)  # the default HOSHO_MAILDIR
    inbox.add(notice_message(1, subject="提出 1", message_id="<m1@example.jp>"))
    inbox.add(notice_message(1, subject="提出 again", message_id="<m2@example.jp>"))
    inbox.add(message(subject="証書", attachments=[("c.pdf", certificate(2), "application/pdf")]))
    inbox.add(notice_message(3, subject="no id", message_id=None))
    done = hosho("poll", "--once", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "processed 4" in done.stdout
    assert len(inbox) == 0
    registered = mailbox.Maildir(tmp_path / "var" / "inbox" / ".hosho.registered", create=False)
    rejected = mailbox.Maildir(tmp_path / "var" / "inbox" / ".hosho.rejected", create=False)
    assert (len(registered), len(rejected)) == (2, 2)

    again = hosho("poll", "--once", cwd=tmp_path)
    assert "processed 0" in again.stdout

    listed = hosho("submissions", "list", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 4 and all(set(r) == FIELDS for r in rows)
    by_subject = {r["subject"]: r for r in rows}
    assert by_subject["提出 1"]["status"] == "registered"
    assert by_subject["提出 1"]["contract_number"] == "0000000001"
    assert by_subject["提出 again"]["status"] == "duplicate"
    assert by_subject["証書"]["status"] == "wrong_document"
    assert "STEP4" in by_subject["証書"]["reason"] and "STEP3" in by_subject["証書"]["reason"]
    assert (
        by_subject["no id"]["message_id"] is None and by_subject["no id"]["status"] == "registered"
    )

    only = json.loads(
        hosho("submissions", "list", "--json", "--status", "duplicate", cwd=tmp_path).stdout
    )
    assert [r["subject"] for r in only] == ["提出 again"]
    bad = hosho("submissions", "list", "--status", "nonsense", cwd=tmp_path)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "unknown status" in bad.stderr


def test_standard_mailbox_still_importable() -> None:
    import hosho.mailbox.maildir_source  # noqa: F401

    assert hasattr(mailbox, "Maildir") and mailbox.__file__ and "hosho" not in mailbox.__file__


@pytest.mark.smtp
def test_mailer_sends_utf8_over_real_smtp(smtp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert mailer_from_settings(get_settings()) is None  # no host: no mail at all
    settings = {
        "HOSHO_SMTP_HOST": "127.0.0.1",
        "HOSHO_SMTP_PORT": str(smtp.port),
        "HOSHO_SMTP_SECURITY": "none",
        "HOSHO_MAIL_FROM": "zaisei@town.aya.lg.jp",
    }
    mailer = mailer_from_settings(set_env(monkeypatch, settings))
    assert mailer is not None
    mailer.send("info1@aya-kensetsu.example.jp", "【受付】テスト", "本文です。\n")
    [(sender, rcpts, content)] = smtp.messages
    assert sender == "zaisei@town.aya.lg.jp" and rcpts == ["info1@aya-kensetsu.example.jp"]
    parsed = email.message_from_bytes(content, policy=policy.default)
    assert str(parsed["Subject"]) == "【受付】テスト"
    assert parsed.get_body().get_content().rstrip() == "本文です。"  # type: ignore[union-attr]
    assert parsed["Auto-Submitted"] == "auto-replied"


def test_mailer_error_is_one_line() -> None:
    with socket_closed() as port:
        mailer = Mailer("127.0.0.1", port=port, security="none", timeout=2)
        with pytest.raises(MailError) as err:
            mailer.send("a@example.jp", "s", "b")
    assert "\n" not in str(err.value) and f"127.0.0.1:{port}" in str(err.value)


class socket_closed:  # noqa: N801 - used as a context manager
    """A loopback port nobody listens on."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None


def test_long_running_poll_takes_new_mail_and_stops_on_sigterm(town, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import signal
    import time

    (tmp_path / "var").mkdir(exist_ok=True)
    inbox = mailbox.Maildir(tmp_path / "var" / "inbox", create=True)
    env = dict(os.environ, HOSHO_POLL_SECONDS="0.2")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hosho.bot.cli", "poll"],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(1.0)
        inbox.add(notice_message(4, subject="later"))
        deadline = time.monotonic() + 30
        while len(inbox) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(inbox) == 0, "the running poller did not take the new message"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
