"""The address rule when a submission is decided again, on SQLite and PostgreSQL: a town
with one address per kind of guarantee (sample-city) keeps the town's own addresses a mail
was sent to (``Submission.sent_to``, never anyone else's), so a notice that waited for its
contract, or is retried, is held to the same rule as on its first decision."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pytest
from sqlmodel import select

from hosho.core.contracts.importing import import_contracts
from hosho.core.documents.reader import read_pdf
from hosho.core.errors import HoshoError
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import get_engine, session_scope
from hosho.core.store.models import DsureRegistration, Submission
from hosho.core.submissions import staff_actions
from hosho.core.submissions.checks import Attachment, IncomingMail, examine_safely
from hosho.core.submissions.rechecking import Recheck
from hosho.core.submissions.recording import record_batch
from hosho.core.submissions.statuses import Status
from hosho.core.submissions.waiting import register_waiting
from tests.factories import contract_csv, contract_row
from tests.mailbox.town import key_for, objects_of

CITY = load_profile("sample-city")
HOW = Recheck(CITY, "mail")
KEIYAKU = CITY.address_for("契約保証")  # keiyaku@… (the 契約検査課)
KAIKEI = CITY.address_for("前払金保証")  # kaikei@… (the 会計 section)
STRANGER = "someone@aya-kensetsu.example.jp"


def city_row(n: int) -> dict[str, str]:
    """A 契約保証 contract of 見本市 (covered: after the profile's start date)."""
    return contract_row(
        n,
        kind="契約保証",
        orderer="見本市",
        contract_date="2025-05-01",
        period_start="2025-05-02",
        period_end="2026-03-15",
        auth_key=key_for(n),
    )


@lru_cache(maxsize=8)
def city_notice(n: int) -> bytes:
    """The 認証キー等のお知らせ of contract ``n``, rendered for 見本市."""
    from hosho.core.documents.notice import render_notice

    contract, contractor = objects_of(city_row(n), n)
    return render_notice(contract, contractor, CITY, issued=date(2025, 5, 1))


def city_mail(n: int, key: str, to: list[str]) -> IncomingMail:
    return IncomingMail(
        message_key=key,
        sender="info1@aya-kensetsu.example.jp",
        subject=f"電子保証認証キー:{city_row(n)['project_name']}",
        attachments=[Attachment(f"notice_{n}.pdf", city_notice(n), "application/pdf")],
        recipients=to,
    )


def record(engine, *mails: IncomingMail) -> list:  # type: ignore[no-untyped-def]
    return record_batch(engine, [(m, examine_safely(m, read_pdf)) for m in mails], CITY)


def import_city(engine, *numbers: int) -> None:  # type: ignore[no-untyped-def]
    import_contracts(engine, contract_csv([city_row(n) for n in numbers]), actor="test")


def row_of(engine, ident: int) -> Submission:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        row = session.get(Submission, ident)
        assert row is not None
        return row


def registered_ids(engine) -> list[int | None]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return [r.submission_id for r in session.exec(select(DsureRegistration)).all()]


def test_only_the_town_s_own_addresses_are_kept(db_url: str) -> None:
    engine = get_engine(db_url)
    to = [KAIKEI.upper(), f" {STRANGER} ", "zaisei@town.aya.lg.jp", KAIKEI]
    (waiting,) = record(engine, city_mail(11, "<p@x>", to))
    assert waiting.status == "unknown_contract"
    assert row_of(engine, waiting.submission.id).sent_to == KAIKEI.lower()
    (both,) = record(engine, city_mail(12, "<q@x>", [KEIYAKU, STRANGER, KAIKEI]))
    assert row_of(engine, both.submission.id).sent_to == f"{KEIYAKU},{KAIKEI}".lower()
    (nobody,) = record(engine, city_mail(13, "<r@x>", [STRANGER]))
    assert row_of(engine, nobody.submission.id).sent_to == ""


def test_a_waiting_notice_sent_to_another_kind_s_address_is_not_registered_on_import(
    db_url: str,
) -> None:
    engine = get_engine(db_url)
    # the same notice sent to the wrong address of a contract already imported: the first
    # decision's reason, which the re-decision must give too
    import_city(engine, 22)
    (first_time,) = record(engine, city_mail(22, "<now@x>", [KAIKEI]))
    assert first_time.status == "wrong_address"
    wanted = Status.WRONG_ADDRESS.reason(kind="契約保証", address=KEIYAKU.lower())
    assert first_time.submission.reason == wanted

    (waiting,) = record(engine, city_mail(21, "<wait@x>", [KAIKEI]))
    assert waiting.status == "unknown_contract"
    import_city(engine, 21)
    (changed,) = register_waiting(engine, HOW, read_pdf)
    assert changed.submission.id == waiting.submission.id and not changed.registered
    row = row_of(engine, waiting.submission.id)
    assert (row.status, row.reason) == ("wrong_address", wanted)
    assert KEIYAKU.lower() in row.reason
    assert registered_ids(engine) == []
    assert register_waiting(engine, HOW, read_pdf) == []  # it no longer waits


def test_retry_of_a_wrong_address_keeps_it_wrong(db_url: str) -> None:
    engine = get_engine(db_url)
    import_city(engine, 31)
    (wrong,) = record(engine, city_mail(31, "<wa@x>", [KAIKEI, STRANGER]))
    assert wrong.status == "wrong_address"
    again = staff_actions.retry(engine, wrong.submission.id, read_pdf, HOW)
    assert not again.created and not again.registered
    assert row_of(engine, wrong.submission.id).status == "wrong_address"
    # a person typing the number and key is held to the same rule (checked like a mail)
    with pytest.raises(HoshoError, match="提出先"):
        staff_actions.accept(
            engine,
            wrong.submission.id,
            city_row(31)["contract_number"],
            key_for(31),
            Recheck(CITY, "cli:staff"),
        )
    assert row_of(engine, wrong.submission.id).status == "wrong_address"
    assert registered_ids(engine) == []


def test_a_waiting_notice_sent_to_the_right_address_registers_on_import(db_url: str) -> None:
    engine = get_engine(db_url)
    right, stranger_only = record(
        engine,
        city_mail(41, "<ok@x>", [KEIYAKU, STRANGER]),
        city_mail(42, "<none@x>", [STRANGER]),  # no town address at all: the rule is silent
    )
    assert right.status == stranger_only.status == "unknown_contract"
    import_city(engine, 41, 42)
    changed = register_waiting(engine, HOW, read_pdf)
    assert sorted(o.submission.id for o in changed if o.registered) == sorted(
        [right.submission.id, stranger_only.submission.id]
    )
    assert row_of(engine, right.submission.id).status == "registered"
    assert row_of(engine, stranger_only.submission.id).status == "registered"


def test_a_row_recorded_before_the_migration_is_decided_as_before(db_url: str) -> None:
    """sent_to "" (rows recorded before 0007): the address rule is skipped, as it was."""
    engine = get_engine(db_url)
    (waiting,) = record(engine, city_mail(51, "<old@x>", [KAIKEI]))
    with session_scope(engine) as session:
        row = session.get(Submission, waiting.submission.id)
        assert row is not None
        row.sent_to = ""
        session.add(row)
    import_city(engine, 51)
    (changed,) = register_waiting(engine, HOW, read_pdf)
    assert changed.registered
