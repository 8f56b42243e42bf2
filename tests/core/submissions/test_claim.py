"""Which messages are submissions (claim) and which are left alone (ignored)."""

from __future__ import annotations

import pytest

from hosho.core.documents.reader import read_pdf
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import get_engine
from hosho.core.submissions import staff_actions
from hosho.core.submissions.checks import Attachment, IncomingMail, examine
from hosho.core.submissions.claim import DEFAULT, terms_of
from hosho.core.submissions.rechecking import Recheck
from hosho.core.submissions.recording import record_batch
from hosho.core.submissions.statuses import Status
from tests.mailbox.ordinary import pdf
from tests.mailbox.town import certificate, notice


@pytest.mark.parametrize(
    "text",
    [
        "電子保証の提出",
        "Ｄ－Ｓｕｒｅに登録してください",  # full-width, a full-width hyphen
        "d-sure",
        "D‐SURE",  # U+2010 hyphen
        "認証 キー",  # a space, as some mail programs wrap
        "保証契約番号は0000000001です",
        "電子証書を送ります",
    ],
)
def test_terms_match_after_folding(text: str) -> None:
    assert DEFAULT.named_in(text)


@pytest.mark.parametrize(
    "text",
    ["契約保証金の納付", "信用保証協会", "前払金請求書", "保証", "保証証書の原本", "電子", "キー"],
)
def test_guarantee_or_advance_payment_alone_is_not_enough(text: str) -> None:
    assert not DEFAULT.named_in(text)


def test_a_town_adds_its_own_terms() -> None:
    sample, aya = terms_of(load_profile("sample-city")), terms_of(load_profile("aya"))
    assert sample.named_in("ｅ－Ｎｅｔ保証の書類")
    assert not aya.named_in("e-Net保証の書類")
    assert sample.named_in("電子保証")  # the defaults stay


def mail(**kw: object) -> IncomingMail:
    values: dict[str, object] = {
        "message_key": "<m@x>",
        "sender": "info1@aya-kensetsu.example.jp",
        "subject": "書類の送付",
        "text": "よろしくお願いします。",
    }
    values.update(kw)
    return IncomingMail(**values)  # type: ignore[arg-type]


def test_ordinary_mail_is_ignored_without_reading_further() -> None:
    invoice = Attachment("請求書.pdf", pdf("請求書", "前払金の額"), "application/pdf")
    for examined in (
        examine(mail(), read_pdf),
        examine(mail(attachments=[invoice]), read_pdf),
        examine(mail(sender="not an address"), read_pdf),  # not rejected: not ours at all
        examine(mail(refused="too large"), read_pdf),  # only headers, no term
    ):
        assert examined.status == Status.IGNORED


def test_a_notice_or_a_certificate_is_claimed_by_reading_it() -> None:
    sent = [Attachment("a.pdf", notice(1), "application/pdf")]
    assert examine(mail(attachments=sent), read_pdf).status is None  # decided against the db
    sent = [Attachment("b.pdf", certificate(1), "application/pdf")]
    assert examine(mail(attachments=sent), read_pdf).status == Status.WRONG_DOCUMENT


def test_a_term_in_the_subject_text_or_a_file_name_claims() -> None:
    garbage = [Attachment("認証キー等のお知らせ.pdf", b"\x00junk", "application/pdf")]
    assert examine(mail(attachments=garbage), read_pdf).status == Status.UNREADABLE
    assert examine(mail(subject="電子保証"), read_pdf).status == Status.NO_ATTACHMENT
    assert examine(mail(text="保証契約番号 0000000001"), read_pdf).status == Status.NO_ATTACHMENT
    assert examine(mail(subject="D-Sure", refused="大きすぎる"), read_pdf).status == (
        Status.UNREADABLE
    )
    assert examine(mail(subject="電子保証", sender="x"), read_pdf).status == (
        Status.REJECTED_SENDER
    )


def test_a_submission_claimed_by_its_text_stays_one_when_checked_again(town) -> None:  # type: ignore[no-untyped-def]
    """Only the subject and files are kept, not the text: ``retry`` does not apply the claim
    rule again (it would find no term and call the submission ``ignored``)."""
    engine, aya = get_engine(town), load_profile("aya")
    scan = Attachment("scan.pdf", b"%PDF-1.4\n" + bytes(range(256)), "application/pdf")
    claimed = mail(text="保証契約番号 0000000001 の件です。", attachments=[scan])
    (outcome,) = record_batch(engine, [(claimed, examine(claimed, read_pdf))], aya)
    assert outcome.status == Status.UNREADABLE and outcome.submission.id is not None
    again = staff_actions.retry(engine, outcome.submission.id, read_pdf, Recheck(aya, "cli:t"))
    assert again.submission.status == Status.UNREADABLE
