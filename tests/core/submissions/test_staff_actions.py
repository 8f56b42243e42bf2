"""A person in the loop, on SQLite and PostgreSQL: the received files kept byte for byte,
staff accept / reject / retry with their refusals, purge, notices waiting for their
contract, and ledger mode (HOSHO_REGISTER_UNKNOWN)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from hosho.core.contracts.importing import import_contracts
from hosho.core.documents.reader import ParsedDocument, read_pdf
from hosho.core.dsure import FROM_NOTICE_ALONE, lookup
from hosho.core.errors import HoshoError, LookupRefused, NotFound
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import get_engine, session_scope
from hosho.core.store.models import AuditLog, DsureRegistration, NoticeRecord, Submission
from hosho.core.submissions import staff_actions
from hosho.core.submissions.checks import Attachment, IncomingMail, Outcome, examine_safely
from hosho.core.submissions.kept_files import files_of, purge
from hosho.core.submissions.outbox import outcome_event
from hosho.core.submissions.rechecking import Recheck
from hosho.core.submissions.recording import record_batch
from hosho.core.submissions.staff_note import FROM_NOTICE_ONLY, staff_lines
from hosho.core.submissions.waiting import register_waiting
from tests.mailbox.town import OTHER_ORDERER, UNKNOWN, contracts_csv, key_for, notice, number

AYA = load_profile("aya")
STAFF = Recheck(AYA, "cli:staff")
LEDGER = Recheck(AYA, "cli:staff", register_unknown=True)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
BROKEN_PDF = b"%PDF-1.4\n" + bytes(range(256))  # a PDF nobody can read


def mail(
    key: str, *files: tuple[str, bytes, str], subject: str = "認証キー等のお知らせ"
) -> IncomingMail:
    return IncomingMail(
        message_key=key,
        sender="info1@aya-kensetsu.example.jp",
        subject=subject,
        attachments=[Attachment(name, data, ctype) for name, data, ctype in files],
    )


def record(engine, *mails: IncomingMail, register_unknown: bool = False) -> list[Outcome]:  # type: ignore[no-untyped-def]
    items = [(m, examine_safely(m, read_pdf)) for m in mails]
    return record_batch(engine, items, AYA, register_unknown=register_unknown)


def notice_of(n: int, key: str | None = None) -> tuple[str, bytes, str]:
    data = notice(n) if key is None else notice(n, key)  # one cached rendering per call form
    return (f"認証キー等のお知らせ_{number(n)}.pdf", data, "application/pdf")


def row_of(engine, ident: int) -> Submission:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        row = session.get(Submission, ident)
        assert row is not None
        return row


def audit_text(engine) -> str:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        rows = session.exec(select(AuditLog)).all()
        return "\n".join(f"{r.actor} {r.action} {r.target} {r.result} {r.detail}" for r in rows)


def test_every_pdf_and_image_is_kept_byte_for_byte_with_its_submission(town) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(town)
    sheet = ("budget.xlsx", b"PK\x03\x04 not kept", "application/vnd.ms-excel")
    (outcome,) = record(engine, mail("<k@x>", notice_of(1), ("photo.png", PNG, "image/png"), sheet))
    assert outcome.status == "registered"
    with session_scope(engine) as session:
        kept = files_of(session, outcome.submission.id)
    assert [(f.filename, f.content_type, f.data, f.size) for f in kept] == [
        (notice_of(1)[0], "application/pdf", notice(1), len(notice(1))),
        ("photo.png", "image/png", PNG, len(PNG)),
    ]
    import hashlib

    assert kept[0].sha256 == hashlib.sha256(notice(1)).hexdigest()


def test_accept_registers_what_hosho_could_not_read_and_owes_the_sender_a_reply(town) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(town)
    (outcome,) = record(engine, mail("<scan@x>", ("scan.pdf", BROKEN_PDF, "application/pdf")))
    ident = outcome.submission.id
    assert outcome.status == "unreadable"
    accepted = staff_actions.accept(
        engine, ident, number(2).replace("0", "０", 1), key_for(2), STAFF
    )
    row = row_of(engine, ident)
    assert (row.status, row.contract_number, row.decided_by) == (
        "registered",
        number(2),
        "cli:staff",
    )
    assert row.reply_due and not row.replied  # the 受付 reply is owed
    assert accepted.contract is not None and accepted.contract.contract_number == number(2)
    with session_scope(engine) as session:
        (registration,) = session.exec(select(DsureRegistration)).all()
    assert (registration.submission_id, registration.registered_by) == (ident, "cli:staff")
    assert "submissions.accept" in audit_text(engine)
    assert key_for(2) not in audit_text(engine)
    with pytest.raises(HoshoError, match="すでに受付済み"):
        staff_actions.accept(engine, ident, number(2), key_for(2), STAFF)


def test_accept_refuses_bad_input_with_one_line_and_changes_nothing(town) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(town)
    (outcome,) = record(engine, mail("<scan@x>", ("scan.pdf", BROKEN_PDF, "application/pdf")))
    ident = outcome.submission.id
    with pytest.raises(NotFound, match="#9999"):
        staff_actions.accept(engine, 9999, number(2), key_for(2), STAFF)
    with pytest.raises(HoshoError, match="保証契約番号の欄に認証キー") as swapped:
        staff_actions.accept(engine, ident, key_for(2), number(2), STAFF)
    assert key_for(2) not in str(swapped.value)
    with pytest.raises(HoshoError, match="認証キーの欄に保証契約番号"):
        staff_actions.accept(engine, ident, number(2), number(3), STAFF)
    with pytest.raises(HoshoError, match="認証キーの形式"):
        staff_actions.accept(engine, ident, number(2), "ABC", STAFF)
    # a wrong key and an unknown number are refused alike
    with pytest.raises(HoshoError) as wrong_key:
        staff_actions.accept(engine, ident, number(2), key_for(3), STAFF)
    with pytest.raises(HoshoError) as unknown_number:
        staff_actions.accept(engine, ident, number(UNKNOWN), key_for(2), STAFF)
    assert str(wrong_key.value) == str(unknown_number.value) == staff_actions.NO_MATCH
    with pytest.raises(HoshoError, match="対象外"):
        staff_actions.accept(engine, ident, number(OTHER_ORDERER), key_for(OTHER_ORDERER), STAFF)
    row = row_of(engine, ident)
    assert (row.status, row.decided_by) == ("unreadable", None)
    with session_scope(engine) as session:
        assert session.exec(select(DsureRegistration)).all() == []


def test_reject_is_a_person_s_decision_that_retry_never_takes_back(town) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(town)
    (outcome,) = record(engine, mail("<u@x>", notice_of(UNKNOWN)))
    ident = outcome.submission.id
    with pytest.raises(HoshoError, match="理由"):
        staff_actions.reject(engine, ident, "  ", STAFF)
    with pytest.raises(HoshoError, match="認証キーのような値"):
        staff_actions.reject(engine, ident, f"キー {key_for(1)} が違います", STAFF)
    staff_actions.reject(engine, ident, "発注者が別の町です。", STAFF)
    row = row_of(engine, ident)
    assert row.status == "rejected" and row.reason.startswith("発注者が別の町です。")
    assert row.decided_by == "cli:staff" and row.reply_due and not row.replied
    with pytest.raises(HoshoError, match="担当者が判断済み"):
        staff_actions.retry(engine, ident, read_pdf, STAFF)
    # what is registered cannot be rejected
    (registered,) = record(engine, mail("<r@x>", notice_of(1)))
    with pytest.raises(HoshoError, match="すでに受付済み"):
        staff_actions.reject(engine, registered.submission.id, "やっぱり", STAFF)


def test_retry_reads_the_kept_file_again_and_a_waiting_notice_registers_on_import(db_url) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(db_url)
    first, second = record(engine, mail("<w1@x>", notice_of(1)), mail("<w2@x>", notice_of(2)))
    assert first.status == second.status == "unknown_contract"
    again = staff_actions.retry(engine, first.submission.id, read_pdf, STAFF)
    assert not again.created and row_of(engine, first.submission.id).status == "unknown_contract"
    assert register_waiting(engine, STAFF, read_pdf) == []  # nothing arrived yet
    import_contracts(engine, contracts_csv(1, specials=False), actor="test")  # contract 1 only
    (changed,) = register_waiting(engine, Recheck(AYA, "mail"), read_pdf)
    assert changed.submission.id == first.submission.id and changed.registered
    row = row_of(engine, first.submission.id)
    assert (row.status, row.decided_by, row.replied) == ("registered", None, False)
    assert row_of(engine, second.submission.id).status == "unknown_contract"
    assert register_waiting(engine, STAFF, read_pdf) == []  # once only
    with pytest.raises(HoshoError, match="すでに受付済み"):
        staff_actions.retry(engine, first.submission.id, read_pdf, STAFF)


def test_purge_drops_the_bytes_of_older_submissions_and_keeps_what_they_were(town) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(town)
    (outcome,) = record(engine, mail("<p@x>", notice_of(1)))
    ident = outcome.submission.id
    today = date.today()
    assert purge(engine, today - timedelta(days=2), actor="cli:staff") == 0
    assert staff_actions.kept_pdf(engine, ident) == notice(1)
    assert purge(engine, today + timedelta(days=2), actor="cli:staff") == 1
    assert purge(engine, today + timedelta(days=2), actor="cli:staff") == 0
    with session_scope(engine) as session:
        (kept,) = files_of(session, ident)
    assert kept.data is None and kept.size == len(notice(1)) and kept.purged_at is not None
    with pytest.raises(HoshoError, match="削除されています"):
        staff_actions.kept_pdf(engine, ident)
    assert "submissions.purge" in audit_text(engine)


def test_show_tells_whether_a_key_was_read_never_the_key(town) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(town)
    (outcome,) = record(engine, mail("<s@x>", notice_of(1)))
    view = staff_actions.show(engine, outcome.submission.id, read_pdf)
    assert view["status"] == "registered" and view["verified"] is True
    (kept,) = view["files"]
    assert kept["parsed"] == {
        "document": "auth_key_notice",
        "contract_number": number(1),
        "auth_key_read": True,
        "source": "embedded",
        "reason": "",
    }
    assert key_for(1) not in repr(view)


def test_ledger_mode_registers_a_number_never_imported_from_the_notice_alone(db_url) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(db_url)
    first, again, other_key, elsewhere = record(
        engine,
        mail("<l1@x>", notice_of(7)),
        mail("<l2@x>", notice_of(7)),
        mail("<l3@x>", notice_of(7, key_for(8))),
        mail("<l4@x>", notice_of(OTHER_ORDERER)),  # orderer 延岡市 printed on the notice
        register_unknown=True,
    )
    assert [o.status for o in (first, again, other_key, elsewhere)] == [
        "registered",
        "duplicate",
        "key_mismatch",
        "not_covered",
    ]
    assert "延岡市" in elsewhere.submission.reason
    assert first.submission.verified is False
    with session_scope(engine) as session:
        (noted,) = session.exec(select(NoticeRecord)).all()
    assert (noted.contract_number, noted.auth_key, noted.kind, noted.orderer) == (
        number(7),
        key_for(7),
        "前払金保証",
        "綾町",
    )
    view = lookup(engine, number(7), key_for(7), actor="test")
    assert view["source"] == "notice" and view["verified"] is False
    assert view["note"] == FROM_NOTICE_ALONE and view["project_name"] == noted.project_name
    with pytest.raises(LookupRefused):
        lookup(engine, number(7), key_for(8), actor="test")
    event = outcome_event(first)
    assert event.verified is False and event.kind == "前払金保証"
    assert f"照合: {FROM_NOTICE_ONLY}" in staff_lines(event)
    assert key_for(7) not in audit_text(engine)


def test_ledger_mode_is_off_by_default_and_then_registers_what_waits(db_url) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(db_url)
    (waiting,) = record(engine, mail("<d@x>", notice_of(9)))
    assert waiting.status == "unknown_contract"
    (changed,) = register_waiting(engine, LEDGER, read_pdf)
    assert changed.registered and row_of(engine, waiting.submission.id).verified is False


def test_ledger_mode_never_registers_a_key_read_by_ocr(db_url) -> None:  # type: ignore[no-untyped-def]
    """The reader marks a key read from an image ``source="ocr"``; a fake parser stands in
    for the OCR here (the decision alone is under test)."""
    engine = get_engine(db_url)
    scan = mail(
        "<o@x>", ("scan.png", PNG, "image/png"), ("scan.pdf", BROKEN_PDF, "application/pdf")
    )

    def ocr(_data: bytes) -> ParsedDocument:
        return ParsedDocument("auth_key_notice", number(5), key_for(5), source="ocr")

    (outcome,) = record_batch(
        engine, [(scan, examine_safely(scan, ocr))], AYA, register_unknown=True
    )
    assert outcome.status == "needs_review"
    with session_scope(engine) as session:
        assert session.exec(select(NoticeRecord)).all() == []


def test_a_waiting_notice_whose_key_turns_out_wrong_is_not_told_the_same_sentence_twice(  # type: ignore[no-untyped-def]
    db_url,
) -> None:
    """Unknown number and wrong key are one sentence for the sender: the status changes for
    the staff, and no second reply repeats what the sender was already told."""
    engine = get_engine(db_url)
    (waiting,) = record(engine, mail("<k1@x>", notice_of(1, key_for(2))))
    with session_scope(engine) as session:
        row = session.get(Submission, waiting.submission.id)
        assert row is not None
        row.replied = True  # the first reply went out
        session.add(row)
    import_contracts(engine, contracts_csv(1, specials=False), actor="test")
    (changed,) = register_waiting(engine, STAFF, read_pdf)
    row = row_of(engine, waiting.submission.id)
    assert (row.status, row.replied) == ("key_mismatch", True)


def test_two_pollers_register_the_waiting_notices_once(db_url: str) -> None:
    """Two pollers decide the same waiting notices at once: each notice is registered once
    and stays ``registered`` (on PostgreSQL the row is locked while it is decided)."""
    import threading

    engine = get_engine(db_url)
    count = 12
    record(engine, *(mail(f"<race-{n}@x>", notice_of(n)) for n in range(1, count + 1)))
    import_contracts(engine, contracts_csv(count, specials=False), actor="test")
    start = threading.Barrier(2)
    done: list[list[Outcome]] = []

    def poll() -> None:
        start.wait()
        done.append(register_waiting(engine, Recheck(AYA, "mail"), read_pdf))

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(len(d) for d in done) == count  # each decided by exactly one of them
    with session_scope(engine) as session:
        rows = session.exec(select(Submission)).all()
        assert {r.status for r in rows} == {"registered"}
        assert len(session.exec(select(DsureRegistration)).all()) == count


def test_staff_are_told_of_every_new_decision_through_the_outbox(town) -> None:  # type: ignore[no-untyped-def]
    import json

    from hosho.core.store.models import OutboxMessage

    engine = get_engine(town)
    scan, waiting = record(
        engine,
        mail("<t1@x>", ("scan.pdf", BROKEN_PDF, "application/pdf")),
        mail("<t2@x>", notice_of(UNKNOWN)),
    )
    how = Recheck(AYA, "cli:staff", staff=("slack", "email"))
    staff_actions.accept(engine, scan.submission.id, number(2), key_for(2), how)
    staff_actions.reject(engine, waiting.submission.id, "別の町の工事です。", how)
    with session_scope(engine) as session:
        owed = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    told = [(m.channel, m.submission_id, json.loads(m.payload)["status"]) for m in owed]
    assert told == [
        ("slack", scan.submission.id, "registered"),
        ("email", scan.submission.id, "registered"),
        ("slack", waiting.submission.id, "rejected"),
        ("email", waiting.submission.id, "rejected"),
    ]
    assert all(key_for(2) not in m.payload for m in owed)


def test_a_notice_registered_alone_is_verified_when_its_contract_is_imported(db_url) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(db_url)
    same, other = record(
        engine,
        mail("<v1@x>", notice_of(1)),
        mail("<v2@x>", notice_of(2, key_for(9))),  # the notice's key is not the contract's
        register_unknown=True,
    )
    assert same.status == other.status == "registered"
    import_contracts(engine, contracts_csv(2, specials=False), actor="test")
    assert register_waiting(engine, LEDGER, read_pdf) == []  # no status changes, no reply
    assert row_of(engine, same.submission.id).verified is True
    assert row_of(engine, other.submission.id).verified is False
    view = lookup(engine, number(1), key_for(1), actor="test")
    assert view["registered"] is True and "source" not in view  # the contract's certificate
    with session_scope(engine) as session:
        (registration,) = session.exec(select(DsureRegistration)).all()
    assert registration.submission_id == same.submission.id
