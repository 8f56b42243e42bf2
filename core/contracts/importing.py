"""Importing a contract CSV: every row created or updated in one transaction, or none.

A row's 保証契約番号 (contract number) says whether the contract is new or an update; its
お客様ID (customer ID) finds or creates the 受注者 (contractor). A new contract without an
認証キー (auth key) in the file gets a generated one; an update with an empty key cell
keeps the key the contract has. Reading and validating the file is ``csv_rows``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, update
from sqlmodel import Session, select

from hosho.core.contracts.authkey import generate_key
from hosho.core.contracts.csv_rows import ContractRow, read_csv
from hosho.core.store.audit import record
from hosho.core.store.db import session_scope
from hosho.core.store.models import Contract, Contractor, utcnow

#: ``progress(done, total)`` after each row.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    rows: int
    created: int
    updated: int
    contractors_created: int
    keys_generated: int


def import_contracts(
    engine: Engine, data: bytes, *, actor: str = "cli", progress: Progress | None = None
) -> ImportResult:
    """Import a contract CSV in one transaction: create or update, never duplicate."""
    rows = read_csv(data)
    contractors_created = keys_generated = 0
    now = utcnow()
    new_contracts: list[dict[str, Any]] = []
    changed_contracts: list[dict[str, Any]] = []
    with session_scope(engine) as session:
        contractors = _contractors_by_customer(session, {r.customer_id for r in rows})
        existing = _contracts_by_number(session, [r.contract_number for r in rows])
        for done, row in enumerate(rows, 1):
            person = contractors.get(row.customer_id)
            if person is None:
                person = Contractor(
                    customer_id=row.customer_id,
                    name=row.contractor_name,
                    email=row.contractor_email,
                )
                session.add(person)
                session.flush()
                contractors[row.customer_id] = person
                contractors_created += 1
            elif (person.name, person.email) != (row.contractor_name, row.contractor_email):
                person.name, person.email = row.contractor_name, row.contractor_email
                person.updated_at = now
            fields = _contract_fields(row, person)
            known = existing.get(row.contract_number)
            if known is None:
                keys_generated += not row.auth_key
                fields.update(
                    auth_key=row.auth_key or generate_key(), created_at=now, updated_at=now
                )
                new_contracts.append(fields)
            else:
                fields.update(id=known, updated_at=now)
                if row.auth_key:  # an empty cell keeps the key the contract has
                    fields["auth_key"] = row.auth_key
                changed_contracts.append(fields)
            if progress is not None:
                progress(done, len(rows))
        # Bulk statements: one INSERT and one UPDATE by primary key for the whole file.
        if new_contracts:
            session.execute(insert(Contract), new_contracts)
        if changed_contracts:
            session.execute(update(Contract), changed_contracts)
        record(
            session,
            actor=actor,
            action="contracts.import",
            result="ok",
            rows=len(rows),
            created=len(new_contracts),
            updated=len(changed_contracts),
        )
    return ImportResult(
        len(rows), len(new_contracts), len(changed_contracts), contractors_created, keys_generated
    )


def _contract_fields(row: ContractRow, person: Contractor) -> dict[str, Any]:
    assert person.id is not None
    return {
        "contract_number": row.contract_number,
        "kind": row.kind,
        "contractor_id": person.id,
        "orderer": row.orderer,
        "project_name": row.project_name,
        "work_type": row.work_type,
        "contract_date": row.contract_date,
        "contract_amount": row.contract_amount,
        "guarantee_amount": row.guarantee_amount,
        "period_start": row.period_start,
        "period_end": row.period_end,
    }


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _contractors_by_customer(session: Session, ids: set[str]) -> dict[str, Contractor]:
    found: dict[str, Contractor] = {}
    for chunk in _chunks(sorted(ids)):
        for person in session.exec(select(Contractor).where(Contractor.customer_id.in_(chunk))):  # type: ignore[attr-defined]
            found[person.customer_id] = person
    return found


def _contracts_by_number(session: Session, numbers: list[str]) -> dict[str, int]:
    """Primary keys of the contracts that already exist, by number."""
    found: dict[str, int] = {}
    for chunk in _chunks(numbers):
        query = select(Contract.contract_number, Contract.id).where(
            Contract.contract_number.in_(chunk)  # type: ignore[attr-defined]
        )
        for number, key in session.exec(query):
            assert key is not None
            found[number] = key
    return found
