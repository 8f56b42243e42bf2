"""Each chat delivery is handled once: a platform's retried deliveries (the same key, made
by the front end, e.g. ``hosho.bot.slack.chat``) and several replicas behind one app all
meet at the ProcessedEvent table."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError

from hosho.core.store.db import session_scope
from hosho.core.store.models import ProcessedEvent, utcnow


def claim(engine: Engine, key: str) -> bool:
    """True for the first caller with this key (process it); False for every later one."""
    try:
        with session_scope(engine) as session:
            session.add(ProcessedEvent(event_key=key[:200]))
    except IntegrityError:
        return False
    return True


def forget_older_than(engine: Engine, age: timedelta, now: datetime | None = None) -> int:
    """Drop claims older than ``age`` (platforms stop retrying after minutes); returns count."""
    cutoff = (now or utcnow()) - age
    with session_scope(engine) as session:
        result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.at < cutoff))  # type: ignore[arg-type]
        return int(result.rowcount or 0)
