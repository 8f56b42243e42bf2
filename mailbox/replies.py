"""Answering senders: each submission whose ``reply_due`` is set gets one reply, once.

The duty to answer is claimed in the database before sending, with a lease (an UPDATE that
only one caller wins while the lease runs), so two pollers, or a retry racing the first try,
never both send. ``replied`` is set only after the SMTP server accepted the message; a
failed send hands the claim back, and a claim left by a process that died runs out, so the
reply is sent again. The reply's Message-ID is made at the first claim and stored: a resend
reuses it, so the rare duplicate (the server took it just before the crash) is recognisable.
A reply is owed at once: the first try of a new one (a new mail, or a decision staff made
elsewhere, e.g. ``/hosho submissions accept`` in Slack) is due immediately; a failed send
waits before the next try (``retry_wait``: REPLY_RETRY_AFTER, then as long again as the
reply is old, at most REPLY_RETRY_MAX), kept as its claim's lease. Each poll pass, and a
running poller every REPLY_LOOK_EVERY seconds (:meth:`Replies.run_until`), sends what is
owed, for mail recorded within ``REPLY_WITHIN`` (old mail is not answered late).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, or_, update
from sqlmodel import Session, col, func, select

from hosho.core.store.db import session_scope
from hosho.core.store.models import Submission, utcnow
from hosho.mailbox.compose import reply_to
from hosho.mailbox.errors import MailError
from hosho.mailbox.outgoing import Mailer

log = logging.getLogger(__name__)

#: A failed send is tried again after this long at first, doubling, at most REPLY_RETRY_MAX.
REPLY_RETRY_AFTER = timedelta(minutes=2)
REPLY_RETRY_MAX = timedelta(minutes=30)
#: Replies are owed for this long after the mail came (or the decision was made).
REPLY_WITHIN = timedelta(days=1)
#: How often a running poller looks for replies owed (decided by staff in another process).
REPLY_LOOK_EVERY = 1.0
#: How long a claim holds when the caller names none (HOSHO_OUTBOX_LEASE_SECONDS).
DEFAULT_LEASE = timedelta(seconds=60)


def _unclaimed(now: datetime) -> ColumnElement[bool]:
    """No claim holds the reply now (never claimed, handed back, or its lease ran out)."""
    return or_(col(Submission.reply_lease_until).is_(None), col(Submission.reply_lease_until) < now)


def claim_reply(
    engine: Engine, submission_id: int, *, message_id: str, lease: timedelta = DEFAULT_LEASE
) -> str | None:
    """Take the duty to answer this submission's sender until the lease runs out; returns
    the reply's Message-ID (``message_id`` at the first claim, the stored one after), or
    None when the reply was sent already or another caller holds the claim."""
    now = utcnow()
    with session_scope(engine) as session:
        claimed = session.execute(
            update(Submission)
            .where(col(Submission.id) == submission_id)
            .where(col(Submission.reply_due).is_(True))
            .where(col(Submission.replied).is_(False))
            .where(_unclaimed(now))
            .values(
                reply_lease_until=now + lease,
                reply_message_id=func.coalesce(Submission.reply_message_id, message_id),
            )
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
        return session.exec(
            select(Submission.reply_message_id).where(Submission.id == submission_id)
        ).one()


def mark_replied(engine: Engine, submission_id: int) -> None:
    """The SMTP server accepted the reply: it is sent."""
    with session_scope(engine) as session:
        session.execute(
            update(Submission)
            .where(col(Submission.id) == submission_id)
            .values(replied=True, reply_lease_until=None)
        )


def release_reply(engine: Engine, submission_id: int, *, wait: timedelta = timedelta(0)) -> None:
    """Sending failed: the reply is owed again, and tried again after ``wait`` (the claim's
    lease then says "not before")."""
    until = utcnow() + wait if wait > timedelta(0) else None
    with session_scope(engine) as session:
        session.execute(
            update(Submission)
            .where(col(Submission.id) == submission_id)
            .values(reply_lease_until=until)
        )


def retry_wait(processed_at: datetime) -> timedelta:
    """How long a reply whose send just failed waits: REPLY_RETRY_AFTER, or as long as the
    reply is old (so the waits double), at most REPLY_RETRY_MAX; none when REPLY_RETRY_AFTER
    is zero."""
    if not REPLY_RETRY_AFTER:
        return timedelta(0)
    return min(max(utcnow() - processed_at, REPLY_RETRY_AFTER), REPLY_RETRY_MAX)


def owed_replies(
    engine: Engine, *, within: timedelta = REPLY_WITHIN, limit: int = 50
) -> list[Submission]:
    """Submissions whose reply is owed now: not claimed (never tried, or a failed try whose
    wait is over, or claimed by a process whose lease ran out), recorded or decided less
    than ``within`` ago (old mail is not answered late)."""
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        return list(
            session.exec(
                select(Submission)
                .where(Submission.reply_due == True)  # noqa: E712
                .where(Submission.replied == False)  # noqa: E712
                .where(_unclaimed(now))
                .where(Submission.processed_at >= now - within)
                .order_by(Submission.id)  # type: ignore[arg-type]
                .limit(limit)
            ).all()
        )


class Replies:
    """Sends the replies of one poller through its ``mailer`` (SMTP)."""

    def __init__(
        self, engine: Engine, mailer: Mailer, contact: str, *, lease: timedelta = DEFAULT_LEASE
    ) -> None:
        self.engine, self.mailer, self.contact = engine, mailer, contact
        self.lease = lease

    def send(self, row: Submission) -> None:
        """Answer the sender once: claim the duty, send, mark it sent once the server took
        it, hand it back if sending failed."""
        if not row.reply_due or row.id is None:
            return
        message_id = claim_reply(
            self.engine, row.id, message_id=self.mailer.new_message_id(), lease=self.lease
        )
        if message_id is None:
            return  # answered already, or being answered (another poller, an earlier try)
        if self.mailer.sender and row.sender.lower() == self.mailer.sender.lower():
            mark_replied(self.engine, row.id)  # never answer ourselves (mail loop)
            row.replied = True
            return
        reply = reply_to(row, contact=self.contact)
        try:
            self.mailer.send(
                row.sender,
                reply.subject,
                reply.body,
                message_id=message_id,
                headers=reply.headers,
            )
        except MailError as err:
            wait = retry_wait(row.processed_at)
            log.warning(
                "reply to %s not sent, again in %.0f s: %s", row.sender, wait.total_seconds(), err
            )
            release_reply(self.engine, row.id, wait=wait)
            return
        mark_replied(self.engine, row.id)
        row.replied = True

    def retry(self, stop: threading.Event) -> int:
        """Send the replies still owed (SMTP was down, or a crash came between the commit
        and the send) until ``stop`` is set; returns how many were tried."""
        owed = owed_replies(self.engine, within=REPLY_WITHIN)
        for row in owed:
            if stop.is_set():
                break
            self.send(row)
        return len(owed)

    def run_until(self, stop: threading.Event, every: float = REPLY_LOOK_EVERY) -> None:
        """Send what is owed every ``every`` seconds until ``stop`` (beside a running poller,
        whose passes may wait long for new mail): a reply owed by a decision made anywhere
        goes out within seconds. A failure is logged and the loop goes on."""
        while not stop.wait(every):
            try:
                self.retry(stop)
            except Exception:  # noqa: BLE001 - a database outage must not end the loop
                log.warning("owed replies not sent this time", exc_info=True)
