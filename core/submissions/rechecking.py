"""Deciding a recorded submission (提出) again: ``submissions retry``, ``submissions accept``
and the notices waiting for their contract (:mod:`hosho.core.submissions.waiting`).

The kept files (:mod:`hosho.core.submissions.kept_files`) are read again and go through the
same checks and decision as a new mail (``examine``, ``decide``). A submission that ends in
another status gets a fresh owed reply (the sender hears 受付 once it is registered) and the
staff a fresh message; one that ends where it was is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlmodel import Session, select

from hosho.core.dsure import register
from hosho.core.rules.profile import Profile
from hosho.core.store.audit import record
from hosho.core.store.models import Submission, utcnow
from hosho.core.submissions.checks import (
    Examined,
    IncomingMail,
    Outcome,
    PdfParser,
    examine_safely,
)
from hosho.core.submissions.decision import Known, decide_safely
from hosho.core.submissions.kept_files import attachments_of
from hosho.core.submissions.notice_records import add_notice_record
from hosho.core.submissions.outbox import notify_outcomes
from hosho.core.submissions.statuses import Status


@dataclass(frozen=True)
class Recheck:
    """How to decide again: the town's rules, who acts (audit, register), ledger mode, and
    the channels staff are told on (the outbox)."""

    profile: Profile
    by: str
    register_unknown: bool = False
    staff: tuple[str, ...] = ()


def locked_row(session: Session, ident: int) -> Submission | None:
    """The submission, locked until the transaction ends (PostgreSQL: FOR UPDATE, so two
    pollers or a poller and a person never decide it at once; SQLite's writers are
    serialised anyway)."""
    query = select(Submission).where(Submission.id == ident).with_for_update()
    return session.exec(query).first()


def mail_of(session: Session | None, row: Submission) -> IncomingMail:
    """The checks' view of a recorded message, with its kept files as attachments when a
    ``session`` is given. Its recipients are the town's addresses it was sent to, as kept
    in ``sent_to`` (no one else's address is kept), so the address rule (one address per
    kind of guarantee) is checked again as for the first decision. A row recorded before
    migration 0007 has ``sent_to`` "": the address rule is skipped for it, as before."""
    assert row.id is not None
    return IncomingMail(
        message_key=row.message_key,
        sender=row.sender,
        subject=row.subject,
        message_id=row.message_id,
        received_at=row.received_at,
        attachments=attachments_of(session, row.id) if session is not None else [],
        source=row.source,
        folder=row.folder,
        uidvalidity=row.uidvalidity,
        uid=row.uid,
        recipients=[a for a in row.sent_to.split(",") if a],
    )


def examine_again(mail: IncomingMail, parse: PdfParser) -> Examined:
    """The no-database checks of a recorded message (``mail_of``) on its kept files; call
    it outside a transaction: it parses PDFs. It was claimed as a submission when it came
    (its text is not kept): the claim rule is not applied again."""
    return examine_safely(mail, parse, claimed=True)


def decide_again(
    session: Session,
    row: Submission,
    examined: Examined,
    how: Recheck,
    *,
    decided_by: str | None = None,
) -> Outcome:
    """Decide ``row`` again on ``examined`` (in the caller's transaction) and record what
    changed: status, reason, registration (D-Sure or, in ledger mode, the notice record),
    an owed reply and the audit entry. ``decided_by`` marks a person's decision."""
    assert row.id is not None
    mail = mail_of(None, row)
    known = Known.load(session, [(mail, examined)], register_unknown=how.register_unknown)
    status, why, contract = decide_safely(known, examined, mail, how.profile)
    outcome = Outcome(row, True, examined.sender_ok, contract, known.contractor_of(contract))
    if status == Status.REGISTERED and contract is not None:
        _, created = register(session, contract, submission_id=row.id, by=how.by)
        if not created:
            status, why = Status.DUPLICATE, Status.DUPLICATE.reason(number=row.contract_number)
    elif status == Status.REGISTERED and examined.notice is not None:  # ledger mode
        added = add_notice_record(session, examined.notice, submission_id=row.id, by=how.by)
        if added is None:
            status, why = Status.DUPLICATE, Status.DUPLICATE.reason(number=row.contract_number)
        else:
            row.verified = False
            outcome = replace(outcome, notice_record=added)
    if status.value == row.status and decided_by is None:
        return replace(outcome, created=False)  # nothing new to tell anyone
    before, told = row.status, row.reason
    number = examined.notice.contract_number if examined.notice else row.contract_number
    row.status, row.reason = status.value, why
    row.contract_number = number[:64] if number else None
    row.document = examined.document or row.document
    row.decided_by = decided_by[:64] if decided_by else None
    owe_reply(row, again=why != told)  # the same sentence is not sent twice
    record(
        session,
        actor=how.by,
        action="submissions.decide_again",
        target=f"#{row.id}",
        result=row.status,
        before=before,
    )
    session.add(row)
    notify_outcomes(session, [outcome], how.staff)
    return outcome


def owe_reply(row: Submission, *, again: bool = True) -> None:
    """The sender is owed a fresh reply on the row's new status (when any reply is due at
    all and ``again``): a new Message-ID, and the poller's retry window starts now."""
    row.processed_at = utcnow()
    if row.reply_due and again:
        row.replied = False
        row.reply_message_id = None
        row.reply_lease_until = None
