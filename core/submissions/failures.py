"""Messages that could not be recorded: one bad message never stops intake.

When recording a message fails for a reason of its own (not the database or the server
going away), the poller notes the failure here, by the message's key, and goes on with
the rest; the message stays in the inbox and is tried again on the next pass. After
MAX_TRIES failed passes it is set aside (the inbox's ``hosho/error`` folder), like the
shunt queue of Mailman: ``MailFailure.shunted_at`` says when, ``last_error`` why (status
``error`` for the staff who look).
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hosho.core.contracts.authkey import redact
from hosho.core.store.db import session_scope
from hosho.core.store.models import MailFailure, utcnow

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
        row = _row(session, message_key[:998])
        if row is not None:
            row.shunted_at = utcnow()


def failures(engine: Engine) -> list[MailFailure]:
    """Every message that failed, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(MailFailure).order_by(MailFailure.first_at)).all())  # type: ignore[arg-type]


def _row(session: Session, key: str) -> MailFailure | None:
    return session.exec(select(MailFailure).where(MailFailure.message_key == key)).first()
