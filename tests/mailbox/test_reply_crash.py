"""A reply interrupted by ``kill -9`` during the SMTP send is not lost: it stays owed (not
marked sent), its claim runs out, and it is sent again with the Message-ID of the first
try, so the rare duplicate is recognisable. A real aiosmtpd that takes the message and
never answers stands in for a server the crash interrupted."""

from __future__ import annotations

import email
import email.policy
import mailbox
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from hosho.core.store.models import Submission
from hosho.mailbox import replies as replies_module
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.town import SENDER, TOWN, notice_message
from tests.servers import SmtpSink, smtp_server

pytestmark = pytest.mark.smtp

LEASE = 2.0


@pytest.fixture
def stalling_smtp() -> Iterator[SmtpSink]:
    """An SMTP server that receives the message and then never says 250."""
    with smtp_server(delay=3600) as sink:
        yield sink


def message_id(content: bytes) -> str:
    return str(email.message_from_bytes(content, policy=email.policy.default)["Message-ID"])


def test_a_reply_killed_mid_send_is_sent_again_with_its_message_id(  # type: ignore[no-untyped-def]
    town, stalling_smtp: SmtpSink, smtp: SmtpSink, tmp_path: Path, monkeypatch
) -> None:
    mailbox.Maildir(tmp_path / "inbox", create=True).add(notice_message(1, subject="提出"))
    settings = {
        "HOSHO_MAILDIR": str(tmp_path / "inbox"),
        "HOSHO_SMTP_HOST": "127.0.0.1",
        "HOSHO_SMTP_SECURITY": "none",
        "HOSHO_MAIL_FROM": TOWN,
        "HOSHO_OUTBOX_LEASE_SECONDS": str(LEASE),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSHO_")}
    env.update(settings, HOSHO_DATABASE_URL=town, HOSHO_SMTP_PORT=str(stalling_smtp.port))
    proc = subprocess.Popen(
        [sys.executable, "-m", "hosho.bot.cli", "poll", "--once"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        (first,) = stalling_smtp.wait(1)  # the server has the message, the sender waits
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert first[1] == [SENDER]

    runtime = use_env(monkeypatch, {**settings, "HOSHO_SMTP_PORT": str(smtp.port)})
    with Session(runtime.engine) as session:
        row = session.exec(select(Submission)).one()
    assert not row.replied  # not marked sent: the server never said it took it
    assert row.reply_message_id == message_id(first[2])

    monkeypatch.setattr(replies_module, "REPLY_RETRY_AFTER", timedelta(0))

    def poll() -> None:
        poller = Poller(runtime)
        try:
            poller.run_once()
        finally:
            poller.close()

    poll()  # the dead process's claim still holds: nothing is sent yet
    assert smtp.messages == []
    time.sleep(LEASE + 0.2)
    poll()  # the claim ran out: sent again
    poll()  # and only once
    (again,) = smtp.wait(1)
    assert again[1] == [SENDER]
    assert message_id(again[2]) == message_id(first[2])
    with Session(runtime.engine) as session:
        assert session.exec(select(Submission)).one().replied
