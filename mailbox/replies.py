"""Answering senders: each submission whose ``reply_due`` is set gets one reply, once.

The duty to answer is claimed in the database before sending (an UPDATE that only one
caller wins), so two pollers, or a retry racing the first try, never both send; it is
handed back when sending failed. Each poll pass then retries the replies still owed: those
whose first try is at least ``REPLY_RETRY_AFTER`` old, for mail recorded within
``REPLY_WITHIN`` (old mail is not answered late).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from hosho.core.store.db import session_scope
from hosho.core.store.models import Submission, utcnow
from hosho.core.submissions.statuses import reply_body, reply_subject
from hosho.mailbox.errors import MailError
from hosho.mailbox.outgoing import Mailer

log = logging.getLogger(__name__)

#: An owed reply is retried once its first try is this old, for this long after the mail came.
REPLY_RETRY_AFTER = timedelta(minutes=2)
REPLY_WITHIN = timedelta(days=1)


def claim_reply(engine: Engine, submission_id: int) -> bool:
    """Take the duty to answer this submission's sender (True for exactly one caller).

    The UPDATE marks it replied before sending; ``release_reply`` hands it back when
    sending failed.
    """
    with session_scope(engine) as session:
        claimed = session.execute(
            update(Submission)
            .where(Submission.id == submission_id)  # type: ignore[arg-type]
            .where(Submission.reply_due == True)  # type: ignore[arg-type]  # noqa: E712
            .where(Submission.replied == False)  # type: ignore[arg-type]  # noqa: E712
            .values(replied=True)
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]


def release_reply(engine: Engine, submission_id: int) -> None:
    """Sending failed: the reply is owed again (the next poll pass retries it)."""
    with session_scope(engine) as session:
        session.execute(
            update(Submission)
            .where(Submission.id == submission_id)  # type: ignore[arg-type]
            .values(replied=False)
        )


def owed_replies(
    engine: Engine, *, older_than: timedelta, within: timedelta, limit: int = 50
) -> list[Submission]:
    """Submissions whose reply is still owed: recorded more than ``older_than`` ago (the
    first try had its chance) and less than ``within`` ago (old mail is not answered late)."""
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        return list(
            session.exec(
                select(Submission)
                .where(Submission.reply_due == True)  # noqa: E712
                .where(Submission.replied == False)  # noqa: E712
                .where(Submission.processed_at <= now - older_than)
                .where(Submission.processed_at >= now - within)
                .order_by(Submission.id)  # type: ignore[arg-type]
                .limit(limit)
            ).all()
        )


class Replies:
    """Sends the replies of one poller through its ``mailer`` (SMTP)."""

    def __init__(self, engine: Engine, mailer: Mailer, contact: str) -> None:
        self.engine, self.mailer, self.contact = engine, mailer, contact

    def send(self, row: Submission) -> None:
        """Answer the sender once: claim the duty, send, hand it back if sending failed."""
        if not row.reply_due or row.id is None:
            return
        if not claim_reply(self.engine, row.id):
            return  # answered already (another poller, or an earlier try)
        row.replied = True
        if self.mailer.sender and row.sender.lower() == self.mailer.sender.lower():
            return  # never answer ourselves (mail loop): claimed, not sent
        body = reply_body(row.reason, subject=row.subject, contact=self.contact)
        try:
            self.mailer.send(row.sender, reply_subject(row.status), body)
        except MailError as err:
            log.warning("reply to %s not sent, will retry: %s", row.sender, err)
            release_reply(self.engine, row.id)
            row.replied = False

    def retry(self, stop: threading.Event) -> int:
        """Send the replies still owed (SMTP was down, or a crash came between the commit
        and the send) until ``stop`` is set; returns how many were tried."""
        owed = owed_replies(self.engine, older_than=REPLY_RETRY_AFTER, within=REPLY_WITHIN)
        for row in owed:
            if stop.is_set():
                break
            self.send(row)
        return len(owed)
