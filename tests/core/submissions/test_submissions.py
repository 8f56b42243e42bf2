"""The submissions use case without IMAP, on SQLite and PostgreSQL: idempotence, the
subject rule, a race of many messages of one contract, and the reasons."""

from __future__ import annotations

import threading

from sqlmodel import func, select

from hosho.core.contracts.importing import import_contracts
from hosho.core.documents.reader import read_pdf
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import get_engine, session_scope
from hosho.core.store.models import AuditLog, DsureRegistration, Submission
from hosho.core.submissions.checks import Attachment, IncomingMail, examine_safely
from hosho.core.submissions.recording import process, record_batch
from hosho.core.submissions.statuses import SEVERAL_NOTICES, STATUSES, TOO_LARGE, Status
from tests.factories import contract_csv, contract_row
from tests.mailbox.town import key_for, notice


def mail(n: int, key: str, **kw: object) -> IncomingMail:
    values: dict[str, object] = {
        "message_key": key,
        "sender": "info1@aya-kensetsu.example.jp",
        "subject": "提出",
        "attachments": [Attachment("n.pdf", notice(n), "application/pdf")],
    }
    values.update(kw)
    return IncomingMail(**values)  # type: ignore[arg-type]


def test_second_call_returns_the_same_row(town) -> None:  # type: ignore[no-untyped-def]
    engine, profile = get_engine(town), load_profile("aya")
    first = process(
        engine, mail(1, "<a@x>", folder="INBOX", uidvalidity=7, uid=1), profile, read_pdf
    )
    assert first.created and first.status == "registered"
    again = process(engine, mail(1, "<a@x>"), profile, read_pdf)
    assert not again.created and again.submission.id == first.submission.id
    # same place in the inbox, other key (e.g. the hash of a re-read message): same row
    place = process(
        engine, mail(1, "<b@x>", folder="INBOX", uidvalidity=7, uid=1), profile, read_pdf
    )
    assert not place.created and place.submission.id == first.submission.id
    other = process(engine, mail(1, "<c@x>"), profile, read_pdf)
    assert other.created and other.status == "duplicate"
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Submission)).one() == 2


def test_a_batch_registers_each_notice_once_with_its_audit_entry(town) -> None:  # type: ignore[no-untyped-def]
    engine, profile = get_engine(town), load_profile("aya")
    batch = [mail(n, f"<batch-{i}@x>") for i, n in enumerate((1, 2, 1, 3))]
    outcomes = record_batch(engine, [(m, examine_safely(m, read_pdf)) for m in batch], profile)
    assert [o.status for o in outcomes] == ["registered", "registered", "duplicate", "registered"]
    with session_scope(engine) as session:
        registrations = session.exec(select(DsureRegistration)).all()
        audits = session.exec(select(AuditLog).where(AuditLog.action == "dsure.register")).all()
        by_submission = {r.submission_id: r for r in registrations}
    registered = [o for o in outcomes if o.registered]
    assert sorted(by_submission) == sorted(o.submission.id for o in registered)
    assert all(r.registered_by == "mail" for r in registrations)
    assert sorted(a.target for a in audits) == sorted(
        o.submission.contract_number for o in registered
    )
    assert all(a.actor == "mail" and a.result == "ok" for a in audits)


def test_subject_rule_of_a_profile(db_url: str) -> None:
    engine = get_engine(db_url)
    row = contract_row(
        5,
        orderer="見本市",
        contract_date="2025-05-01",
        period_start="2025-05-02",
        period_end="2026-03-15",
        auth_key=key_for(5),
    )
    import_contracts(engine, contract_csv([row]), actor="test")
    profile = load_profile("sample-city")
    wrong = process(engine, mail(5, "<s1@x>", subject="認証キーを送ります"), profile, read_pdf)
    assert wrong.status == "wrong_subject" and "件名" in wrong.submission.reason
    assert "電子保証認証キー:" in wrong.submission.reason
    good_subject = f"電子保証認証キー:{row['project_name']}"
    # 前払金保証 goes to the 会計 section's address, not the 契約検査課's
    elsewhere = mail(5, "<s3@x>", subject=good_subject, recipients=[profile.submission_address])
    wrong_place = process(engine, elsewhere, profile, read_pdf)
    assert wrong_place.status == "wrong_address"
    assert profile.address_for("前払金保証") in wrong_place.submission.reason
    right = [profile.address_for("前払金保証"), profile.submission_address]
    good = process(
        engine, mail(5, "<s2@x>", subject=good_subject, recipients=right), profile, read_pdf
    )
    assert good.status == "registered"


def test_many_messages_of_one_contract_at_once_register_it_once(town) -> None:  # type: ignore[no-untyped-def]
    engine, profile = get_engine(town), load_profile("aya")
    outcomes = []
    lock = threading.Lock()

    def one(i: int) -> None:
        outcome = process(engine, mail(7, f"<race-{i}@x>"), profile, read_pdf)
        with lock:
            outcomes.append(outcome.status)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["duplicate"] * 7 + ["registered"]
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(DsureRegistration)).one() == 1


def test_every_status_has_a_label_and_an_actionable_japanese_reason() -> None:
    assert tuple(Status) == STATUSES and len(set(STATUSES)) == len(STATUSES) == 15
    for status in Status:
        assert status.label and not status.label.startswith("*"), status
        assert status.reason(**_PLACEHOLDERS).endswith("。"), status
        assert "{" not in status.reason(**_PLACEHOLDERS), status
    wrong = Status.WRONG_DOCUMENT.reason()
    assert "STEP4" in wrong and "STEP3" in wrong
    assert "件名" in Status.WRONG_SUBJECT.reason(detail="件名は「X」としてください。")
    address = Status.WRONG_ADDRESS.reason(kind="契約保証", address="keiyaku@town.example.jp")
    assert "keiyaku@town.example.jp" in address and "送り直して" in address
    assert SEVERAL_NOTICES.endswith("。") and TOO_LARGE.format(size_mb=30, limit_mb=25)[-1] == "。"


_PLACEHOLDERS = {
    "number": "0000000001",
    "contact": "財政係",
    "detail": "対象外です。",
    "sender": "x",
    "kind": "契約保証",
    "address": "a@b.jp",
}
