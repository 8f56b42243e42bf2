"""Messages that could not be recorded: one bad message never stops intake.

When recording a message fails for a reason of its own (not the database or the server
going away), the poller notes the failure here, by the message's key, and goes on with
the rest; the message stays in the inbox and is tried again on the next pass. After
MAX_TRIES failed passes it is set aside (the inbox's ``hosho/error`` folder), like the
shunt queue of Mailman: ``MailFailure.shunted_at`` says when, ``last_error`` why.

A message set aside is shown to staff (:func:`record_set_aside`): a minimal ``Submission``
row of status ``error`` (sender and subject masked and cut short, where it was put, no
reply owed) and its staff message in the outbox, in one transaction. Recording it failed
once already, so if that row cannot be written a bare one is tried (no sender, no
subject); if neither can, the ``MailFailure`` row alone says so, and ``submissions list
--status error`` lists it (:func:`unrecorded`). A Maildir file set aside unopened (a
link, a FIFO) is shown the same way, named by its file (:func:`record_set_aside_file`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Engine, exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from hosho.core.contracts.authkey import redact
from hosho.core.events import SubmissionEvent
from hosho.core.store.db import session_scope
from hosho.core.store.models import MailFailure, Submission, utcnow
from hosho.core.submissions.answering import SET_ASIDE as NOT_ANSWERED
from hosho.core.submissions.checks import IncomingMail
from hosho.core.submissions.outbox import notify_staff, row_event
from hosho.core.submissions.statuses import FILE_SET_ASIDE, SET_ASIDE, Status

log = logging.getLogger(__name__)

#: Failed passes on one message before it is set aside.
MAX_TRIES = 3


def note_failure(engine: Engine, message_key: str, error: str) -> int:
    """Count one more failed pass on this message; returns the passes failed so far."""
    key, why, now = message_key[:998], redact(error)[:300], utcnow()
    for _ in range(2):  # two pollers noting the same message at once: one inserts
        try:
            with session_scope(engine) as session:
                row = _row(session, key)
                if row is None:
                    row = MailFailure(message_key=key, first_at=now)
                row.tries += 1
                row.last_error, row.last_at = why, now
                session.add(row)
                return row.tries
        except IntegrityError:
            continue
    raise RuntimeError(f"could not note the failure of {key}")


def note_shunted(engine: Engine, message_key: str) -> None:
    """Record that the message was set aside."""
    with session_scope(engine) as session:
        _mark_shunted(session, message_key[:998])


def record_set_aside(
    engine: Engine,
    mail: IncomingMail,
    *,
    place: str,
    tries: int = MAX_TRIES,
    staff: Sequence[str] = (),
    reason: str | None = None,
) -> SubmissionEvent | None:
    """Show staff a message just set aside in ``place``: its ``error`` row and staff
    message (on the ``staff`` channels), and the failure marked shunted, in one transaction;
    a bare row when the full one cannot be written. Returns the staff's event, or None when
    no row could be written (or the message was recorded meanwhile)."""
    key = mail.message_key[:998]
    for bare in (False, True):
        try:
            with session_scope(engine) as session:
                _mark_shunted(session, key)
                found = select(Submission.id).where(Submission.message_key == key)
                if session.exec(found).first() is not None:
                    return None  # recorded meanwhile (another poller): its row tells
                row = _error_row(mail, key, place, tries, bare=bare)
                row.reason = reason or row.reason
                session.add(row)
                session.flush()
                event = row_event(row)
                notify_staff(session, event, staff)
                return event
        except Exception:  # noqa: BLE001 - recording this message failed before; go on
            log.warning("message %s set aside: its error row not written", key, exc_info=True)
    try:
        note_shunted(engine, key)
    except Exception:  # noqa: BLE001 - the failure row (tries) still lists it
        log.exception("message %s set aside: not noted", key)
    return None


def record_set_aside_file(
    engine: Engine, source: str, name: str, why: str, *, place: str, staff: Sequence[str] = ()
) -> SubmissionEvent | None:
    """Show staff a file of a Maildir set aside unopened (a link, a FIFO, no permission)."""
    shown = _shown(name, 100)
    mail = IncomingMail(message_key=f"{source}-file:{shown}", sender="", source=source)
    told = FILE_SET_ASIDE.format(name=shown, why=_shown(why, 100), place=place)
    return record_set_aside(engine, mail, place=place, staff=staff, reason=told)


def _error_row(mail: IncomingMail, key: str, place: str, tries: int, *, bare: bool) -> Submission:
    return Submission(
        message_key=key,
        message_id=None if bare or not mail.message_id else _shown(mail.message_id, 200),
        source=mail.source[:20],
        folder=place[:200],
        sender="" if bare else _shown(mail.sender, 200),
        subject="" if bare else _shown(mail.subject, 200),
        received_at=None if bare else mail.received_at,
        status=Status.ERROR.value,
        reason=SET_ASIDE.format(tries=tries, place=place),
        reply_due=False,
        no_reply=NOT_ANSWERED,
        processed_at=utcnow(),
    )


def _shown(text: str, limit: int) -> str:
    """Text from a message that could not be recorded, safe to store and show: printable
    characters only, anything key-shaped masked, cut short."""
    printable = "".join(c if c.isprintable() else "\ufffd" for c in text[: limit * 4])
    return redact(printable)[:limit]


def _mark_shunted(session: Session, key: str) -> None:
    row = _row(session, key)
    if row is not None:
        row.shunted_at = utcnow()
        session.add(row)


def unrecorded(engine: Engine) -> list[MailFailure]:
    """Messages set aside (or failed MAX_TRIES times: a crash may have come between the
    move and its note) that have no submission row: only their failure row tells."""
    recorded = exists().where(Submission.message_key == MailFailure.message_key)
    with Session(engine) as session:
        query = (
            select(MailFailure)
            .where(or_(col(MailFailure.shunted_at).is_not(None), MailFailure.tries >= MAX_TRIES))
            .where(~recorded)
            .order_by(col(MailFailure.first_at))
        )
        return list(session.exec(query).all())


def failures(engine: Engine) -> list[MailFailure]:
    """Every message that failed, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(MailFailure).order_by(MailFailure.first_at)).all())  # type: ignore[arg-type]


def _row(session: Session, key: str) -> MailFailure | None:
    return session.exec(select(MailFailure).where(MailFailure.message_key == key)).first()
