"""Contracts from the surety side: CSV import (all or nothing) and listing.

Columns (DESIGN.md): contract_number, kind, customer_id, contractor_name, contractor_email,
orderer, project_name, work_type, contract_date, contract_amount, guarantee_amount,
period_start, period_end, auth_key.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Engine, insert, update
from sqlmodel import Session, select

from hosho.core.contracts.authkey import generate_key, is_well_formed, normalize_key
from hosho.core.errors import HoshoError, ImportRejected
from hosho.core.rules.profile import KINDS, WORK_TYPES
from hosho.core.store.audit import record
from hosho.core.store.db import session_scope
from hosho.core.store.models import Contract, Contractor, utcnow
from hosho.core.text import nfkc, normalize_number

COLUMNS = (
    "contract_number",
    "kind",
    "customer_id",
    "contractor_name",
    "contractor_email",
    "orderer",
    "project_name",
    "work_type",
    "contract_date",
    "contract_amount",
    "guarantee_amount",
    "period_start",
    "period_end",
    "auth_key",
)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ContractRow:
    """One valid CSV row, normalised."""

    line: int
    contract_number: str
    kind: str
    customer_id: str
    contractor_name: str
    contractor_email: str
    orderer: str
    project_name: str
    work_type: str
    contract_date: date
    contract_amount: int
    guarantee_amount: int
    period_start: date
    period_end: date
    auth_key: str  # "" when the file left it empty


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    rows: int
    created: int
    updated: int
    contractors_created: int
    keys_generated: int


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or CP932 (Windows Japanese), detected."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as err:
        raise HoshoError(
            f"the CSV is neither UTF-8 nor CP932 (bad byte at offset {err.start})"
        ) from None


def _text(value: str) -> str:
    return " ".join(nfkc(value).split())


def _date(value: str) -> date:
    text = normalize_number(value)
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date YYYY-MM-DD: {value!r}") from None


def _amount(value: str) -> int:
    text = normalize_number(value).replace(",", "").removesuffix("円")
    if not text.isdigit():
        raise ValueError(f"not an amount in yen: {value!r}")
    return int(text)


@lru_cache(maxsize=4096)
def _email(value: str) -> str:
    # Cached: a contractor's address repeats on every one of its contracts.
    try:
        return validate_email(nfkc(value), check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise ValueError(f"not an e-mail address {value!r}: {err}") from None


def parse_row(line: int, raw: dict[str, str]) -> tuple[ContractRow | None, list[str]]:
    """Validate one row; returns the row or the list of what is wrong with it."""
    problems: list[str] = []
    values: dict[str, Any] = {"line": line}

    def field(name: str, convert: Callable[[str], Any], required: bool = True) -> None:
        value = (raw.get(name) or "").strip()
        if not value and required:
            problems.append(f"{name} is empty")
            return
        try:
            values[name] = convert(value)
        except ValueError as err:
            problems.append(f"{name}: {err}")

    def one_of(allowed: tuple[str, ...]) -> Callable[[str], str]:
        def check(value: str) -> str:
            text = _text(value)
            if text not in allowed:
                raise ValueError(f"unknown value {value!r} (one of {', '.join(allowed)})")
            return text

        return check

    def key(value: str) -> str:
        if not value:
            return ""
        if not is_well_formed(value):
            raise ValueError("must be 16 characters of 2-9 and A-Z without I, L, O")
        return normalize_key(value)

    field("contract_number", normalize_number)
    field("kind", one_of(KINDS))
    field("customer_id", normalize_number)
    field("contractor_name", _text)
    field("contractor_email", _email)
    field("orderer", _text)
    field("project_name", _text)
    field("work_type", one_of(WORK_TYPES))
    field("contract_date", _date)
    field("contract_amount", _amount)
    field("guarantee_amount", _amount)
    field("period_start", _date)
    field("period_end", _date)
    field("auth_key", key, required=False)
    if not problems and values["period_end"] < values["period_start"]:
        problems.append("period_end is before period_start")
    if problems:
        return None, problems
    return ContractRow(**values), []


def read_csv(data: bytes) -> list[ContractRow]:
    """Parse and validate a whole file; any bad row rejects it (ImportRejected)."""
    text = decode_csv(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [nfkc(h or "").strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportRejected([(1, f"missing column(s): {', '.join(missing)}")])
    reader.fieldnames = header
    rows: list[ContractRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if not any((v or "").strip() for k, v in raw.items() if k is not None):
            continue  # a blank line
        if None in raw:
            problems.append((line, "more fields than columns"))
            continue
        row, why = parse_row(line, raw)
        if row is None:
            problems.append((line, "; ".join(why)))
            continue
        if row.contract_number in seen:
            problems.append(
                (
                    line,
                    f"contract_number {row.contract_number} repeats line {seen[row.contract_number]}",
                )
            )
            continue
        seen[row.contract_number] = line
        rows.append(row)
    if problems:
        raise ImportRejected(problems)
    if not rows:
        raise ImportRejected([(1, "no data rows")])
    return rows


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
