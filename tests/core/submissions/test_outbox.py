"""The outbox on SQLite and PostgreSQL: a row is claimed by one sender only, delivered once,
retried with backoff after a failure, taken again when its claimer died (lease), and the
daily digest is owed once per day however many replicas ask."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from hosho.core.events import SubmissionEvent
from hosho.core.settings import Settings
from hosho.core.store.db import get_engine, session_scope
from hosho.core.store.models import OutboxMessage, Submission
from hosho.core.submissions import outbox
from hosho.core.submissions.digest import digest_day, digest_of, owe_digest
from hosho.core.submissions.outbox import EMAIL, SLACK, OutboxSender, event_of, notify_staff
from hosho.core.wareki import JST


def owe(engine, count: int, channels=(SLACK,)) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        for n in range(count):
            event = SubmissionEvent(None, "registered", "", f"s{n}@example.jp", f"件名{n}")
            notify_staff(session, event, channels)


def rows(engine) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())  # type: ignore[arg-type]


def test_one_row_per_channel_carrying_the_event(db_url: str) -> None:
    engine = get_engine(db_url)
    owe(engine, 1, (SLACK, EMAIL))
    slack, email = rows(engine)
    assert (slack.channel, email.channel) == (SLACK, EMAIL) and slack.key != email.key
    assert event_of(slack).subject == "件名0" and event_of(slack).at.tzinfo is not None


def test_two_senders_deliver_each_row_once(db_url: str) -> None:
    engine = get_engine(db_url)
    owe(engine, 40)
    got: list[str] = []
    lock = threading.Lock()

    def deliver(row: OutboxMessage) -> None:
        time.sleep(0.005)  # both senders are mid-delivery at the same time
        with lock:
            got.append(row.key)

    senders = [OutboxSender(engine, SLACK, deliver) for _ in range(2)]
    threads = [threading.Thread(target=s.run_once) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(got) == 40 and len(set(got)) == 40
    assert all(r.delivered_at is not None for r in rows(engine))
    assert senders[0].run_once() == 0  # nothing left


def test_a_failed_delivery_waits_and_is_retried(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(db_url)
    owe(engine, 1)
    tries: list[int] = []

    def flaky(row: OutboxMessage) -> None:
        tries.append(row.attempts)
        if len(tries) == 1:
            raise ConnectionError("Slack is away")

    sender = OutboxSender(engine, SLACK, flaky)
    assert sender.run_once() == 0
    (row,) = rows(engine)
    assert row.delivered_at is None and row.lease_until is None
    assert row.last_error == "ConnectionError: Slack is away"
    due = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=UTC)
    assert due > datetime.now(UTC) + timedelta(seconds=2)  # backoff: not at once
    assert sender.run_once() == 0 and tries == [1]
    monkeypatch.setattr(outbox, "BACKOFF_FIRST", timedelta(0))
    with session_scope(engine) as session:  # the wait is over
        session.get(OutboxMessage, row.id).due_at = datetime.now(UTC)  # type: ignore[union-attr]
    assert sender.run_once() == 1 and tries == [1, 2]


def test_a_claim_left_by_a_dead_process_is_taken_after_its_lease(db_url: str) -> None:
    engine = get_engine(db_url)
    owe(engine, 3)
    dead = OutboxSender(engine, SLACK, lambda row: None, lease=timedelta(seconds=1))
    assert dead.claim() is not None  # then killed: never marks it
    got: list[str] = []
    alive = OutboxSender(engine, SLACK, lambda row: got.append(row.key))
    assert alive.run_once() == 2  # the claimed one waits for the lease
    time.sleep(1.1)
    assert alive.run_once() == 1
    assert len(got) == 3 and len(set(got)) == 3


def _submission(n: int, status: str, at: datetime) -> Submission:
    return Submission(
        message_key=f"<{n}@example.jp>",
        sender=f"s{n}@example.jp",
        status=status,
        contract_number=f"00{n}",
        processed_at=at,
    )


def test_the_daily_digest_is_owed_once_a_day(db_url: str) -> None:
    engine = get_engine(db_url)
    settings = Settings(
        HOSHO_STAFF_EMAIL="kanri@town.aya.lg.jp", HOSHO_DIGEST_AT="08:30", HOSHO_SMTP_HOST="mail"
    )
    yesterday = datetime(2026, 11, 29, 10, 0, tzinfo=JST)
    with session_scope(engine) as session:
        for n, status in enumerate(["registered", "registered", "wrong_document", "ignored"]):
            session.add(_submission(n, status, yesterday))
        session.add(_submission(7, "needs_review", yesterday - timedelta(days=3)))
        session.add(_submission(8, "registered", yesterday - timedelta(days=1)))  # not yesterday
    before = datetime(2026, 11, 30, 8, 29, tzinfo=JST)
    assert digest_day("08:30", before) is None
    assert owe_digest(engine, settings, before) is False
    at = datetime(2026, 11, 30, 8, 30, tzinfo=JST)
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(owe_digest(engine, settings, at)))
        for _ in range(4)  # replicas asking at once
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False, False, False, True]
    assert owe_digest(engine, settings, at + timedelta(hours=5)) is False  # later that day
    (row,) = rows(engine)
    assert (row.channel, row.kind, row.key) == (EMAIL, "digest", "email:digest:2026-11-30")
    subject, text = digest_of(row)
    assert "令和8年11月29日" in subject
    assert "処理したメール: 3 件" in text  # the ignored one is not a submission
    assert "(registered): 2 件" in text and "(wrong_document): 1 件" in text
    assert "確認を待っているもの: 1 件" in text and "#5" in text and "s7@example.jp" in text
    assert owe_digest(engine, settings, at + timedelta(days=1)) is True  # the next day


def test_old_delivered_rows_are_forgotten(db_url: str) -> None:
    engine = get_engine(db_url)
    owe(engine, 3)
    OutboxSender(engine, SLACK, lambda row: None).run_once()
    owe(engine, 1)  # not delivered: kept whatever its age
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE outbox SET created_at = '2000-01-01 00:00:00'")
        conn.exec_driver_sql("UPDATE outbox SET delivered_at = '2000-01-01 00:00:00' WHERE id = 1")
    assert outbox.forget_delivered(engine) == 1
    assert [r.id for r in rows(engine)] == [2, 3, 4]
