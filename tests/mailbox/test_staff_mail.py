"""Staff who work by e-mail (HOSHO_STAFF_EMAIL) through a real SMTP server (aiosmtpd): one
mail per submission outcome with the staff channel's text and never the key, owed in the
outbox (kept while SMTP is down, sent once when it is back), and the daily digest once a
day however often the poller runs."""

from __future__ import annotations

import contextlib
import email
import email.policy
import mailbox
from pathlib import Path

import pytest
from sqlmodel import Session, select

from hosho.core.store.db import get_engine
from hosho.core.store.models import OutboxMessage, Submission
from hosho.core.submissions import outbox, recording
from hosho.core.submissions.statuses import label_of
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.town import SENDER, TOWN, all_keys, certificate, message, notice_message
from tests.servers import SmtpSink, closed_port, free_port

pytestmark = pytest.mark.smtp

STAFF = ["kanri@town.aya.lg.jp", "keiyaku@town.aya.lg.jp"]


def env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        "HOSHO_MAILDIR": str(tmp_path / "inbox"),
        "HOSHO_SMTP_HOST": "127.0.0.1",
        "HOSHO_SMTP_PORT": str(port),
        "HOSHO_SMTP_SECURITY": "none",
        "HOSHO_MAIL_FROM": TOWN,
        "HOSHO_STAFF_EMAIL": ", ".join(STAFF),
        **extra,
    }


def staff_mails(smtp: SmtpSink) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(content, policy=email.policy.default)  # type: ignore[misc]
        for _, rcpts, content in smtp.messages
        if sorted(rcpts) == sorted(STAFF)
    ]


def test_one_staff_mail_per_submission_never_the_key(town, smtp, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inbox = mailbox.Maildir(tmp_path / "inbox", create=True)
    inbox.add(notice_message(1, subject="提出1"))
    inbox.add(notice_message(2, subject="提出2"))
    inbox.add(message(subject="証書", attachments=[("s.pdf", certificate(3), "application/pdf")]))
    done = cli("poll", "--once", env=env(tmp_path, smtp.port))
    assert done.returncode == 0, done.stderr
    smtp.wait(6)  # three replies to the sender, three staff mails
    mails = staff_mails(smtp)
    assert len(mails) == 3
    by_subject = {m["Subject"]: m for m in mails}
    registered = by_subject[f"[hosho] {label_of('registered')} 保証契約番号 0000000001"]
    text = registered.get_content()
    assert "(registered)" in text.splitlines()[0]
    assert "保証契約番号: 0000000001" in text and "第1工区" in text
    assert f"差出人: {SENDER} / 件名: 提出1" in text
    assert registered["Auto-Submitted"] == "auto-generated"
    assert registered["Message-ID"].startswith("<hosho.staff.")
    assert any("wrong_document" in m.get_content() for m in mails)
    assert len({m["Message-ID"] for m in mails}) == 3
    everything = b"".join(content for _, _, content in smtp.messages).decode("utf-8", "replace")
    assert not any(key in everything for key in all_keys(3))
    # The next pass sends nothing again.
    assert cli("poll", "--once", env=env(tmp_path, smtp.port)).returncode == 0
    assert len(staff_mails(smtp)) == 3
    assert outbox.pending(get_engine(town)) == 0


def test_staff_mail_waits_while_smtp_is_down(town, smtp, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mailbox.Maildir(tmp_path / "inbox", create=True).add(notice_message(1))
    with closed_port() as nobody:
        down = env(tmp_path, nobody, HOSHO_SMTP_TIMEOUT="2", HOSHO_IMAP_TIMEOUT="2")
        assert cli("poll", "--once", env=down).returncode == 0
    engine = get_engine(town)
    assert outbox.pending(engine, outbox.EMAIL) == 1  # owed, not lost
    with engine.begin() as conn:  # the backoff has passed
        conn.exec_driver_sql("UPDATE outbox SET due_at = '2000-01-01 00:00:00'")
    assert cli("poll", "--once", env=env(tmp_path, smtp.port)).returncode == 0
    assert len(staff_mails(smtp)) == 1 and outbox.pending(engine) == 0


def test_the_daily_digest_is_sent_once(town, smtp, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mailbox.Maildir(tmp_path / "inbox", create=True)
    settings = env(tmp_path, smtp.port, HOSHO_DIGEST_AT="00:00")  # due all day
    for _ in range(3):
        assert cli("poll", "--once", env=settings).returncode == 0
    (digest,) = staff_mails(smtp)
    assert digest["Subject"].startswith("[hosho] 電子保証 日報 ")
    assert "職員の確認を待っているもの: 0 件" in digest.get_content()


def test_staff_messages_are_owed_in_the_submissions_transaction(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = mailbox.Maildir(tmp_path / "inbox", create=True)
    for n in (1, 2):
        inbox.add(notice_message(n))
    settings = env(tmp_path, free_port(), HOSHO_STAFF_CHANNEL="CSTAFF", SLACK_BOT_TOKEN="xoxb-t")
    runtime = use_env(monkeypatch, settings)
    real = recording.notify_outcomes

    def crash_after_owing(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        raise RuntimeError("crash before the commit")

    monkeypatch.setattr(recording, "notify_outcomes", crash_after_owing)
    poller = Poller(runtime, mailer=None)
    with contextlib.suppress(RuntimeError):  # raised, or logged for the message
        poller.run_once()
    poller.close()
    assert counts(runtime.engine) == (0, 0)  # neither the rows nor their staff messages
    monkeypatch.setattr(recording, "notify_outcomes", real)
    poller = Poller(runtime, mailer=None)
    try:
        poller.run_once()
    finally:
        poller.close()
    assert counts(runtime.engine) == (2, 4)  # one per channel: slack and email
    assert outbox.pending(runtime.engine, outbox.SLACK) == 2


def counts(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return (
            len(session.exec(select(Submission.id)).all()),
            len(session.exec(select(OutboxMessage.id)).all()),
        )


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"HOSHO_STAFF_EMAIL": "kanri@town.aya.lg.jp, 管理課"}, "HOSHO_STAFF_EMAIL: '管理課'"),
        ({"HOSHO_STAFF_EMAIL": " , ,"}, "HOSHO_STAFF_EMAIL: holds no e-mail address"),
        ({"HOSHO_DIGEST_AT": "8時半"}, "HOSHO_DIGEST_AT: must be HH:MM"),
        ({"HOSHO_STAFF_EMAIL": STAFF[0]}, "HOSHO_STAFF_EMAIL is set but HOSHO_SMTP_HOST is not"),
        (
            {"HOSHO_SMTP_HOST": "127.0.0.1", "HOSHO_DIGEST_AT": "08:30"},
            "HOSHO_DIGEST_AT is set but HOSHO_STAFF_EMAIL is not",
        ),
    ],
)
def test_a_bad_staff_mail_setting_is_one_line(cli, settings: dict[str, str], says: str) -> None:  # type: ignore[no-untyped-def]
    done = cli("poll", "--once", env=settings)  # staff would silently get nothing
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and says in done.stderr
