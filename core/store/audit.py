"""The audit log: who did what, when, with what result. Never an auth key."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from hosho.core.store.models import AuditLog, utcnow


def entry(
    *, actor: str, action: str, target: str = "", result: str = "", **detail: Any
) -> dict[str, Any]:
    """The values of one audit row (cut to the columns' lengths, ``detail`` as JSON).
    ``detail`` must not hold secrets: a name containing "key" is refused."""
    if any("key" in name.lower() for name in detail):
        raise ValueError("audit detail must not carry keys")
    return {
        "at": utcnow(),
        "actor": actor[:64],
        "action": action[:64],
        "target": target[:200],
        "result": result[:64],
        "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else "",
    }


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str = "",
    result: str = "",
    **detail: Any,
) -> AuditLog:
    """Add one audit row in the caller's transaction. ``detail`` must not hold secrets."""
    row = AuditLog(**entry(actor=actor, action=action, target=target, result=result, **detail))
    session.add(row)
    return row


def record_entries(session: Session, entries: Sequence[dict[str, Any]]) -> None:
    """Write rows made by :func:`entry` with one multi-row INSERT (a batch of many)."""
    if entries:
        session.execute(insert(AuditLog), list(entries))
