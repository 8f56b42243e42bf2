"""Messages of a local Maildir that hosho looked at and left alone (status ``ignored``).

A shared inbox keeps its ordinary mail in ``new/`` and ``cur/`` (hosho never moves or
renames it), so the poller remembers the file names it looked at, by the name before the
Maildir flags (``1700000000.M1P2.host``, not ``…:2,S``: a mail program may mark it read),
and never reads those files again.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from hosho.core.store.db import session_scope
from hosho.core.store.models import LeftMessage


def left_names(engine: Engine, folder: str) -> set[str]:
    """The names looked at and left in ``folder`` (the Maildir's path)."""
    with session_scope(engine) as session:
        rows = session.exec(select(LeftMessage.name).where(LeftMessage.folder == folder[:400]))
        return set(rows.all())


def leave(engine: Engine, folder: str, names: Iterable[str]) -> None:
    """Remember ``names`` as looked at (names already remembered are skipped)."""
    wanted = sorted({n[:255] for n in names})
    if not wanted:
        return
    for _attempt in range(3):
        try:
            with session_scope(engine) as session:
                have = set(
                    session.exec(
                        select(LeftMessage.name)
                        .where(LeftMessage.folder == folder[:400])
                        .where(col(LeftMessage.name).in_(wanted))
                    ).all()
                )
                session.add_all(
                    LeftMessage(folder=folder[:400], name=n) for n in wanted if n not in have
                )
            return
        except IntegrityError:  # another poller remembered some of them meanwhile
            continue
