"""A town section's everyday inbox: ordinary mail (tests/mailbox/ordinary.py, 32 messages)
mixed with submissions, over a real Dovecot and over a local Maildir, with a real SMTP
server. The ordinary mail is left exactly as it was (same folder, same UID or file name,
same flags, same bytes), never answered, never posted, not listed, and not read again on
the next pass; the submissions among it are still handled."""

from __future__ import annotations

import email
import hashlib
import mailbox
from email import policy
from pathlib import Path

import pytest
from sqlmodel import select

from hosho.core.events import SubmissionEvent, subscribe
from hosho.core.store.db import session_scope
from hosho.core.store.models import OutboxMessage, Submission
from hosho.core.submissions.listing import list_submissions
from hosho.mailbox.maildir_source import MaildirSource
from hosho.mailbox.poller import Poller
from hosho.mailbox.source import Source
from tests.mailbox.conftest import use_env
from tests.mailbox.ordinary import build
from tests.mailbox.town import SENDER, TOWN, certificate, message, notice_message

#: In every ordinary message's Message-ID (and in no submission).
ORDINARY_ID = b".ordinary@example.jp>"
#: The submissions mixed in: what each must become.
EXPECTED = {"registered", "wrong_document", "no_attachment"}


def submissions() -> list[bytes]:
    return [
        notice_message(1, subject="認証キー等のお知らせ（1）"),
        message(
            subject="電子保証の書類",
            body="書類を送ります。",
            attachments=[("証書.pdf", certificate(2), "application/pdf")],
        ),
        message(subject="Ｄ－Ｓｕｒｅ 登録のお願い", body="添付を忘れました。"),
    ]


def mixed() -> tuple[list[bytes], list[bytes]]:
    """(ordinary, everything in delivery order: a submission after every ~10 ordinary)."""
    ordinary = [o.raw for o in build()]
    assert len(ordinary) >= 30
    subs = submissions()
    order = ordinary[:10] + subs[:1] + ordinary[10:20] + subs[1:2] + ordinary[20:] + subs[2:]
    return ordinary, order


def env(smtp) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "HOSHO_SMTP_HOST": "127.0.0.1",
        "HOSHO_SMTP_PORT": str(smtp.port),
        "HOSHO_SMTP_SECURITY": "none",
        "HOSHO_MAIL_FROM": TOWN,
        "HOSHO_STAFF_EMAIL": "kakari@town.aya.lg.jp",
    }


class CountingFetch:
    """Wraps a source's fetch to count the messages read."""

    def __init__(self, source: Source) -> None:
        self.read = 0
        real = source.fetch

        def fetch(items, max_bytes):  # type: ignore[no-untyped-def]
            got = real(items, max_bytes)
            self.read += len(got)
            return got

        source.fetch = fetch  # type: ignore[method-assign]


def poll(runtime, source: Source) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """One pass: (messages seen, messages read)."""
    counter = CountingFetch(source)
    poller = Poller(runtime, source)
    try:
        stats = poller.run_once()
    finally:
        poller.close()
    return stats.seen, counter.read


def check_handled(runtime, smtp, events: list[SubmissionEvent], ordinary: int) -> None:  # type: ignore[no-untyped-def]
    """Only the submissions were answered, posted, owed to staff and listed."""
    assert sorted(e.status for e in events) == sorted(EXPECTED)
    assert sorted(r["status"] for r in list_submissions(runtime.engine)) == sorted(EXPECTED)
    assert len(list_submissions(runtime.engine, "ignored")) == ordinary
    with session_scope(runtime.engine) as session:
        staff = session.exec(select(OutboxMessage)).all()
        ignored = session.exec(select(Submission).where(Submission.status == "ignored")).all()
    assert len(staff) == len(EXPECTED)  # one staff mail per submission, none for the rest
    assert not any(r.reply_due or r.replied for r in ignored)
    sent = smtp.wait(len(EXPECTED))
    assert [rcpts for _, rcpts, _ in sent] == [[SENDER]] * len(EXPECTED)
    for _, _, content in sent:
        reply = email.message_from_bytes(content, policy=policy.default)
        assert str(reply["Subject"]).startswith("Re: 【")


