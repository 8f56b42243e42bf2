"""Replies are owed, claimed once and retried: SMTP down at first, a crash between the
commit and the send, or two pollers, never lose or double a reply."""

from __future__ import annotations

import mailbox
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from hosho.core.store.models import Submission
from hosho.mailbox import replies as replies_module
from hosho.mailbox.maildir_source import MaildirSource
from hosho.mailbox.outgoing import Mailer
from hosho.mailbox.poller import Poller
from hosho.mailbox.replies import claim_reply, owed_replies, release_reply
from tests.mailbox.conftest import use_env
from tests.mailbox.town import SENDER, TOWN, message, notice_message
from tests.servers import closed_port

pytestmark = pytest.mark.smtp


def _rows(engine) -> dict[str, Submission]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {row.subject: row for row in session.exec(select(Submission))}


def test_who_is_owed_a_reply(town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(tmp_path / "inbox")})
    inbox = mailbox.Maildir(tmp_path / "inbox", create=True)
    inbox.add(notice_message(1, subject="person"))
    bounce = message(subject="bounce")
    inbox.add(bounce.replace(b"Subject:", b"Auto-Submitted: auto-replied\r\nSubject:", 1))
    inbox.add(message(subject="bad sender", sender="not an address"))
    inbox.add(message(subject="ourselves", sender=TOWN))
    poller = Poller(runtime, mailer=None)
    try:
        poller.run_once()
    finally:
        poller.close()
    due = {subject: row.reply_due for subject, row in _rows(runtime.engine).items()}
    assert due == {"person": True, "bounce": False, "bad sender": False, "ourselves": False}


def test_smtp_down_then_up_sends_the_owed_reply_once(  # type: ignore[no-untyped-def]
    town, smtp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(tmp_path / "inbox")})
    monkeypatch.setattr(replies_module, "REPLY_RETRY_AFTER", timedelta(0))
    mailbox.Maildir(tmp_path / "inbox", create=True).add(notice_message(1, subject="first"))
    with closed_port() as nobody:
        down = Mailer("127.0.0.1", port=nobody, security="none", timeout=2)
        poller = Poller(runtime, MaildirSource(tmp_path / "inbox"), mailer=down)
        try:
            stats = poller.run_once()
        finally:
            poller.close()
    assert stats.processed == 1 and stats.replied == 0
    row = _rows(runtime.engine)["first"]
    assert row.status == "registered" and row.reply_due and not row.replied

    up = Mailer("127.0.0.1", port=smtp.port, security="none")
    for _ in range(2):  # the next passes: one reply, not two
        poller = Poller(runtime, MaildirSource(tmp_path / "inbox"), mailer=up)
        try:
            poller.run_once()
        finally:
            poller.close()
    (sent,) = smtp.wait(1)
    assert sent[1] == [SENDER]
    assert _rows(runtime.engine)["first"].replied
    assert owed_replies(runtime.engine) == []


def test_a_reply_is_claimed_by_one_caller(
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(tmp_path / "inbox")})
    mailbox.Maildir(tmp_path / "inbox", create=True).add(notice_message(2, subject="x"))
    poller = Poller(runtime, mailer=None)  # no SMTP: the reply stays owed
    try:
        poller.run_once()
    finally:
        poller.close()
    (owed,) = owed_replies(runtime.engine)
    assert owed.id is not None
    first = claim_reply(runtime.engine, owed.id, message_id="<a@town>")
    assert first == "<a@town>"
    # a second poller gets nothing while the claim holds
    assert claim_reply(runtime.engine, owed.id, message_id="<b@town>") is None
    release_reply(runtime.engine, owed.id)  # sending failed: owed again, same Message-ID
    assert claim_reply(runtime.engine, owed.id, message_id="<c@town>") == "<a@town>"
    # a claim whose lease ran out (its process died) is taken again
    assert claim_reply(runtime.engine, owed.id, message_id="<d@town>") is None
    with Session(runtime.engine) as session:
        row = session.get(Submission, owed.id)
        assert row is not None and row.reply_lease_until is not None
        row.reply_lease_until -= timedelta(minutes=5)
        session.add(row)
        session.commit()
    assert claim_reply(runtime.engine, owed.id, message_id="<e@town>") == "<a@town>"
    assert not _rows(runtime.engine)["x"].replied  # claimed is not sent
    # Mail older than the retry window is not answered late.
    assert owed_replies(runtime.engine, within=timedelta(0)) == []


def test_a_japanese_carrier_s_old_address_is_registered_and_answered(  # type: ignore[no-untyped-def]
    town, smtp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docomo, au and SoftBank gave out addresses with dots in odd places before 2009
    (taro..yamada.@docomo.ne.jp); a 社長 sending the notice from such a phone is a sender
    like any other: registered and answered, not refused as an invalid address."""
    old_style = "taro..yamada.@docomo.ne.jp"
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(tmp_path / "inbox")})
    inbox = mailbox.Maildir(tmp_path / "inbox", create=True)
    inbox.add(notice_message(1, subject="携帯から", sender=old_style))
    inbox.add(message(subject="only dots", sender="..@docomo.ne.jp"))
    mailer = Mailer("127.0.0.1", port=smtp.port, security="none")
    poller = Poller(runtime, MaildirSource(tmp_path / "inbox"), mailer=mailer)
    try:
        poller.run_once()
    finally:
        poller.close()
    rows = _rows(runtime.engine)
    assert rows["携帯から"].status == "registered" and rows["携帯から"].replied
    (sent,) = smtp.wait(1)
    assert sent[1] == [old_style]
    assert not rows["only dots"].reply_due  # still no address
