"""Replies a town can send from its own address, through a local Maildir and a real SMTP
server (aiosmtpd): they thread, quote nothing the sender wrote, never answer a robot, a
list, a forged sender or hosho's own mail, say the same for an unknown number and a wrong
key, and stop at HOSHO_REPLY_LIMIT_PER_HOUR per address; staff see why a sender got none."""

from __future__ import annotations

import email
import mailbox
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session, select

from hosho.core.events import SubmissionEvent, subscribe
from hosho.core.store.models import Submission
from hosho.core.submissions.staff_actions import show
from hosho.core.submissions.staff_note import plain_staff_text
from hosho.mailbox.maildir_source import MaildirSource
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.corpus import raw
from tests.mailbox.town import SENDER, TOWN, UNKNOWN, message, notice, notice_message

pytestmark = pytest.mark.smtp

TERM = "電子保証の書類です。"  # names a submission term: claimed, no attachment


def with_headers(data: bytes, *headers: str) -> bytes:
    """``data`` with ``headers`` put before its Subject (top-most, as a server adds them)."""
    lines = "".join(f"{h}\n" for h in headers).encode()
    return data.replace(b"Subject:", lines + b"Subject:", 1)


def run(runtime, folder: Path, messages: list[bytes]) -> list[SubmissionEvent]:  # type: ignore[no-untyped-def]
    box = mailbox.Maildir(folder, create=True)
    for data in messages:
        box.add(data)
    events: list[SubmissionEvent] = []
    unsubscribe = subscribe(events.append)
    poller = Poller(runtime, MaildirSource(folder))
    try:
        poller.run_once()
    finally:
        poller.close()
        unsubscribe()
    return events


def setup(monkeypatch, tmp_path: Path, smtp, **extra: str):  # type: ignore[no-untyped-def]
    return use_env(
        monkeypatch,
        {
            "HOSHO_MAILDIR": str(tmp_path / "inbox"),
            "HOSHO_SMTP_HOST": "127.0.0.1",
            "HOSHO_SMTP_PORT": str(smtp.port),
            "HOSHO_SMTP_SECURITY": "none",
            "HOSHO_MAIL_FROM": TOWN,
            **extra,
        },
    )


def parsed(content: bytes) -> EmailMessage:
    return email.message_from_bytes(content, policy=policy.default)  # type: ignore[return-value]


def rows(engine) -> dict[str, Submission]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {row.sender: row for row in session.exec(select(Submission))}


