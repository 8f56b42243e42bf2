"""Received files (受信した添付ファイル) kept with their submission, byte for byte.

Every PDF (the 認証キー等のお知らせ, or the file sent instead) and every image attached to
a submission is stored in the database in the same transaction as the submission's row, so
staff can open it later (``submissions show --pdf``) and hosho can read it again
(``submissions retry``, a notice waiting for its contract). ``purge`` drops the bytes of
older submissions and keeps what they were (name, type, size, SHA-256).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Engine, func, insert, update
from sqlmodel import Session, col, select

from hosho.core.contracts.authkey import redact
from hosho.core.store.audit import record
from hosho.core.store.db import session_scope
from hosho.core.store.models import ReceivedFile, Submission, utcnow
from hosho.core.submissions.checks import MAX_PDFS, Attachment, Examined, IncomingMail, Outcome
from hosho.core.submissions.statuses import Status
from hosho.core.wareki import JST

#: Image types kept (a scan or a photo of the notice sent instead of the PDF).
IMAGE_TYPES = ("image/",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp", ".heic")


def worth_keeping(attachment: Attachment) -> bool:
    """A PDF (by its bytes, type or name) or an image."""
    name = attachment.filename.lower()
    return (
        attachment.looks_like_pdf
        or attachment.content_type.lower().startswith(IMAGE_TYPES)
        or name.endswith(IMAGE_SUFFIXES)
    )


def kept_rows(submission_id: int, attachments: Sequence[Attachment]) -> list[dict[str, Any]]:
    """The ReceivedFile values for a submission's attachments worth keeping (at most
    MAX_PDFS, as many as the checks read)."""
    return [
        {
            "submission_id": submission_id,
            "filename": redact(a.filename)[:400],  # a key typed into a file name: masked
            "content_type": a.content_type[:200],
            "sha256": hashlib.sha256(a.data).hexdigest(),
            "size": len(a.data),
            "data": a.data,
            "purged_at": None,
        }
        for a in [a for a in attachments if worth_keeping(a)][:MAX_PDFS]
    ]


def keep(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert kept files (``kept_rows``) in the caller's transaction, one multi-row INSERT."""
    if rows:
        session.execute(insert(ReceivedFile), list(rows))


def keep_received(
    session: Session,
    items: Sequence[tuple[IncomingMail, Examined]],
    outcomes: Sequence[Outcome],
) -> None:
    """Keep the files of every newly recorded submission (not of mail that is not one)."""
    rows: list[dict[str, Any]] = []
    for (mail, _), outcome in zip(items, outcomes, strict=True):
        row = outcome.submission
        if outcome.created and row.id is not None and row.status != Status.IGNORED:
            rows += kept_rows(row.id, mail.attachments)
    keep(session, rows)


def files_of(session: Session, submission_id: int) -> list[ReceivedFile]:
    """The files kept for a submission, in the order they were attached."""
    return list(
        session.exec(
            select(ReceivedFile)
            .where(ReceivedFile.submission_id == submission_id)
            .order_by(col(ReceivedFile.id))
        )
    )


def attachments_of(session: Session, submission_id: int) -> list[Attachment]:
    """The kept files whose bytes are still there, as the checks take them."""
    return [
        Attachment(f.filename, f.data, f.content_type)
        for f in files_of(session, submission_id)
        if f.data is not None
    ]


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day``, town time (JST)."""
    return datetime.combine(day, time(), tzinfo=JST)


def purge(engine: Engine, before: date, *, actor: str) -> int:
    """Drop the kept bytes of the submissions received before ``before`` (town time);
    returns how many files were emptied. Audited; name, size and SHA-256 stay."""
    cutoff = start_of(before)
    when = func.coalesce(Submission.received_at, Submission.processed_at)
    older = select(Submission.id).where(when < cutoff)
    with session_scope(engine) as session:
        done = session.execute(
            update(ReceivedFile)
            .where(col(ReceivedFile.data).is_not(None))
            .where(col(ReceivedFile.submission_id).in_(older))
            .values(data=None, purged_at=utcnow())
        )
        count = int(done.rowcount)  # type: ignore[attr-defined]
        record(
            session,
            actor=actor,
            action="submissions.purge",
            target=f"before {before.isoformat()}",
            result="ok",
            files=count,
        )
    return count
