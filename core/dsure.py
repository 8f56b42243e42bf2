"""The D-Sure register (発注者用保証確認サービス, the orderer's certificate lookup).

hosho does not call the real D-Sure (日本電子認証株式会社; no public API): it *is* the
lookup town staff use. ``register`` records that a contract's 認証キー等のお知らせ reached the
town (once per contract); ``lookup`` shows the certificate to whoever gives both the
保証契約番号 and the 認証キー.

Lock-out (:func:`refusal_of`), failures counted within WINDOW: an actor with MAX_FAILURES
on one number is locked out of that number for LOCK; an actor with ACTOR_MAX_FAILURES on
any numbers (spraying) is locked out of every number for LOCK; a number is locked for
everyone only when LOCK_ACTORS distinct actors have failed on it MAX_FAILURES times in
all, so one actor cannot lock the rightful user out. A key-shaped value typed as the
number (arguments swapped) is never stored: the attempt and the audit entry say
``[認証キー省略]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hosho.core.contracts.authkey import keys_equal, redact
from hosho.core.contracts.ledger import contract_view, find_contract
from hosho.core.errors import LookupRefused
from hosho.core.rules.kinds import CERTIFICATE_TITLES
from hosho.core.store.audit import entry, record, record_entries
from hosho.core.store.db import session_scope
from hosho.core.store.models import (
    Contract,
    Contractor,
    DsureRegistration,
    LookupAttempt,
    NoticeRecord,
    utcnow,
)
from hosho.core.text import normalize_number

#: The one answer to every failed lookup: unknown number, wrong key or locked.
REFUSAL = "保証契約番号または認証キーが正しくないか、現在照会できません。"
MAX_FAILURES = 5
#: Failures one actor may have on all numbers together within WINDOW.
ACTOR_MAX_FAILURES = 20
#: Distinct failing actors it takes to lock a number for everyone.
LOCK_ACTORS = 3
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
_DUMMY_KEY = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"


def _recent_failures(
    session: Session, now: datetime, *, number: str | None = None, actor: str | None = None
) -> list[tuple[datetime, str]]:
    """(time, actor) of the failed attempts on ``number`` and/or by ``actor`` that can
    still lock, oldest first."""
    query = (
        select(LookupAttempt.at, LookupAttempt.actor)
        .where(LookupAttempt.success == False)  # noqa: E712 - SQL comparison
        .where(LookupAttempt.at >= now - WINDOW - LOCK)
        .order_by(LookupAttempt.at)  # type: ignore[arg-type]
    )
    if number is not None:
        query = query.where(LookupAttempt.contract_number == number)
    if actor is not None:
        query = query.where(LookupAttempt.actor == actor)
    return [(at, who) for at, who in session.exec(query).all()]


def locks(failures: list[tuple[datetime, str]], now: datetime, most: int, actors: int = 1) -> bool:
    """True when ``most`` failures (time, actor; oldest first) from at least ``actors``
    actors fell within WINDOW, the last of them less than LOCK ago."""
    for i in range(most - 1, len(failures)):
        window = failures[i - most + 1 : i + 1]
        if (
            window[-1][0] - window[0][0] <= WINDOW
            and window[-1][0] + LOCK > now
            and len({who for _, who in window}) >= actors
        ):
            return True
    return False


def refusal_of(session: Session, number: str, actor: str, now: datetime) -> str | None:
    """Why this actor may not look this number up now ("locked", "throttled"), or None."""
    on_number = _recent_failures(session, now, number=number)
    if locks(on_number, now, MAX_FAILURES, LOCK_ACTORS):
        return "locked"
    mine = [f for f in on_number if f[1] == actor]
    if locks(mine, now, MAX_FAILURES):
        return "locked"
    if locks(_recent_failures(session, now, actor=actor), now, ACTOR_MAX_FAILURES):
        return "throttled"
    return None


def certificate_view(session: Session, contract: Contract) -> dict[str, Any]:
    """What the orderer sees: the certificate's fields and its registration, no key."""
    contractor = session.get(Contractor, contract.contractor_id)
    assert contractor is not None
    registration = session.exec(
        select(DsureRegistration).where(DsureRegistration.contract_id == contract.id)
    ).first()
    view = contract_view(contract, contractor)
    view["title"] = CERTIFICATE_TITLES.get(contract.kind, "保証証書")
    view["electronic"] = True
    view["registered"] = registration is not None
    view["registered_at"] = registration.registered_at.isoformat() if registration else None
    return view