def test_a_reply_threads_and_quotes_nothing(town, smtp, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    runtime = setup(monkeypatch, tmp_path, smtp)
    lure = "認証キー 至急 https://evil.example/login"
    run(
        runtime,
        tmp_path / "inbox",
        [notice_message(1, subject=lure, body=lure, message_id="<orig-1@aya-kensetsu.example.jp>")],
    )
    ((_, rcpts, content),) = smtp.wait(1)
    reply = parsed(content)
    assert reply["Subject"] == "Re: 【受付】認証キー等のお知らせを受け付けました"
    assert reply["In-Reply-To"] == "<orig-1@aya-kensetsu.example.jp>"
    assert reply["References"] == "<orig-1@aya-kensetsu.example.jp>"
    assert reply["Auto-Submitted"] == "auto-replied"
    assert str(reply["Message-ID"]).startswith("<hosho.")
    body = reply.get_body().get_content()  # type: ignore[union-attr]
    assert "evil.example" not in body and "至急" not in body and "http" not in body
    assert "0000000001" in body  # what was registered: the town's record, not the mail


def test_unknown_number_and_wrong_key_get_the_same_reply(town, smtp, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    runtime = setup(monkeypatch, tmp_path, smtp)
    wrong_key = notice(3, "AAAA-BBBB-CCCC-DDDD")
    events = run(
        runtime,
        tmp_path / "inbox",
        [
            notice_message(UNKNOWN, sender="a@aya-kensetsu.example.jp"),
            message(
                sender="b@aya-kensetsu.example.jp",
                attachments=[("n.pdf", wrong_key, "application/pdf")],
            ),
        ],
    )
    first, second = (parsed(m[2]) for m in smtp.wait(2))
    assert (
        first["Subject"]
        == second["Subject"]
        == "Re: 【確認中】認証キー等のお知らせを確認しています"
    )
    bodies = [m.get_body().get_content() for m in (first, second)]  # type: ignore[union-attr]
    assert bodies[0] == bodies[1]
    assert "0000099999" not in bodies[0] and "0000000003" not in bodies[0]
    assert {e.status for e in events} == {"unknown_contract", "key_mismatch"}  # staff see which


AUTOMATIC = {
    "auto-generated@x.example.jp": ("Auto-Submitted: auto-generated",),
    "bulk@x.example.jp": ("Precedence: bulk",),
    "list@x.example.jp": ("Precedence: list",),
    "junk@x.example.jp": ("Precedence: junk",),
    "listid@x.example.jp": ("List-Id: <news.x.example.jp>",),
    "unsub@x.example.jp": ("List-Unsubscribe: <mailto:u@x.example.jp>",),
    "autoreply@x.example.jp": ("X-Autoreply: yes",),
    "empty-path@x.example.jp": ("Return-Path: <>",),
    "noreply@x.example.jp": (),
    "no-reply@x.example.jp": (),
    "MAILER-DAEMON@x.example.jp": (),
    "postmaster@x.example.jp": (),
    "thread@x.example.jp": ("In-Reply-To: <hosho.0a1b2c3d@town.aya.lg.jp>",),
    "refs@x.example.jp": ("References: <a@x.example.jp> <hosho.99ff@town.aya.lg.jp>",),
    "forged@x.example.jp": (
        "Authentication-Results: mx.town.aya.lg.jp; spf=pass; dmarc=fail (p=none) "
        "header.from=x.example.jp",
        "Authentication-Results: evil.example; dmarc=pass",
    ),
    TOWN: (),  # our own address
}
HUMAN = {
    "person@x.example.jp": ("Auto-Submitted: no",),
    "signed@x.example.jp": (
        "Authentication-Results: mx.town.aya.lg.jp; dmarc=pass header.from=x.example.jp",
        "Authentication-Results: evil.example; dmarc=fail",  # lower: written by anyone
    ),
    "answered@x.example.jp": (
        "In-Reply-To: <a@x.example.jp>",
        "Return-Path: <answered@x.example.jp>",
    ),
}


def test_robots_lists_forgeries_and_our_own_mail_are_never_answered(  # type: ignore[no-untyped-def]
    town, smtp, tmp_path, monkeypatch
) -> None:
    runtime = setup(monkeypatch, tmp_path, smtp)
    mails = [
        with_headers(message(sender=s, body=TERM), *h) for s, h in {**AUTOMATIC, **HUMAN}.items()
    ]
    report = raw(
        [
            ("From", "report@x.example.jp"),
            ("To", TOWN),
            ("Subject", "電子保証"),
            ("Content-Type", 'multipart/report; report-type=delivery-status; boundary="r"'),
        ],
        b"--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r--\r\n",
    )
    events = run(runtime, tmp_path / "inbox", [*mails, report])
    assert len(events) == len(AUTOMATIC) + len(HUMAN) + 1  # all claimed, all posted
    smtp.wait(len(HUMAN))
    assert sorted(r[0] for _, r, _ in smtp.messages) == sorted(HUMAN)
    recorded = rows(runtime.engine)
    for sender in [*AUTOMATIC, "report@x.example.jp"]:
        row = recorded[sender]
        assert row.status == "no_attachment" and not row.reply_due and not row.replied
        assert row.no_reply, sender
    assert "DMARC" in recorded["forged@x.example.jp"].no_reply
    forged_id = recorded["forged@x.example.jp"].id
    assert forged_id is not None and "DMARC" in show(runtime.engine, forged_id)["no_reply"]
    assert "配送エラー" in recorded["report@x.example.jp"].no_reply
    assert "hosho" in recorded["thread@x.example.jp"].no_reply
    forged = next(e for e in events if e.sender == "forged@x.example.jp")
    assert "返信なし: " in plain_staff_text(forged) and "DMARC" in plain_staff_text(forged)
    for sender in HUMAN:
        assert recorded[sender].replied and not recorded[sender].no_reply


def test_at_most_the_hourly_limit_of_replies_to_one_address(  # type: ignore[no-untyped-def]
    town, smtp, tmp_path, monkeypatch
) -> None:
    runtime = setup(monkeypatch, tmp_path, smtp)
    same = "again@x.example.jp"
    run(runtime, tmp_path / "inbox", [message(sender=same, body=TERM) for _ in range(2)])
    events = run(
        runtime,
        tmp_path / "inbox",  # a later pass: the count comes from the database
        [message(sender=same, body=TERM) for _ in range(3)] + [message(body=TERM)],
    )
    smtp.wait(4)
    assert sorted(r[0] for _, r, _ in smtp.messages) == sorted([same] * 3 + [SENDER])
    with Session(runtime.engine) as session:
        limited = session.exec(select(Submission).where(Submission.reply_due == False)).all()  # noqa: E712
    assert [r.sender for r in limited] == [same, same]
    assert all("1時間に3通" in r.no_reply for r in limited)
    assert "1時間に3通" in plain_staff_text(next(e for e in events if e.no_reply))
