"""Recording submissions (提出) in the database, exactly once.

:func:`record_batch` writes examined messages in ONE transaction: for each, the decision
(:mod:`hosho.core.submissions.decision`), one ``Submission`` row and, for a good notice, its
registration in the D-Sure register (:func:`hosho.core.dsure.register`, which also writes
the audit entry). Unique constraints on ``message_key`` and (folder, UIDVALIDITY, UID) make
a message recorded before come back with ``created=False``.

Text taken from the mail (subject, and the reason, which may quote the sender or a file)
is stored with anything shaped like a 認証キー masked (:func:`authkey.redact`): a sender
who writes the key in the subject never sees it echoed in the reply, the staff message or
``submissions list``, which all read the row.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from hosho.core.contracts.authkey import redact
from hosho.core.dsure import register, register_new
from hosho.core.rules.profile import Profile
from hosho.core.store.db import session_scope
from hosho.core.store.models import Contract, Submission, utcnow
from hosho.core.submissions.answering import DEFAULT_REPLY_LIMIT
from hosho.core.submissions.checks import (
    Examined,
    IncomingMail,
    Outcome,
    PdfParser,
    examine_safely,
    why_no_reply,
)
from hosho.core.submissions.decision import Known, decide_safely, town_recipients
from hosho.core.submissions.kept_files import keep_received
from hosho.core.submissions.notice_records import register_from_notices
from hosho.core.submissions.outbox import notify_outcomes
from hosho.core.submissions.reply_limit import settle_replies
from hosho.core.submissions.statuses import Status


def process(
    engine: Engine,
    mail: IncomingMail,
    profile: Profile,
    parse: PdfParser,
    *,
    by: str = "mail",
    staff: Sequence[str] = (),
) -> Outcome:
    """Check one message and record it: exactly one Submission row, in one transaction.

    A message already recorded (same message_key, or same folder/UIDVALIDITY/UID) returns
    its row with ``created=False``; so does losing a race against another poller. An
    unexpected failure of the checks is recorded as status ``error``; a database failure
    propagates (nothing was committed, the message stays to be taken again).
    """
    items = [(mail, examine_safely(mail, parse))]
    return record_batch(engine, items, profile, by=by, staff=staff)[0]


def record_batch(
    engine: Engine,
    items: Sequence[tuple[IncomingMail, Examined]],
    profile: Profile,
    *,
    by: str = "mail",
    staff: Sequence[str] = (),
    reply_limit: int = DEFAULT_REPLY_LIMIT,
    own: Sequence[str] = (),
    register_unknown: bool = False,
) -> list[Outcome]:
    """Record examined messages in ONE transaction (all of them or none), each message with
    its row, registration and the staff messages it owes on the ``staff`` channels (the
    outbox); a message already recorded comes back with created=False. Replies are owed
    within ``reply_limit`` per address and hour, never to the ``own`` addresses. The files
    received are kept (``kept_files``); ``register_unknown`` is ledger mode
    (``notice_records``)."""
    with session_scope(engine) as session:
        known = Known.load(session, items, register_unknown=register_unknown)
        if session.get_bind().dialect.name == "postgresql":
            outcomes = [_record(session, known, mail, ex, profile, by) for mail, ex in items]
        else:
            outcomes = _record_serialised(session, known, items, profile, by)
        outcomes = register_from_notices(session, known, items, outcomes, by=by)
        keep_received(session, items, outcomes)
        settle_replies(session, outcomes, reply_limit, own)
        claimed = [o for o in outcomes if o.status != Status.IGNORED]  # no staff message
        notify_outcomes(session, claimed, staff)
        return outcomes


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


def _row(
    mail: IncomingMail, examined: Examined, status: Status, why: str, profile: Profile
) -> Submission:
    number = examined.notice.contract_number if examined.notice else None
    no_reply = why_no_reply(mail, examined, profile)
    return Submission(
        message_key=mail.message_key[:998],
        message_id=(mail.message_id or None) and mail.message_id[:998],
        source=mail.source[:20],
        folder=mail.folder[:200],
        uidvalidity=mail.uidvalidity,
        uid=mail.uid,
        sender=mail.sender[:998],
        subject=redact(mail.subject)[:2000],
        received_at=mail.received_at,
        contract_number=number[:64] if number else None,
        document=examined.document,
        status=status.value,
        reason=redact(why),
        reply_due=not no_reply,
        no_reply=no_reply,
        processed_at=utcnow(),
        sent_to=",".join(town_recipients(mail.recipients, profile)),
    )


def _record(
    session: Session,
    known: Known,
    mail: IncomingMail,
    examined: Examined,
    profile: Profile,
    by: str,
) -> Outcome:
    """PostgreSQL: one message, with a savepoint, since another poller may insert the same
    message or register the same contract meanwhile."""
    existing = known.existing(mail)
    if existing is not None:
        return Outcome(existing, False, examined.sender_ok)
    status, why, contract = decide_safely(known, examined, mail, profile)
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
    if status == Status.REGISTERED and contract is not None:
        assert contract.id is not None
        _, created = register(session, contract, submission_id=row.id, by=by)
        known.registered.add(contract.id)
        if not created:  # another poller registered this contract meanwhile
            row.status = Status.DUPLICATE.value
            row.reason = Status.DUPLICATE.reason(number=contract.contract_number)
    return Outcome(row, True, examined.sender_ok, contract, known.contractor_of(contract))


def _record_serialised(
    session: Session,
    known: Known,
    items: Sequence[tuple[IncomingMail, Examined]],
    profile: Profile,
    by: str,
) -> list[Outcome]:
    """SQLite: BEGIN IMMEDIATE serialises writers, so what ``known`` read is final and the
    rows, registrations and audit entries go in with one multi-row INSERT per table
    (``dsure.register_new``; the unique constraints still guard: a violation rolls the
    whole batch back)."""
    outcomes: list[Outcome] = []
    new: list[tuple[Submission, Contract | None]] = []
    for mail, examined in items:
        existing = known.existing(mail)
        if existing is not None:
            outcomes.append(Outcome(existing, False, examined.sender_ok))
            continue
        status, why, contract = decide_safely(known, examined, mail, profile)
        row = _row(mail, examined, status, why, profile)
        known.remember(row)
        registers = status == Status.REGISTERED and contract is not None
        if registers and contract is not None and contract.id is not None:
            known.registered.add(contract.id)  # a second notice in this batch: duplicate
        new.append((row, contract if registers else None))
        outcomes.append(
            Outcome(row, True, examined.sender_ok, contract, known.contractor_of(contract))
        )
    session.add_all([row for row, _ in new])
    session.flush()  # the rows' ids, for their registrations
    register_new(session, [(c, row.id) for row, c in new if c is not None], by=by)
    return outcomes
