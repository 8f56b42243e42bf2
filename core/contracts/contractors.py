"""受注者 (contractors) and the chat users linked to them.

A chat user is ``(platform, user_id)``: the same id on two platforms is two users, so a
link made for one platform never lets the other in.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from hosho.core.errors import NotFound
from hosho.core.store.audit import record
from hosho.core.store.db import session_scope
from hosho.core.store.models import ChatLink, Contract, Contractor
from hosho.core.text import normalize_number


def find_contractor(session: Session, customer_id: str) -> Contractor | None:
    """The contractor with this お客様ID (normalised), or None."""
    return session.exec(
        select(Contractor).where(Contractor.customer_id == normalize_number(customer_id))
    ).first()


def contractor_of_user(session: Session, user_id: str, platform: str) -> Contractor | None:
    """The contractor a chat user is linked to, or None."""
    link = session.exec(
        select(ChatLink).where(ChatLink.platform == platform).where(ChatLink.user_id == user_id)
    ).first()
    return session.get(Contractor, link.contractor_id) if link else None


def owns_contract(session: Session, user_id: str, contract: Contract, platform: str) -> bool:
    """True when the chat user is linked to the contractor of this contract."""
    contractor = contractor_of_user(session, user_id, platform)
    return contractor is not None and contractor.id == contract.contractor_id


def link_user(
    engine: Engine, customer_id: str, user_id: str, *, by: str, platform: str
) -> Contractor:
    """Link a chat user to the contractor with this お客様ID (re-linking moves the user)."""
    user_id = user_id.strip()
    if not user_id:
        raise NotFound("no chat user given")
    with session_scope(engine) as session:
        contractor = find_contractor(session, customer_id)
        if contractor is None:
            record(
                session, actor=by, action="contractors.link", target=customer_id, result="unknown"
            )
            raise NotFound(f"no contractor with customer ID {normalize_number(customer_id)}")
        assert contractor.id is not None
        link = session.exec(
            select(ChatLink).where(ChatLink.platform == platform).where(ChatLink.user_id == user_id)
        ).first()
        if link is None:
            session.add(
                ChatLink(
                    contractor_id=contractor.id, platform=platform, user_id=user_id, linked_by=by
                )
            )
        else:
            link.contractor_id, link.linked_by = contractor.id, by
        record(
            session,
            actor=by,
            action="contractors.link",
            target=contractor.customer_id,
            result="ok",
            user=user_id,
            platform=platform,
        )
        return contractor


def unlink_user(engine: Engine, user_id: str, *, by: str, platform: str) -> bool:
    """Remove a chat user's link; False when there was none."""
    with session_scope(engine) as session:
        link = session.exec(
            select(ChatLink).where(ChatLink.platform == platform).where(ChatLink.user_id == user_id)
        ).first()
        if link is not None:
            session.delete(link)
        record(
            session,
            actor=by,
            action="contractors.unlink",
            target=user_id,
            result="ok" if link else "none",
            platform=platform,
        )
        return link is not None
