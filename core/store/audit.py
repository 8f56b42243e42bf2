"""The audit log: who did what, when, with what result. Never an auth key."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from hosho.core.store.models import AuditLog


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
    if any("key" in name.lower() for name in detail):
        raise ValueError("audit detail must not carry keys")
    row = AuditLog(
        actor=actor[:64],
        action=action[:64],
        target=target[:200],
        result=result[:64],
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else "",
    )
    session.add(row)
    return row
