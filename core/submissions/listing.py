"""Reading recorded submissions (提出): the list staff see, and which messages of an inbox
folder were recorded already (so the poller only moves them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from hosho.core.contracts.authkey import redact
from hosho.core.store.db import session_scope
from hosho.core.store.models import Submission
from hosho.core.submissions.failures import unrecorded
from hosho.core.submissions.statuses import UNRECORDED, Status


def recorded_locations(
    engine: Engine, folder: str, uidvalidity: int, uids: Sequence[int]
) -> dict[int, str]:
    """UID → status of the messages of this folder already recorded (in chunks)."""
    found: dict[int, str] = {}
    with session_scope(engine) as session:
        for start in range(0, len(uids), 500):
            chunk = list(uids[start : start + 500])
            rows = session.exec(
                select(Submission.uid, Submission.status)
                .where(Submission.folder == folder)
                .where(Submission.uidvalidity == uidvalidity)
                .where(col(Submission.uid).in_(chunk))
            ).all()
            found.update({int(uid): status for uid, status in rows if uid is not None})
    return found


def list_submissions(engine: Engine, status: str | None = None) -> list[dict[str, Any]]:
    """Submissions, oldest first, with the fields of ``hosho submissions list --json``:
    id, message_id, sender, subject, received_at, contract_number, status, reason and
    verified (False when registered from the notice alone, ledger mode). The sender
    and Message-ID are kept as sent (replies go there) and masked here (``redact``).
    Mail that was no submission (``ignored``) is listed only when asked for by status.
    With status ``error``, a message set aside whose row could not be written comes last,
    from its failure row: ``id`` null, ``mail_failure`` its failure's id."""
    with session_scope(engine) as session:
        query = select(Submission).order_by(col(Submission.id))
        if status:
            query = query.where(Submission.status == status)
        else:
            query = query.where(Submission.status != Status.IGNORED)
        rows = session.exec(query).all()
        listed = [
            {
                "id": row.id,
                "message_id": row.message_id and redact(row.message_id),
                "sender": redact(row.sender),
                "subject": row.subject,
                "received_at": row.received_at.isoformat() if row.received_at else None,
                "contract_number": row.contract_number,
                "status": row.status,
                "reason": row.reason,
                "verified": row.verified,
            }
            for row in rows
        ]
    return listed + (unrecorded_rows(engine) if status == Status.ERROR else [])


def unrecorded_rows(engine: Engine) -> list[dict[str, Any]]:
    """The rows of ``list_submissions`` for messages set aside without a submission row
    (``failures.unrecorded``): their last error is not shown (it may quote the mail)."""
    return [
        {
            "id": None,
            "message_id": None,
            "sender": "",
            "subject": "",
            "received_at": failure.first_at.isoformat(),
            "contract_number": None,
            "status": Status.ERROR.value,
            "reason": UNRECORDED.format(tries=failure.tries),
            "verified": False,
            "mail_failure": failure.id,
        }
        for failure in unrecorded(engine)
    ]