#: What a lookup of a number known only from a notice says about its source.
FROM_NOTICE_ALONE = (
    "この記録は、受注者から届いた「認証キー等のお知らせ」の記載のみに基づきます"
    "（保証会社の契約データとは照合していません）。"
)


def find_notice_record(session: Session, number: str) -> NoticeRecord | None:
    """The notice record of this 保証契約番号 (normalised), or None."""
    return session.exec(
        select(NoticeRecord).where(NoticeRecord.contract_number == normalize_number(number))
    ).first()


def notice_view(noted: NoticeRecord) -> dict[str, Any]:
    """What a lookup shows of a number known only from a notice (never the key)."""
    return {
        "title": CERTIFICATE_TITLES.get(noted.kind or "", "保証証書"),
        "contract_number": noted.contract_number,
        "kind": noted.kind,
        "orderer": noted.orderer,
        "project_name": noted.project_name,
        "electronic": True,
        "registered": True,
        "registered_at": noted.registered_at.isoformat(),
        "verified": False,
        "source": "notice",
        "note": FROM_NOTICE_ALONE,
    }


def lookup(
    engine: Engine, number: str, key: str, *, actor: str, now: datetime | None = None
) -> dict[str, Any]:
    """The certificate when number and key match; LookupRefused (always REFUSAL) otherwise.

    Every attempt is recorded (who, when, result, never the key); while the lock-out
    (:func:`refusal_of`) holds, even the right key is refused.
    """
    now = now or utcnow()
    actor = actor[:64]
    number = redact(normalize_number(number))[:64]  # never a key typed as the number
    with session_scope(engine) as session:
        refused = refusal_of(session, number, actor, now)
        contract = find_contract(session, number)
        # ledger mode: a number known only from the notice a contractor sent
        noted = find_notice_record(session, number) if contract is None else None
        known = contract or noted
        stored = known.auth_key if known is not None else _DUMMY_KEY
        matches = keys_equal(stored, key) and known is not None
        if refused is not None:
            record(session, actor=actor, action="dsure.lookup", target=number, result=refused)
            view = None
        else:
            session.add(LookupAttempt(contract_number=number, actor=actor, success=matches, at=now))
            result = "ok" if matches else "refused"
            record(session, actor=actor, action="dsure.lookup", target=number, result=result)
            view = certificate_view(session, contract) if matches and contract else None
            if matches and noted is not None:
                view = notice_view(noted)
    if view is None:
        raise LookupRefused(REFUSAL)
    return view


def registration_of(session: Session, contract: Contract) -> DsureRegistration | None:
    """The registration of this contract, if its notice has reached the town."""
    return session.exec(
        select(DsureRegistration).where(DsureRegistration.contract_id == contract.id)
    ).first()


def _registration(contract: Contract, submission_id: int | None, by: str) -> dict[str, Any]:
    """The values of the register's row for ``contract``."""
    assert contract.id is not None
    return {
        "contract_id": contract.id,
        "submission_id": submission_id,
        "registered_at": utcnow(),
        "registered_by": by[:64],
    }


def _audited(contract: Contract, by: str) -> dict[str, str]:
    """What the audit log says of a registration (who, which number; never the key)."""
    return {
        "actor": by,
        "action": "dsure.register",
        "target": contract.contract_number,
        "result": "ok",
    }


def register(
    session: Session, contract: Contract, *, submission_id: int | None, by: str
) -> tuple[DsureRegistration, bool]:
    """Record that the notice of ``contract`` reached the town; (row, False) if it already had.

    Safe under concurrency: the unique contract_id decides, inside a savepoint.
    """
    existing = registration_of(session, contract)
    if existing is not None:
        return existing, False
    row = DsureRegistration(**_registration(contract, submission_id, by))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = registration_of(session, contract)
        assert existing is not None
        return existing, False
    record(session, **_audited(contract, by))
    return row, True


def register_new(
    session: Session, notices: Sequence[tuple[Contract, int | None]], *, by: str
) -> None:
    """``register`` for many (contract, submission id) pairs at once, with one multi-row
    INSERT for the registrations and one for their audit entries.

    Only for a caller that holds the database's write lock and has read that none of these
    contracts is registered (a SQLite batch under BEGIN IMMEDIATE); should it be wrong, the
    unique contract_id fails the whole transaction.
    """
    if notices:
        rows = [_registration(contract, submission_id, by) for contract, submission_id in notices]
        session.execute(insert(DsureRegistration), rows)
        record_entries(session, [entry(**_audited(contract, by)) for contract, _ in notices])
