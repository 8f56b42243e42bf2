"""Ledger mode (台帳モード, HOSHO_REGISTER_UNKNOWN=true): a town without the surety company's
records registers a notice for a number never imported from what the notice itself says.

The decision (:func:`hosho.core.submissions.decision.decide_from_notice`) says
``registered`` with no contract; :func:`register_from_notices` then writes the
``NoticeRecord`` (number, 認証キー, kind, orderer, project name as printed) in the batch's
transaction and marks the submission ``verified=False``. The record is what ``hosho dsure
lookup`` shows for that number (:func:`hosho.core.dsure.notice_view`), saying it comes from
the notice alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hosho.core.contracts.authkey import keys_equal
from hosho.core.documents.reader import ParsedDocument
from hosho.core.dsure import find_notice_record
from hosho.core.store.audit import record
from hosho.core.store.models import NoticeRecord
from hosho.core.submissions.checks import Examined, IncomingMail, Outcome
from hosho.core.submissions.decision import Known
from hosho.core.submissions.statuses import Status
from hosho.core.text import normalize_number


def add_notice_record(
    session: Session, notice: ParsedDocument, *, submission_id: int | None, by: str
) -> NoticeRecord | None:
    """Write the record of this notice (audited, never with the key); None when the number
    has one already (another message got there first)."""
    assert notice.contract_number is not None and notice.auth_key is not None
    row = NoticeRecord(
        contract_number=normalize_number(notice.contract_number)[:64],
        auth_key=notice.auth_key[:32],
        kind=notice.kind and notice.kind[:20],
        orderer=notice.orderer and notice.orderer[:200],
        project_name=notice.project_name and notice.project_name[:400],
        submission_id=submission_id,
        registered_by=by[:64],
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    record(
        session,
        actor=by,
        action="dsure.register",
        target=row.contract_number,
        result="ok",
        verified=False,
    )
    return row


def register_from_notices(
    session: Session,
    known: Known,
    items: Sequence[tuple[IncomingMail, Examined]],
    outcomes: Sequence[Outcome],
    *,
    by: str,
) -> list[Outcome]:
    """For each new outcome decided ``registered`` without a contract (ledger mode): the
    notice record, or ``duplicate``/``key_mismatch`` when the number got one meanwhile (an
    earlier message of this batch, or another poller)."""
    done: list[Outcome] = []
    for (_, examined), outcome in zip(items, outcomes, strict=True):
        notice = examined.notice
        if not (outcome.created and outcome.registered and outcome.contract is None and notice):
            done.append(outcome)
            continue
        row = outcome.submission
        added = add_notice_record(session, notice, submission_id=row.id, by=by)
        if added is None:
            earlier = find_notice_record(session, notice.contract_number or "")
            same = earlier is not None and keys_equal(earlier.auth_key, notice.auth_key or "")
            status = Status.DUPLICATE if same else Status.KEY_MISMATCH
            row.status, row.reason = status.value, status.reason(number=row.contract_number)
            done.append(outcome)
            continue
        known.notices[added.contract_number] = added
        row.verified = False
        done.append(replace(outcome, notice_record=added))
    return done
