"""Recording submissions (提出) in the database, exactly once.

:func:`record_batch` writes examined messages in ONE transaction: for each, the decision
that needs the database (a known 保証契約番号, the matching 認証キー, the town's
eligibility and subject rules, not already registered in the D-Sure register), one
``Submission`` row and, for a good notice, the D-Sure registration. Unique constraints on
``message_key`` and (folder, UIDVALIDITY, UID) make a message recorded before come back
with ``created=False``. The checks without a database are in :mod:`hosho.core.submissions.checks`.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, insert, or_, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, select

from hosho.core.contracts.authkey import keys_equal
from hosho.core.dsure import register
from hosho.core.rules.eligibility import contract_reason
from hosho.core.rules.profile import Profile
from hosho.core.store.db import session_scope
from hosho.core.store.models import (
    AuditLog,
    Contract,
    Contractor,
    DsureRegistration,
    Submission,
    utcnow,
)
from hosho.core.submissions.checks import (
    Examined,
    IncomingMail,
    Outcome,
    PdfParser,
    examine_safely,
    reply_due,
)
from hosho.core.submissions.statuses import ACCEPTED, reason
from hosho.core.text import normalize_number

log = logging.getLogger(__name__)


def find_existing(session: Session, mail: IncomingMail) -> Submission | None:
    """The row already recorded for this message (same key, or same place in the inbox)."""
    where = [col(Submission.message_key) == mail.message_key]
    if mail.uid is not None and mail.uidvalidity is not None:
        where.append(
            (col(Submission.folder) == mail.folder)
            & (col(Submission.uidvalidity) == mail.uidvalidity)
            & (col(Submission.uid) == mail.uid)
        )
    return session.exec(select(Submission).where(or_(*where))).first()


def _decide(
    known: _Known, examined: Examined, mail: IncomingMail, profile: Profile
) -> tuple[str, str, Contract | None]:
    """Status, reason and contract for a message whose notice was read."""
    notice = examined.notice
    assert notice is not None and notice.contract_number is not None
    number = notice.contract_number
    contact = profile.contact
    contract = known.contracts.get(normalize_number(number))
    if contract is None:
        return "unknown_contract", reason("unknown_contract", number=number, contact=contact), None
    if not notice.auth_key or not keys_equal(contract.auth_key, notice.auth_key):
        return "key_mismatch", reason("key_mismatch", number=number), contract
    why = contract_reason(contract, profile)
    if why:
        return "not_covered", reason("not_covered", detail=why, contact=contact), contract
    if profile.subject_rule is not None:
        wrong = profile.subject_rule.check(mail.subject, contract.project_name)
        if wrong:
            return "wrong_document", reason("subject", detail=wrong), contract
    wanted = profile.address_for(contract.kind).lower()
    town = {a.lower() for a in profile.all_addresses}
    sent_to = {a.lower() for a in mail.recipients}
    if sent_to & town and wanted not in sent_to:  # e.g. 契約保証 to the 前払金 section
        detail = reason("wrong_address", kind=contract.kind, address=wanted)
        return "wrong_document", detail, contract
    if contract.id in known.registered:
        return "duplicate", reason("duplicate", number=number), contract
    return "registered", ACCEPTED.format(number=number), contract


def _row(
    mail: IncomingMail, examined: Examined, status: str, why: str, profile: Profile
) -> Submission:
    number = examined.notice.contract_number if examined.notice else None
    return Submission(
        message_key=mail.message_key[:998],
        message_id=(mail.message_id or None) and mail.message_id[:998],
        source=mail.source[:20],
        folder=mail.folder[:200],
        uidvalidity=mail.uidvalidity,
        uid=mail.uid,
        sender=mail.sender[:998],
        subject=mail.subject[:2000],
        received_at=mail.received_at,
        contract_number=number[:64] if number else None,
        document=examined.document,
        status=status,
        reason=why,
        reply_due=reply_due(mail, examined, profile),
        processed_at=utcnow(),
    )


def process(
    engine: Engine,
    mail: IncomingMail,
    profile: Profile,
    parse: PdfParser,
    *,
    by: str = "mail",
) -> Outcome:
    """Check one message and record it: exactly one Submission row, in one transaction.

    A message already recorded (same message_key, or same folder/UIDVALIDITY/UID) returns
    its row with ``created=False``; so does losing a race against another poller. An
    unexpected failure of the checks is recorded as status ``error``; a database failure
    propagates (nothing was committed, the message stays to be taken again).
    """
    return record_batch(engine, [(mail, examine_safely(mail, parse))], profile, by=by)[0]


def record_batch(
    engine: Engine,
    items: Sequence[tuple[IncomingMail, Examined]],
    profile: Profile,
    *,
    by: str = "mail",
) -> list[Outcome]:
    """Record examined messages in ONE transaction (all of them or none), each message with
    its row and registration; a message already recorded comes back with created=False."""
    with session_scope(engine) as session:
        known = _Known.load(session, items)
        if session.get_bind().dialect.name == "postgresql":
            return [_record(session, known, mail, ex, profile, by) for mail, ex in items]
        return _record_serialised(session, known, items, profile, by)


@dataclass
class _Known:
    """What the database holds for one batch, read in a few queries instead of per message
    (inside the batch's transaction: on SQLite nobody else writes meanwhile; on PostgreSQL
    the unique constraints still decide)."""

    by_key: dict[str, Submission]
    by_place: dict[tuple[str, int, int], Submission]
    contracts: dict[str, Contract]
    registered: set[int]
    contractors: dict[int, Contractor]

    @classmethod
    def load(cls, session: Session, items: Sequence[tuple[IncomingMail, Examined]]) -> _Known:
        keys = [m.message_key[:998] for m, _ in items]
        rows = list(session.exec(select(Submission).where(col(Submission.message_key).in_(keys))))
        places = [(m.folder[:200], m.uidvalidity, m.uid) for m, _ in items if m.uid is not None]
        for folder, uidvalidity in {(f, v) for f, v, _ in places}:
            uids = [u for f, v, u in places if (f, v) == (folder, uidvalidity)]
            rows += session.exec(
                select(Submission)
                .where(Submission.folder == folder)
                .where(Submission.uidvalidity == uidvalidity)
                .where(col(Submission.uid).in_(uids))
            ).all()
        numbers = {
            normalize_number(ex.notice.contract_number)
            for _, ex in items
            if ex.notice is not None and ex.notice.contract_number
        }
        contracts = {
            c.contract_number: c
            for c in session.exec(
                select(Contract).where(col(Contract.contract_number).in_(numbers))
            )
        }
        ids = [c.id for c in contracts.values()]
        registered = {
            r.contract_id
            for r in session.exec(
                select(DsureRegistration).where(col(DsureRegistration.contract_id).in_(ids))
            )
        }
        people = {c.contractor_id for c in contracts.values()}
        contractors: dict[int, Contractor] = {
            p.id: p
            for p in session.exec(select(Contractor).where(col(Contractor.id).in_(people)))
            if p.id is not None
        }
        known = cls({}, {}, contracts, registered, contractors)
        for row in rows:
            known.remember(row)
        return known

    def remember(self, row: Submission) -> None:
        self.by_key[row.message_key] = row
        if row.uid is not None and row.uidvalidity is not None:
            self.by_place[(row.folder, row.uidvalidity, row.uid)] = row

    def existing(self, mail: IncomingMail) -> Submission | None:
        found = self.by_key.get(mail.message_key[:998])
        if found is None and mail.uid is not None and mail.uidvalidity is not None:
            found = self.by_place.get((mail.folder[:200], mail.uidvalidity, mail.uid))
        return found


def _record(
    session: Session,
    known: _Known,
    mail: IncomingMail,
    examined: Examined,
    profile: Profile,
    by: str,
) -> Outcome:
    """One message, with a savepoint: another poller may insert the same key meanwhile."""
    existing = known.existing(mail)
    if existing is not None:
        return Outcome(existing, False, examined.sender_ok)
    status, why, contract = _decide_safely(known, examined, mail, profile)
    row = _row(mail, examined, status, why, profile)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # it recorded the message first
        existing = find_existing(session, mail)
        assert existing is not None
        return Outcome(existing, False, examined.sender_ok)
    known.remember(row)
    if status == "registered" and contract is not None:
        assert contract.id is not None
        _, created = register(session, contract, submission_id=row.id, by=by)
        known.registered.add(contract.id)
        if not created:  # another poller registered this contract meanwhile
            row.status = "duplicate"
            row.reason = reason("duplicate", number=contract.contract_number)
    contractor = known.contractors.get(contract.contractor_id) if contract else None
    return Outcome(row, True, examined.sender_ok, contract, contractor)


def _decide_safely(
    known: _Known, examined: Examined, mail: IncomingMail, profile: Profile
) -> tuple[str, str, Contract | None]:
    contract: Contract | None = None
    try:
        if examined.status is None:
            status, why, contract = _decide(known, examined, mail, profile)
        else:
            status, why = examined.status, examined.reason
    except SQLAlchemyError:
        raise
    except Exception:  # noqa: BLE001 - a bug must not lose the message
        log.exception("deciding message %s failed", mail.message_key)
        status, why = "error", ""
    if status == "error":
        why = reason("error", contact=profile.contact)
    return status, why, contract


def _record_serialised(
    session: Session,
    known: _Known,
    items: Sequence[tuple[IncomingMail, Examined]],
    profile: Profile,
    by: str,
) -> list[Outcome]:
    """SQLite: BEGIN IMMEDIATE serialises writers, so what ``known`` read is final and the
    rows, registrations and audit entries go in with three multi-row INSERTs (the unique
    constraints still guard: a violation rolls the whole batch back)."""
    outcomes: list[Outcome] = []
    new: list[tuple[Submission, Contract | None]] = []
    for mail, examined in items:
        existing = known.existing(mail)
        if existing is not None:
            outcomes.append(Outcome(existing, False, examined.sender_ok))
            continue
        status, why, contract = _decide_safely(known, examined, mail, profile)
        row = _row(mail, examined, status, why, profile)
        known.remember(row)
        if status == "registered" and contract is not None and contract.id is not None:
            known.registered.add(contract.id)  # a second notice in this batch: duplicate
        new.append((row, contract if status == "registered" else None))
        contractor = known.contractors.get(contract.contractor_id) if contract else None
        outcomes.append(Outcome(row, True, examined.sender_ok, contract, contractor))
    if not new:
        return outcomes
    columns = [c.name for c in Submission.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
    values = [{name: getattr(row, name) for name in columns} for row, _ in new]
    ids = session.execute(
        insert(Submission).returning(Submission.id, sort_by_parameter_order=True),  # type: ignore[arg-type]
        values,
    ).scalars()
    for (row, _), new_id in zip(new, ids, strict=True):
        row.id = new_id
    now = utcnow()
    registered = [(row, c) for row, c in new if c is not None]
    if registered:
        session.execute(
            insert(DsureRegistration),
            [
                {
                    "contract_id": c.id,
                    "submission_id": row.id,
                    "registered_at": now,
                    "registered_by": by,
                }
                for row, c in registered
            ],
        )
        session.execute(
            insert(AuditLog),
            [
                {
                    "at": now,
                    "actor": by[:64],
                    "action": "dsure.register",
                    "target": c.contract_number[:200],
                    "result": "ok",
                    "detail": "",
                }
                for _, c in registered
            ],
        )
    return outcomes


def recorded_locations(
    engine: Engine, folder: str, uidvalidity: int, uids: Sequence[int]
) -> dict[int, str]:
    """UID → status of the messages of this folder already recorded (in chunks)."""
    found: dict[int, str] = {}
    with session_scope(engine) as session:
        for start in range(0, len(uids), 500):
            chunk = list(uids[start : start + 500])
            rows = session.exec(
                select(Submission.uid, Submission.status)
                .where(Submission.folder == folder)
                .where(Submission.uidvalidity == uidvalidity)
                .where(col(Submission.uid).in_(chunk))
            ).all()
            found.update({int(uid): status for uid, status in rows if uid is not None})
    return found


def list_submissions(engine: Engine, status: str | None = None) -> list[dict[str, Any]]:
    """Submissions, oldest first, as DESIGN.md's JSON fields."""
    with session_scope(engine) as session:
        query = select(Submission).order_by(col(Submission.id))
        if status:
            query = query.where(Submission.status == status)
        rows = session.exec(query).all()
        return [
            {
                "message_id": row.message_id,
                "sender": row.sender,
                "subject": row.subject,
                "received_at": row.received_at.isoformat() if row.received_at else None,
                "contract_number": row.contract_number,
                "status": row.status,
                "reason": row.reason,
            }
            for row in rows
        ]


