"""Deciding a submission (提出) against the database: the 保証契約番号 must be known, the
認証キー must match, the contract must be covered by the town's rules, the subject must
follow the town's subject rule, the mail must have gone to the address for the contract's
kind of guarantee, and the contract must not be registered in the D-Sure register yet.

What the database holds for a batch of messages is read once (:class:`Known`), inside the
batch's transaction, instead of per message.

Ledger mode (HOSHO_REGISTER_UNKNOWN, ``Known.register_unknown``): a number never imported is
registered from what the notice itself prints (:func:`decide_from_notice`), its eligibility
judged on the notice's kind and orderer; a key read by OCR then waits for a person.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, func, select

from hosho.core.contracts.authkey import keys_equal
from hosho.core.documents.ocr import same_key_folded
from hosho.core.documents.reader import ParsedDocument
from hosho.core.rules.eligibility import contract_reason, kind_reason, orderer_reason
from hosho.core.rules.profile import Profile
from hosho.core.store.models import (
    Contract,
    Contractor,
    DsureRegistration,
    NoticeRecord,
    Submission,
)
from hosho.core.submissions.checks import Examined, IncomingMail
from hosho.core.submissions.statuses import Status
from hosho.core.text import normalize_number

log = logging.getLogger(__name__)

#: A decision: the status, the reason the sender is told, the contract it is about.
Decision = tuple[Status, str, Contract | None]


@dataclass
class Known:
    """What the database holds for one batch, read in a few queries (inside the batch's
    transaction: on SQLite nobody else writes meanwhile; on PostgreSQL the unique
    constraints still decide)."""

    by_key: dict[str, Submission]
    by_place: dict[tuple[str, int, int], Submission]
    contracts: dict[str, Contract]
    registered: set[int]
    contractors: dict[int, Contractor]
    #: Ledger mode: numbers already registered from a notice alone.
    notices: dict[str, NoticeRecord]
    #: Ledger mode (HOSHO_REGISTER_UNKNOWN): a number never imported is decided on the notice.
    register_unknown: bool = False

    @classmethod
    def load(
        cls,
        session: Session,
        items: Sequence[tuple[IncomingMail, Examined]],
        *,
        register_unknown: bool = False,
    ) -> Known:
        """Read the rows already recorded for these messages and the contracts they name."""
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
        # A number printed without its hyphens or with spaces for them ("202409 00123"
        # reads as 20240900123): the contract whose number is the same digits.
        bare = {n for n in numbers if n not in contracts and "-" not in n}
        if bare:
            plain = func.replace(col(Contract.contract_number), "-", "")
            for c in session.exec(select(Contract).where(plain.in_(bare))):
                contracts[c.contract_number.replace("-", "")] = c
        ids = list({c.id for c in contracts.values()})
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
        notices = {
            n.contract_number: n
            for n in session.exec(
                select(NoticeRecord).where(col(NoticeRecord.contract_number).in_(numbers))
            )
        }
        known = cls({}, {}, contracts, registered, contractors, notices, register_unknown)
        for row in rows:
            known.remember(row)
        return known

    def remember(self, row: Submission) -> None:
        """Count ``row`` as recorded (a later message of the batch may repeat it)."""
        self.by_key[row.message_key] = row
        if row.uid is not None and row.uidvalidity is not None:
            self.by_place[(row.folder, row.uidvalidity, row.uid)] = row

    def existing(self, mail: IncomingMail) -> Submission | None:
        """The row recorded for this message (same key, or same place in the inbox)."""
        found = self.by_key.get(mail.message_key[:998])
        if found is None and mail.uid is not None and mail.uidvalidity is not None:
            found = self.by_place.get((mail.folder[:200], mail.uidvalidity, mail.uid))
        return found

    def contractor_of(self, contract: Contract | None) -> Contractor | None:
        """The contractor of ``contract`` (for the staff message)."""
        return self.contractors.get(contract.contractor_id) if contract else None


def decide(known: Known, examined: Examined, mail: IncomingMail, profile: Profile) -> Decision:
    """Status, reason and contract for a message whose notice was read."""
    notice = examined.notice
    assert notice is not None and notice.contract_number is not None
    number = notice.contract_number
    contact = profile.contact
    contract = known.contracts.get(normalize_number(number))
    if contract is None and known.register_unknown:
        return decide_from_notice(known, notice, mail, profile)
    if notice.source == "ocr" and not _ocr_trusted(notice, contract):
        # Never guessed: a person compares the file (the same answer for an unknown number
        # and a wrong key, so a photo tells a sender nothing about the register).
        return Status.NEEDS_REVIEW, Status.NEEDS_REVIEW.reason(), contract
    if contract is None:
        unknown = Status.UNKNOWN_CONTRACT
        return unknown, unknown.reason(number=number, contact=contact), None
    if notice.source != "ocr" and (
        not notice.auth_key or not keys_equal(contract.auth_key, notice.auth_key)
    ):
        return Status.KEY_MISMATCH, Status.KEY_MISMATCH.reason(number=number), contract
    why = contract_reason(contract, profile)
    if why:
        return Status.NOT_COVERED, Status.NOT_COVERED.reason(detail=why, contact=contact), contract
    wrong = _mail_rules(mail, profile, contract.kind, contract.project_name)
    if wrong is not None:
        return wrong[0], wrong[1], contract
    if contract.id in known.registered:
        return Status.DUPLICATE, Status.DUPLICATE.reason(number=number), contract
    return Status.REGISTERED, Status.REGISTERED.reason(number=number), contract


def _ocr_trusted(notice: ParsedDocument, contract: Contract | None) -> bool:
    """A key read by OCR counts only when it is the imported key, look-alikes folded
    against that key (0/O, 1/I/l, 8/B, 5/S, 2/Z)."""
    if contract is None or not notice.auth_key:
        return False
    return same_key_folded(notice.auth_key, contract.auth_key)


def _mail_rules(
    mail: IncomingMail, profile: Profile, kind: str | None, project_name: str | None
) -> tuple[Status, str] | None:
    """The town's rules on the mail itself: its subject, and the address for the kind."""
    if profile.subject_rule is not None:
        wrong = profile.subject_rule.check(mail.subject, project_name)
        if wrong:
            return Status.WRONG_SUBJECT, Status.WRONG_SUBJECT.reason(detail=wrong)
    if kind:
        wanted = profile.address_for(kind).lower()
        sent_to = set(town_recipients(mail.recipients, profile))
        if sent_to and wanted not in sent_to:  # e.g. 契約保証 to the 前払金 section
            return Status.WRONG_ADDRESS, Status.WRONG_ADDRESS.reason(kind=kind, address=wanted)
    return None


