"""The submissions use case without IMAP, on SQLite and PostgreSQL: idempotence, the
subject rule, a race of many messages of one contract, and the reasons."""

from __future__ import annotations

import threading

from sqlmodel import func, select

from hosho.core.contracts.importing import import_contracts
from hosho.core.documents.reader import read_pdf
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import get_engine, session_scope
from hosho.core.store.models import DsureRegistration, Submission
from hosho.core.submissions.checks import Attachment, IncomingMail
from hosho.core.submissions.statuses import REASONS, STATUSES
from hosho.core.submissions.store import process
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
    assert wrong.status == "wrong_document" and "件名" in wrong.submission.reason
    assert "電子保証認証キー:" in wrong.submission.reason
    good_subject = f"電子保証認証キー:{row['project_name']}"
    # 前払金保証 goes to the 会計 section's address, not the 契約検査課's
    elsewhere = mail(5, "<s3@x>", subject=good_subject, recipients=[profile.submission_address])
    wrong_place = process(engine, elsewhere, profile, read_pdf)
    assert wrong_place.status == "wrong_document"
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


def test_every_rejection_has_an_actionable_japanese_reason() -> None:
    for status in STATUSES:
        if status != "registered":
            assert status in REASONS, status
    assert "STEP4" in REASONS["wrong_document"] and "STEP3" in REASONS["wrong_document"]
    assert all(text.endswith("。") for text in REASONS.values())