@contextmanager
def inbox_lock(engine: Engine, name: str) -> Iterator[None]:
    """Hold a database lock named ``name`` (e.g. an inbox folder) for the ``with`` body.

    Two pollers moving the same message at once can make an IMAP server copy it twice
    (a MOVE is a copy and an expunge), so moves are done under this lock, one poller at
    a time. PostgreSQL: a transaction advisory lock; SQLite: the write lock
    (BEGIN IMMEDIATE).
    """
    with session_scope(engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(name.encode("utf-8")) - 2**31
            session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))  # type: ignore[call-overload]
        else:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        yield


def claim_reply(engine: Engine, submission_id: int) -> bool:
    """Take the duty to answer this submission's sender (True for exactly one caller).

    The UPDATE marks it replied before sending, so two pollers (or a retry racing the first
    try) never both send; ``release_reply`` hands it back when sending failed.
    """
    with session_scope(engine) as session:
        claimed = session.execute(
            update(Submission)
            .where(Submission.id == submission_id)  # type: ignore[arg-type]
            .where(Submission.reply_due == True)  # type: ignore[arg-type]  # noqa: E712
            .where(Submission.replied == False)  # type: ignore[arg-type]  # noqa: E712
            .values(replied=True)
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]


def release_reply(engine: Engine, submission_id: int) -> None:
    """Sending failed: the reply is owed again (the next poll pass retries it)."""
    with session_scope(engine) as session:
        session.execute(
            update(Submission)
            .where(Submission.id == submission_id)  # type: ignore[arg-type]
            .values(replied=False)
        )


def owed_replies(
    engine: Engine, *, older_than: timedelta, within: timedelta, limit: int = 50
) -> list[Submission]:
    """Submissions whose reply is still owed: recorded more than ``older_than`` ago (the
    first try had its chance) and less than ``within`` ago (old mail is not answered late)."""
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        return list(
            session.exec(
                select(Submission)
                .where(Submission.reply_due == True)  # noqa: E712
                .where(Submission.replied == False)  # noqa: E712
                .where(Submission.processed_at <= now - older_than)
                .where(Submission.processed_at >= now - within)
                .order_by(Submission.id)  # type: ignore[arg-type]
                .limit(limit)
            ).all()
        )