def town_recipients(recipients: Sequence[str], profile: Profile) -> list[str]:
    """The town's own submission addresses (``profile.all_addresses``) among a mail's To/Cc,
    lower-case, once each, in the mail's order: what a submission keeps (``sent_to``) so the
    address rule holds when it is decided again; anyone else's address is left out."""
    town = {a.lower() for a in profile.all_addresses}
    found = [a.strip().lower() for a in recipients]
    return list(dict.fromkeys(a for a in found if a in town))


def decide_from_notice(
    known: Known, notice: ParsedDocument, mail: IncomingMail, profile: Profile
) -> Decision:
    """Ledger mode: the notice alone says number, key, kind, orderer and project name.
    ``registered`` (with no contract) means: record it from the notice, unverified."""
    assert notice.contract_number is not None
    number = normalize_number(notice.contract_number)
    if notice.source == "ocr":  # a key read from an image is never guessed into the register
        return Status.NEEDS_REVIEW, Status.NEEDS_REVIEW.reason(), None
    why = (notice.kind and kind_reason(notice.kind, profile)) or (
        notice.orderer and orderer_reason(notice.orderer, profile)
    )
    if why:
        return (
            Status.NOT_COVERED,
            Status.NOT_COVERED.reason(detail=why, contact=profile.contact),
            None,
        )
    wrong = _mail_rules(mail, profile, notice.kind, notice.project_name)
    if wrong is not None:
        return wrong[0], wrong[1], None
    recorded = known.notices.get(number)
    if recorded is not None:
        if not notice.auth_key or not keys_equal(recorded.auth_key, notice.auth_key):
            return Status.KEY_MISMATCH, Status.KEY_MISMATCH.reason(number=number), None
        return Status.DUPLICATE, Status.DUPLICATE.reason(number=number), None
    return Status.REGISTERED, Status.REGISTERED.reason(number=number), None


def decide_safely(
    known: Known, examined: Examined, mail: IncomingMail, profile: Profile
) -> Decision:
    """The checks' status when they ended it, else :func:`decide`; a bug becomes ``error``
    (a database failure propagates: nothing is committed, the message is taken again)."""
    contract: Contract | None = None
    try:
        if examined.status is None:
            status, why, contract = decide(known, examined, mail, profile)
        else:
            status, why = examined.status, examined.reason
    except SQLAlchemyError:
        raise
    except Exception:  # noqa: BLE001 - a bug must not lose the message
        log.exception("deciding message %s failed", mail.message_key)
        status, why = Status.ERROR, ""
    if status == Status.ERROR:
        why = Status.ERROR.reason(contact=profile.contact)
    return status, why, contract
