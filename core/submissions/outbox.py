"""The outbox: staff notifications (職員への通知) owed to a channel, delivered once.

A notification is a row (``OutboxMessage``) written in the SAME transaction as the submission
it tells about (:func:`notify_staff`, called by ``recording``), one row per channel: ``slack``
(HOSHO_STAFF_CHANNEL) and ``email`` (HOSHO_STAFF_EMAIL). A crash leaves the submission with
its messages owed, or neither; whatever process starts next finds what is still owed.

An :class:`OutboxSender` delivers one channel: it claims one row at a time with a lease (an
UPDATE only one process wins, as for replies), calls the ``deliver`` function its adapter
passed in (bot/slack posts to Slack, mailbox sends SMTP), then marks the row delivered; a
failed try waits with exponential backoff. A process killed mid-send leaves its one row
claimed; when the lease runs out another process sends it again: at most one duplicate per
crash, never a loss. Rows are data; no Slack or SMTP here.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields, replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, or_, update
from sqlmodel import Session, col, func, select

from hosho.core.events import SubmissionEvent
from hosho.core.settings import Settings
from hosho.core.store.db import session_scope
from hosho.core.store.models import OutboxMessage, Submission, utcnow
from hosho.core.submissions.checks import Outcome

log = logging.getLogger(__name__)

SLACK = "slack"
EMAIL = "email"
SUBMISSION = "submission"
DIGEST = "digest"

#: The first retry of a failed delivery waits this long, doubling up to BACKOFF_MAX.
BACKOFF_FIRST = timedelta(seconds=5)
BACKOFF_MAX = timedelta(minutes=15)
#: How often an idle sender looks for rows another process wrote.
IDLE_SECONDS = 1.0
#: Delivered rows are kept this long (to see what was sent), then deleted.
KEEP_DELIVERED = timedelta(days=30)
CLEAN_EVERY = timedelta(hours=1)

Deliver = Callable[[OutboxMessage], None]

_bell = threading.Condition()


def ring() -> None:
    """Wake this process's senders now (new rows were committed)."""
    with _bell:
        _bell.notify_all()


def staff_channels(settings: Settings) -> tuple[str, ...]:
    """The channels staff are told on: Slack when a staff channel and a bot token are set,
    e-mail when staff addresses and an SMTP host are set."""
    channels: list[str] = []
    if settings.staff_channel and settings.slack_bot_token:
        channels.append(SLACK)
    if settings.staff_addresses and settings.smtp_host:
        channels.append(EMAIL)
    return tuple(channels)


def notify_staff(session: Session, event: SubmissionEvent, channels: Sequence[str]) -> None:
    """Owe staff this submission's message on each channel, in the caller's transaction."""
    payload = json.dumps({**asdict(event), "at": event.at.isoformat()}, ensure_ascii=False)
    for channel in channels:
        session.add(
            OutboxMessage(
                key=f"{channel}:{SUBMISSION}:{event.submission_id}:{uuid.uuid4().hex[:12]}",
                channel=channel,
                kind=SUBMISSION,
                submission_id=event.submission_id,
                payload=payload,
            )
        )


def row_event(row: Submission) -> SubmissionEvent:
    """The staff's view of a submission row alone (never the key: the row holds none)."""
    return SubmissionEvent(
        submission_id=row.id,
        status=row.status,
        reason=row.reason,
        sender=row.sender,
        subject=row.subject,
        contract_number=row.contract_number,
        at=row.processed_at,
        verified=row.verified,
        no_reply=row.no_reply,
    )


def outcome_event(outcome: Outcome) -> SubmissionEvent:
    """The staff's view of a recorded message: its row, and what its contract (or, in
    ledger mode, the notice itself) says."""
    contract, contractor = outcome.contract, outcome.contractor
    noted = outcome.notice_record  # ledger mode: what the notice itself printed
    return replace(
        row_event(outcome.submission),
        contractor_name=contractor.name if contractor else None,
        project_name=contract.project_name if contract else noted and noted.project_name,
        kind=contract.kind if contract else noted and noted.kind,
    )


def notify_outcomes(session: Session, outcomes: Sequence[Outcome], channels: Sequence[str]) -> None:
    """Owe staff a message for each newly recorded outcome (rows flushed, ids known)."""
    if not channels:
        return
    for outcome in outcomes:
        if outcome.created:
            notify_staff(session, outcome_event(outcome), channels)


def event_of(message: OutboxMessage) -> SubmissionEvent:
    """The submission event an outbox row of kind ``submission`` carries."""
    data = json.loads(message.payload)
    data["at"] = datetime.fromisoformat(data["at"])
    known = {f.name for f in fields(SubmissionEvent)}  # a row written by an older version
    return SubmissionEvent(**{k: v for k, v in data.items() if k in known})


def backoff(attempts: int) -> timedelta:
    """Wait before try ``attempts + 1``: BACKOFF_FIRST doubling, at most BACKOFF_MAX, ±25 %."""
    wait = min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)
    return wait * random.uniform(0.75, 1.25)


