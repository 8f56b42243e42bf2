"""Notices made by other programs (tests/core/documents/producers.py) read right: the same
number and key from every producer and layout, in the worker and in-process."""

from __future__ import annotations

import pytest

from hosho.core.documents.extraction import clean
from hosho.core.documents.reader import ParsedDocument, parse_pdf, read_pdf
from tests.conftest import require_or_skip
from tests.core.documents.producers import AMBIGUOUS, IPA_GOTHIC, PRODUCERS, ROUND_TWO, Facts

NEEDS_TTF = {"fpdf2-ttf", "reportlab-ttf"}


def read_both(data: bytes) -> ParsedDocument:
    """Parse isolated and in-process; the two must agree."""
    isolated, local = parse_pdf(data), read_pdf(data)
    assert isolated == local
    return isolated


def producer(name: str):  # type: ignore[no-untyped-def]
    if (name in NEEDS_TTF or name in ROUND_TWO or name in AMBIGUOUS) and IPA_GOTHIC is None:
        require_or_skip("no Japanese TrueType font (apt-get install fonts-ipafont-gothic)")
    return {**PRODUCERS, **ROUND_TWO, **AMBIGUOUS}[name]


@pytest.mark.parametrize("name", sorted({**PRODUCERS, **ROUND_TWO}))
def test_every_producer_reads_the_number_and_key(name: str) -> None:
    """The first corpus, and the second round's layouts and encodings: /Rotate 90, rotated
    text, Form XObjects, a filled form field, a cover page, other labels (証券番号 beside the
    works contract's 契約番号, 保証番号, 認 証 キ ー, 認証ｷｰ, dot leaders), a Courier key with
    letter-spacing, a header-row table beside a 16-character 受付番号, a pypdf rewrite with a
    PDF 2.0 header, an incremental update of the key."""
    parsed = read_both(producer(name)(Facts()))
    assert (parsed.document, parsed.contract_number, parsed.auth_key, parsed.source) == (
        "auth_key_notice",
        "202409-00123",
        "WX7K-9PQ2-LM4N-R8ST",
        "text",
    )


@pytest.mark.parametrize(
    ("name", "printed_key"),
    [
        ("monospaced-key", "wx7k–9pq2–lm4n–r8st"),  # lower case, en dashes, in Courier
        ("monospaced-key", "WX7K 9PQ2 LM4N R8ST"),
        ("rotated-page", "ＷＸ７Ｋ－９ＰＱ２－ＬＭ４Ｎ－Ｒ８ＳＴ"),
        ("rotated-text", "WX7K－9PQ2－LM4N－R8ST"),
        ("form-template", "WX7K‐9PQ2‐LM4N‐R8ST"),
        ("cover-page", "WX7K—9PQ2—LM4N—R8ST"),
        ("header-row-table", "wx7k-9pq2-lm4n-r8st"),
        ("form-field", "wx7k9pq2lm4nr8st"),
    ],
)
def test_round_two_keys_in_other_forms(name: str, printed_key: str) -> None:
    parsed = read_both(producer(name)(Facts(printed_key=printed_key)))
    assert (parsed.document, parsed.contract_number, parsed.auth_key) == (
        "auth_key_notice",
        "202409-00123",
        "WX7K-9PQ2-LM4N-R8ST",
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [("two-notices", "複数の認証キー"), ("masked-then-notice", "複数の保証契約番号")],
)
def test_two_notices_in_one_pdf_are_unknown_never_a_mix(name: str, reason: str) -> None:
    parsed = read_both(producer(name)(Facts()))
    assert (parsed.document, parsed.contract_number, parsed.auth_key) == ("unknown", None, None)
    assert reason in parsed.reason and "1件ずつ別のPDFでお送りください" in parsed.reason


@pytest.mark.parametrize(
    ("name", "facts", "number"),
    [
        ("fpdf2-otf", Facts(printed_key="WX7K 9PQ2 LM4N R8ST"), "202409-00123"),
        (
            "reportlab-cid",
            Facts(printed_key="ＷＸ７Ｋ－９ＰＱ２－ＬＭ４Ｎ－Ｒ８ＳＴ"),
            "202409-00123",
        ),
        ("small-runs", Facts(printed_number="２０２４０９―００１２３"), "202409-00123"),
        ("two-columns", Facts(printed_number="2 0 2 4 0 9 - 0 0 1 2 3"), "202409-00123"),
        # Digit groups apart: the space is not guessed into a hyphen (the lookup ignores both).
        ("fpdf2-otf", Facts(printed_number="202409 00123"), "20240900123"),
        ("cid-identity", Facts(printed_key="WX7K-9PQ2-\u200bLM4N-R8ST"), "202409-00123"),
    ],
)
def test_keys_and_numbers_printed_with_spaces_and_other_forms(
    name: str, facts: Facts, number: str
) -> None:
    parsed = read_both(producer(name)(facts))
    assert (parsed.document, parsed.contract_number, parsed.auth_key) == (
        "auth_key_notice",
        number,
        "WX7K-9PQ2-LM4N-R8ST",
    )


def test_two_notices_laid_out_by_another_program_are_not_half_read() -> None:
    one = Facts(printed_key="WX7K-9PQ2-LM4N-R8ST\n認証キー AAAA-BBBB-CCCC-DDDD")
    parsed = read_both(PRODUCERS["fpdf2-otf"](one))
    assert parsed.document == "unknown"
    assert "複数の認証キー" in parsed.reason


def test_cleaning_what_extraction_returns() -> None:
    assert clean("\x00認\x00証\x00キ\x00ー\u200b\ufeff") == "認証キー"
    assert clean("２ ０ ２ ４ ０ ９ － ０ ０ １ ２ ３") == "202409-00123"
    assert clean("WX7K - 9PQ2 ‐ LM4N") == "WX7K-9PQ2‐LM4N"
    assert clean("202409 00123") == "202409 00123"  # a gap is never turned into a hyphen
    assert clean("ab\tcd\r\ne") == "ab cd\ne"
