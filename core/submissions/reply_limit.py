"""The hourly reply limit: at most HOSHO_REPLY_LIMIT_PER_HOUR replies to one address.

Counted in the database, in the transaction that records the new submissions: rows of the
last hour to the same address (case folded) that were owed a reply. A row over the limit
keeps its status and gets no reply; staff see why (``Submission.no_reply``). hosho's own
From address (HOSHO_MAIL_FROM) is never answered either (mail loops).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from hosho.core.store.models import Submission, utcnow
from hosho.core.submissions.answering import OWN_ADDRESS, RATE_LIMITED
from hosho.core.submissions.checks import Outcome

WINDOW = timedelta(hours=1)


def settle_replies(
    session: Session, outcomes: Sequence[Outcome], limit: int, own: Sequence[str] = ()
) -> None:
    """Take the reply back from new rows to hosho's own address or over the hourly limit
    (the rows are flushed: their ids are known)."""
    mine = {a.lower() for a in own if a}
    due = [o.submission for o in outcomes if o.created and o.submission.reply_due]
    for row in due:
        if row.sender.lower() in mine:
            row.reply_due, row.no_reply = False, OWN_ADDRESS
    due = [row for row in due if row.reply_due]
    if not due:
        return
    senders = sorted({row.sender.lower() for row in due})
    batch = [row.id for row in due if row.id is not None]
    earlier = Counter(
        dict(
            session.exec(
                select(func.lower(Submission.sender), func.count())
                .where(col(Submission.processed_at) >= utcnow() - WINDOW)
                .where(col(Submission.reply_due).is_(True))
                .where(func.lower(Submission.sender).in_(senders))
                .where(col(Submission.id).not_in(batch))
                .group_by(func.lower(Submission.sender))
            ).all()
        )
    )
    for row in due:
        sender = row.sender.lower()
        if earlier[sender] >= limit:
            row.reply_due, row.no_reply = False, RATE_LIMITED.format(limit=limit)
        else:
            earlier[sender] += 1
