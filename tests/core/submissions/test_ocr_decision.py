"""The decision on a notice read by OCR (``source="ocr"``), on SQLite and PostgreSQL: its key
counts only when it is the imported key with look-alikes folded; any other key, a missing
key or a number never imported waits for a person (``needs_review``), never registered.
And a number read without its hyphens finds the contract with the same digits.

The reader is replaced by a function returning what OCR would have read (the reading
itself is tested in tests/core/documents/test_ocr.py)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hosho.core.contracts.importing import import_contracts
from hosho.core.documents.reader import ParsedDocument, read_pdf
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import get_engine, session_scope
from hosho.core.store.models import DsureRegistration
from hosho.core.submissions.checks import Attachment, IncomingMail
from hosho.core.submissions.recording import process
from hosho.core.submissions.statuses import Status
from tests.factories import contract_csv, contract_row
from tests.mailbox.town import key_for, notice, number

KEY = key_for(1)  # S7N8-4FCK-AS5S-39YZ


def submit(db_url: str, read: ParsedDocument, tag: str) -> str:
    mail = IncomingMail(
        message_key=f"<{tag}@x>",
        sender="info1@aya-kensetsu.example.jp",
        subject="提出",
        attachments=[Attachment("scan.jpg", b"\xff\xd8\xff" + bytes(20_000), "image/jpeg")],
    )
    outcome = process(get_engine(db_url), mail, load_profile("aya"), lambda _data: read)
    return outcome.status


def ocr(number_read: str, key_read: str | None) -> ParsedDocument:
    return ParsedDocument("auth_key_notice", number_read, key_read, source="ocr")


def registered(db_url: str) -> int:
    with session_scope(get_engine(db_url)) as session:
        return len(session.exec(select(DsureRegistration)).all())


@pytest.mark.parametrize(
    ("key_read", "status"),
    [
        (KEY, Status.REGISTERED),
        ("57N8-4FCK-A55S-39Y2", Status.REGISTERED),  # S read as 5, Z as 2
        ("S7N8-4FCK-AS5S-39YX", Status.NEEDS_REVIEW),  # X is not a look-alike of Z
        ("S7N8-4FCK-AS5S-39Y", Status.NEEDS_REVIEW),  # a character missing
        (None, Status.NEEDS_REVIEW),  # the key could not be read at all
    ],
)
def test_a_key_read_by_ocr_registers_only_as_the_imported_key(  # type: ignore[no-untyped-def]
    town, key_read: str | None, status: Status
) -> None:
    assert submit(town, ocr(number(1), key_read), "a") == status
    assert registered(town) == (1 if status == Status.REGISTERED else 0)


def test_a_number_never_imported_read_by_ocr_waits_like_a_wrong_key(town) -> None:  # type: ignore[no-untyped-def]
    assert submit(town, ocr(number(99_999), KEY), "a") == Status.NEEDS_REVIEW
    text = ParsedDocument("auth_key_notice", number(99_999), KEY, source="text")
    assert submit(town, text, "b") == Status.UNKNOWN_CONTRACT  # read from text: said so
    assert registered(town) == 0


def test_a_number_read_without_its_hyphens_finds_the_contract(db_url: str) -> None:
    key = key_for(7)
    rows = [contract_row(7, contract_number="202409-00123", auth_key=key)]
    import_contracts(get_engine(db_url), contract_csv(rows), actor="test")
    read = ParsedDocument("auth_key_notice", "20240900123", key, source="text")
    assert submit(db_url, read, "a") == Status.REGISTERED
    other = ParsedDocument("auth_key_notice", "20240900124", key, source="text")
    assert submit(db_url, other, "b") == Status.UNKNOWN_CONTRACT


def test_the_pdf_itself_beats_a_photo_of_it_in_the_same_mail(town) -> None:  # type: ignore[no-untyped-def]
    photo = b"\xff\xd8\xff" + bytes(20_000)
    misread = ocr(number(2), KEY)  # the photo's number read wrong: not "several notices"

    def read(data: bytes) -> ParsedDocument:
        return misread if data == photo else read_pdf(data)

    mail = IncomingMail(
        message_key="<both@x>",
        sender="info1@aya-kensetsu.example.jp",
        subject="提出",
        attachments=[
            Attachment("photo.jpg", photo, "image/jpeg"),
            Attachment("n.pdf", notice(1), "application/pdf"),
        ],
    )
    outcome = process(get_engine(town), mail, load_profile("aya"), read)
    assert outcome.status == Status.REGISTERED
    assert outcome.submission.contract_number == number(1)
