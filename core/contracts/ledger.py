"""The 契約台帳 (contract ledger): finding a contract by number, and the contract views
of listings and JSON (which leave the 認証キー, auth key, out)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from hosho.core.store.models import Contract, Contractor
from hosho.core.text import normalize_number


def find_contract(session: Session, number: str) -> Contract | None:
    """The contract with this 保証契約番号 (normalised), or None."""
    return session.exec(
        select(Contract).where(Contract.contract_number == normalize_number(number))
    ).first()


def contract_view(contract: Contract, contractor: Contractor) -> dict[str, Any]:
    """A contract as data, without its auth key (for listings and JSON)."""
    return {
        "contract_number": contract.contract_number,
        "kind": contract.kind,
        "customer_id": contractor.customer_id,
        "contractor_name": contractor.name,
        "contractor_email": contractor.email,
        "orderer": contract.orderer,
        "project_name": contract.project_name,
        "work_type": contract.work_type,
        "contract_date": contract.contract_date.isoformat(),
        "contract_amount": contract.contract_amount,
        "guarantee_amount": contract.guarantee_amount,
        "period_start": contract.period_start.isoformat(),
        "period_end": contract.period_end.isoformat(),
    }


def list_contracts(engine: Engine) -> list[dict[str, Any]]:
    """Every contract with its contractor, ordered by number; auth keys left out."""
    with Session(engine) as session:
        rows = session.exec(
            select(Contract, Contractor)
            .where(Contract.contractor_id == Contractor.id)
            .order_by(Contract.contract_number)  # type: ignore[arg-type]
        ).all()
        return [contract_view(c, p) for c, p in rows]