@pytest.mark.imap
@pytest.mark.smtp
def test_a_shared_imap_inbox_keeps_its_ordinary_mail(town, dovecot, smtp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ordinary, order = mixed()
    client = dovecot.imap()
    try:
        for n, raw in enumerate(order):  # every other ordinary mail was read already
            client.append("INBOX", raw, flags=[b"\\Seen"] if n % 2 else [])
        client.select_folder("INBOX", readonly=True)
        before = client.fetch(client.search("ALL"), ["FLAGS", "BODY.PEEK[]"])
    finally:
        client.logout()
    runtime = use_env(monkeypatch, {**dovecot.env(), **env(smtp)})
    events: list[SubmissionEvent] = []
    unsubscribe = subscribe(events.append)
    try:
        from hosho.mailbox.imap_source import ImapSource

        first = poll(runtime, ImapSource(runtime.settings, runtime.engine))
        again = poll(runtime, ImapSource(runtime.settings, runtime.engine))
    finally:
        unsubscribe()
    assert first == (len(order), len(order))
    assert again == (0, 0)  # nothing looked at again
    client = dovecot.imap()
    try:
        client.select_folder("INBOX", readonly=True)
        after = client.fetch(client.search("ALL"), ["FLAGS", "BODY.PEEK[]"])
    finally:
        client.logout()
    kept = {uid: data for uid, data in before.items() if ORDINARY_ID in data[b"BODY[]"]}
    assert len(kept) == len(ordinary)
    assert sorted(after) == sorted(kept)  # the same UIDs: nothing moved, nothing added
    for uid, data in kept.items():  # unread stays unread, nothing answered or flagged
        assert _flags(after[uid]) == _flags(data), uid
        assert after[uid][b"BODY[]"] == data[b"BODY[]"]
    assert sum(b"\\Seen" in _flags(d) for d in kept.values()) == len(ordinary) // 2
    assert dovecot.count("hosho/registered") == 1
    assert dovecot.count("hosho/rejected") == len(EXPECTED) - 1
    check_handled(runtime, smtp, events, len(ordinary))


def _flags(data: dict) -> set[bytes]:  # type: ignore[type-arg]
    """The message's flags without \\Recent (which belongs to one session only)."""
    return set(data[b"FLAGS"]) - {b"\\Recent"}


def _listing(folder: Path) -> dict[str, str]:
    """sub/name → sha256 of every ordinary message file in new/ and cur/."""
    return {
        f"{sub}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for sub in ("new", "cur")
        for p in (folder / sub).iterdir()
        if ORDINARY_ID in p.read_bytes()
    }


@pytest.mark.smtp
def test_a_shared_maildir_keeps_its_ordinary_mail(  # type: ignore[no-untyped-def]
    town, smtp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ordinary, order = mixed()
    folder = tmp_path / "inbox"
    box = mailbox.Maildir(folder, create=True)
    for n, raw in enumerate(order):  # every other one read already, in cur/ with flag S
        msg = mailbox.MaildirMessage(raw)
        if n % 2:
            msg.set_subdir("cur")
            msg.set_flags("S")
        box.add(msg)
    before = _listing(folder)
    assert len(before) == len(ordinary)
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(folder), **env(smtp)})
    events: list[SubmissionEvent] = []
    unsubscribe = subscribe(events.append)
    try:
        first = poll(runtime, MaildirSource(folder))
        again = poll(runtime, MaildirSource(folder))  # a new poller: remembered in the database
    finally:
        unsubscribe()
    assert first == (len(order), len(order))
    assert again == (0, 0)
    assert _listing(folder) == before  # same place, same name (flags), same bytes
    assert sum(1 for sub in ("new", "cur") for _ in (folder / sub).iterdir()) == len(before)
    assert len(list((folder / ".hosho.registered" / "cur").iterdir())) == 1
    check_handled(runtime, smtp, events, len(ordinary))


@pytest.mark.imap
def test_a_dedicated_folder_named_in_japanese(town, dovecot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The README's alternative: a server-side rule files submissions into their own folder
    (here 電子保証) and HOSHO_IMAP_FOLDER names it; INBOX is never opened."""
    client = dovecot.imap()
    try:
        client.create_folder("電子保証")
        client.append("電子保証", notice_message(1))
        client.append("INBOX", build()[0].raw)
    finally:
        client.logout()
    runtime = use_env(monkeypatch, {**dovecot.env(), "HOSHO_IMAP_FOLDER": "電子保証"})
    from hosho.mailbox.imap_source import ImapSource

    assert poll(runtime, ImapSource(runtime.settings, runtime.engine)) == (1, 1)
    assert [r["status"] for r in list_submissions(runtime.engine)] == ["registered"]
    assert dovecot.count("hosho/registered") == 1 and dovecot.count("INBOX") == 1
