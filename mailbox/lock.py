"""One poller at a time moves messages out of an inbox folder.

Two pollers moving the same message at once can make an IMAP server copy it twice (a MOVE
is a copy and an expunge), so the poller moves messages under :func:`inbox_lock`, a lock
held in the shared database.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from hosho.core.store.db import session_scope


@contextmanager
def inbox_lock(engine: Engine, name: str) -> Iterator[None]:
    """Hold a database lock named ``name`` (e.g. an inbox folder) for the ``with`` body.

    PostgreSQL: a transaction advisory lock; SQLite: the write lock (BEGIN IMMEDIATE).
    """
    with session_scope(engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(name.encode("utf-8")) - 2**31
            session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))  # type: ignore[call-overload]
        else:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        yield
