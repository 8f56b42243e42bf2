"""Notices waiting for their contract (待機中の提出).

A notice whose 保証契約番号 is not imported yet is recorded ``unknown_contract`` and waits:
when the contract arrives (``contracts import``, and every poll pass after it) it is decided
again on its kept file and registered; the sender never resends and gets the 受付 reply
then. In ledger mode (HOSHO_REGISTER_UNKNOWN) every waiting notice is registered from the
notice itself. A decision a person made is never taken back.

A notice registered from the notice alone (ledger mode) whose contract is imported later
is verified then (:func:`verify_notice_records`): when the contract's key is the notice's,
the contract is registered for that submission and the submission becomes ``verified``.
"""

from __future__ import annotations

from sqlalchemy import Engine, exists
from sqlmodel import col, select

from hosho.core.contracts.authkey import keys_equal
from hosho.core.dsure import register
from hosho.core.store.audit import record
from hosho.core.store.db import session_scope
from hosho.core.store.models import (
    Contract,
    DsureRegistration,
    NoticeRecord,
    ReceivedFile,
    Submission,
)
from hosho.core.submissions.checks import Outcome, PdfParser
from hosho.core.submissions.rechecking import (
    Recheck,
    decide_again,
    examine_again,
    locked_row,
    mail_of,
)
from hosho.core.submissions.statuses import Status

#: Waiting notices decided again per call (the rest wait for the next one).
BATCH = 200


def waiting_ids(engine: Engine, *, register_unknown: bool = False) -> list[int]:
    """The submissions that wait for a contract now imported (in ledger mode: all that
    wait), whose file is still kept, oldest first."""
    kept = exists().where(
        (col(ReceivedFile.submission_id) == Submission.id) & col(ReceivedFile.data).is_not(None)
    )
    query = (
        select(Submission.id)
        .where(Submission.status == Status.UNKNOWN_CONTRACT.value)
        .where(col(Submission.decided_by).is_(None))
        .where(kept)
        .order_by(col(Submission.id))
        .limit(BATCH)
    )
    if not register_unknown:
        imported = exists().where(Contract.contract_number == Submission.contract_number)
        query = query.where(imported)
    with session_scope(engine) as session:
        return [i for i in session.exec(query).all() if i is not None]


def verify_notice_records(engine: Engine, how: Recheck) -> int:
    """Register the contracts now imported for numbers known from a notice alone, when the
    keys agree, and mark their submissions verified; returns how many. (When they do not,
    nothing changes: the contract's own key is the one the lookup takes.)"""
    unregistered = ~exists().where(DsureRegistration.contract_id == Contract.id)
    query = (
        select(NoticeRecord, Contract)
        .where(NoticeRecord.contract_number == Contract.contract_number)
        .where(NoticeRecord.auth_key == Contract.auth_key)  # both XXXX-XXXX-XXXX-XXXX
        .where(unregistered)
        .limit(BATCH)
    )
    done = 0
    with session_scope(engine) as session:
        for noted, contract in session.exec(query).all():
            if not keys_equal(contract.auth_key, noted.auth_key):
                continue
            _, created = register(session, contract, submission_id=noted.submission_id, by=how.by)
            row = session.get(Submission, noted.submission_id) if noted.submission_id else None
            if created and row is not None:
                row.verified = True
                session.add(row)
                record(
                    session,
                    actor=how.by,
                    action="submissions.verify",
                    target=f"#{row.id}",
                    result="ok",
                )
            done += created
    return done


def register_waiting(engine: Engine, how: Recheck, parse: PdfParser) -> list[Outcome]:
    """Decide again every notice waiting for a contract that has arrived; returns the
    outcomes whose status changed (each owes its sender a reply). The kept PDFs are read
    outside the transaction that records the new decisions. Notices registered from the
    notice alone are verified against their contract if it arrived."""
    verify_notice_records(engine, how)
    ids = waiting_ids(engine, register_unknown=how.register_unknown)
    if not ids:
        return []
    with session_scope(engine) as session:
        query = select(Submission).where(col(Submission.id).in_(ids))
        mails = {row.id: mail_of(session, row) for row in session.exec(query)}
    examined = {i: examine_again(mail, parse) for i, mail in mails.items()}
    changed: list[Outcome] = []
    with session_scope(engine) as session:
        for i in examined:
            row = locked_row(session, i)
            if row is None or row.status != Status.UNKNOWN_CONTRACT.value or row.decided_by:
                continue  # decided meanwhile (another poller, a person)
            outcome = decide_again(session, row, examined[i], how)
            if outcome.created:
                changed.append(outcome)
    return changed