def _claimable(now: datetime) -> list[object]:
    return [
        col(OutboxMessage.delivered_at).is_(None),
        or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) < now),
    ]


class OutboxSender:
    """Delivers one channel's outbox with ``deliver`` (which raises when it failed).

    ``before_pass`` runs before each pass (the staff mail adds the day's digest there).
    """

    def __init__(
        self,
        engine: Engine,
        channel: str,
        deliver: Deliver,
        *,
        lease: timedelta = timedelta(seconds=60),
        before_pass: Callable[[], object] | None = None,
    ) -> None:
        self.engine, self.channel, self.deliver = engine, channel, deliver
        self.lease = lease
        self.before_pass = before_pass
        self.worker = f"{channel}-{uuid.uuid4().hex[:12]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one row ------------------------------------------------------------------------

    def claim(self) -> OutboxMessage | None:
        """Take the oldest due row of this channel (True for one process only), or None."""
        now = utcnow()
        with Session(self.engine) as session:
            ids = session.exec(
                select(OutboxMessage.id)
                .where(OutboxMessage.channel == self.channel, *_claimable(now))  # type: ignore[arg-type]
                .where(OutboxMessage.due_at <= now)
                .order_by(col(OutboxMessage.id))
                .limit(10)
            ).all()
        for row_id in ids:
            with session_scope(self.engine) as session:
                won = session.execute(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id) == row_id, *_claimable(now))  # type: ignore[arg-type]
                    .values(
                        lease_until=now + self.lease,
                        claimed_by=self.worker,
                        attempts=OutboxMessage.attempts + 1,
                    )
                )
                if won.rowcount:  # type: ignore[attr-defined]
                    row = session.get(OutboxMessage, row_id)
                    assert row is not None
                    session.expunge(row)
                    return row
        return None

    def _delivered(self, row: OutboxMessage) -> None:
        with session_scope(self.engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id)
                .where(col(OutboxMessage.delivered_at).is_(None))
                .values(delivered_at=utcnow(), lease_until=None, last_error="")
            )

    def _failed(self, row: OutboxMessage, err: Exception) -> None:
        wait = backoff(row.attempts)
        log.warning(
            "staff %s message %s not delivered (try %d), again in %.0f s: %s: %s",
            self.channel,
            row.id,
            row.attempts,
            wait.total_seconds(),
            type(err).__name__,
            err,
        )
        with session_scope(self.engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id)
                .where(col(OutboxMessage.claimed_by) == self.worker)
                .values(
                    lease_until=None,
                    claimed_by=None,
                    due_at=utcnow() + wait,
                    last_error=f"{type(err).__name__}: {err}"[:300],
                )
            )

    # -- passes -------------------------------------------------------------------------

    def run_once(self) -> int:
        """Deliver every row due now, until stopped or a delivery fails; returns how many
        were delivered."""
        if self.before_pass is not None:
            self.before_pass()
        delivered = 0
        while not self._stop.is_set():
            row = self.claim()
            if row is None:
                break
            try:
                self.deliver(row)
            except Exception as err:  # noqa: BLE001 - any failure is retried later
                self._failed(row, err)
                break  # the channel is likely down: the next pass tries again
            self._delivered(row)
            delivered += 1
        return delivered

    def run_forever(self) -> None:
        """Deliver until ``stop()``; a database error is logged and the loop goes on.
        Once an hour, rows delivered more than KEEP_DELIVERED ago are deleted."""
        cleaned = utcnow() - CLEAN_EVERY
        while not self._stop.is_set():
            try:
                if utcnow() - cleaned >= CLEAN_EVERY:
                    forget_delivered(self.engine)
                    cleaned = utcnow()
                self.run_once()
            except Exception:  # noqa: BLE001 - the sender must outlive a database outage
                log.exception("staff %s outbox pass failed", self.channel)
            with _bell:
                if not self._stop.is_set():
                    _bell.wait(IDLE_SECONDS)

    def start_thread(self) -> threading.Thread:
        """Run forever in a daemon thread; ``stop()`` ends it."""
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.run_forever, name=f"hosho-outbox-{self.channel}", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the row in hand (it is delivered or handed back)."""
        self._stop.set()
        ring()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def forget_delivered(engine: Engine, older_than: timedelta = KEEP_DELIVERED) -> int:
    """Delete rows delivered longer than ``older_than`` ago; returns how many."""
    with session_scope(engine) as session:
        gone = session.execute(
            delete(OutboxMessage).where(
                col(OutboxMessage.delivered_at) < utcnow() - older_than  # type: ignore[operator]
            )
        )
        return int(gone.rowcount)  # type: ignore[attr-defined]


def pending(engine: Engine, channel: str | None = None) -> int:
    """How many outbox rows are not delivered yet (of one channel, or all)."""
    with Session(engine) as session:
        query = select(func.count()).where(col(OutboxMessage.delivered_at).is_(None))
        if channel is not None:
            query = query.where(OutboxMessage.channel == channel)
        return session.exec(query).one()
