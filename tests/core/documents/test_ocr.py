"""Scans and photos of notices read by OCR (Tesseract jpn) in the isolated worker: each
reads right, or its key is not trusted (a person decides); never a key guessed. OCR costs
1-3 s a page, so the scans here are few."""

from __future__ import annotations

import json
import time
from io import BytesIO

import pytest
from PIL import Image

from hosho.core.documents.ocr import (
    NO_ENGINE,
    OcrLimits,
    _fold_numbers,
    languages,
    read_scan,
    same_key_folded,
    what_is_off,
)
from hosho.core.documents.reader import NO_TEXT, SCANNED, parse_pdf, read_pdf
from hosho.core.documents.worker import PdfWorker
from tests.core.documents.producers import PRODUCERS, Facts
from tests.core.documents.scans import Scan, require_ocr, scanned
from tests.core.documents.test_producers import producer as checked_producer
from tests.mailbox.town import key_for, notice

KEY = "WX7K-9PQ2-LM4N-R8ST"


def test_a_key_read_by_ocr_counts_only_as_the_imported_key_with_look_alikes_folded() -> None:
    key = "A0O1-IL8B-5S2Z-QD0G"
    assert same_key_folded("A0O1-IL8B-5S2Z-QD0G", key)
    assert same_key_folded("AO01-1L8B-S5Z2-QDOG", key)  # each look-alike for the other
    assert same_key_folded("a0ol-lL8b-5s2z-qd0g", key)  # lower case; l for 1 and for I
    assert same_key_folded("aoO1-IL8B-5S2Z-QDoG", key)  # o for 0
    assert not same_key_folded("A0O1-TL8B-5S2Z-QD0G", key)  # T is not a look-alike of I
    assert not same_key_folded("A0O1-IL8B-5S2Z-0D0G", key)  # Q/0 is not folded
    assert not same_key_folded("A0O1-IL8B-5S2Z-QD0", key)  # a character missing
    assert not same_key_folded("A0O1-IL8B-5S52Z-QD0G", key)  # one too many
    # Folding is against the key: an O in the key accepts a 0 read, never another letter
    assert not same_key_folded("A0Q1-IL8B-5S2Z-QD0G", key)


def test_a_number_read_by_ocr_has_its_letters_folded_into_digits() -> None:
    assert _fold_numbers("保証契約番号 2O24O9-OO123") == "保証契約番号 202409-00123"
    assert _fold_numbers("保証契約番号：OOOOOI2345") == "保証契約番号：0000012345"
    assert _fold_numbers("保証契約番号 ABCDEF12") == "保証契約番号 ABCDEF12"  # < 4 digits: a word
    assert _fold_numbers("証書番号 Bl0S-2034") == "証書番号 8105-2034"


@pytest.mark.parametrize(
    ("producer", "scan", "key_read"),
    [
        # a printed notice scanned at 150 dpi, a little skewed, with dust
        ("fpdf2-otf", Scan(dpi=150, angle=1.5, speckles=300), True),
        # a phone photo: turned the other way, out of focus, JPEG quality 70
        ("fpdf2-otf", Scan(dpi=150, angle=-2.0, speckles=300, blur=0.8, fmt="JPEG"), True),
        # another producer's notice scanned at 300 dpi to PNG
        ("reportlab-ttf", Scan(dpi=300, angle=0.7, fmt="PNG"), True),
        # hosho's own notice (shaded label cells, the key in a box), straight at 150 dpi
        ("hosho:5", Scan(dpi=150, speckles=100), True),
        # the same for contract 6: its key's line reads with a character too many, so no
        # key is trusted (a person decides)
        ("hosho:6", Scan(dpi=150), False),
    ],
)
def test_scans_and_photos_of_another_producers_notice_read_right_or_wait(
    producer: str, scan: Scan, key_read: bool
) -> None:
    require_ocr()
    if producer.startswith("hosho:"):
        n = int(producer.split(":")[1])
        number, key, pdf = f"{n:010d}", key_for(n), notice(n)
    else:
        number, key, pdf = "202409-00123", KEY, checked_producer(producer)(Facts())
    parsed = parse_pdf(scanned(pdf, scan))
    assert (parsed.document, parsed.contract_number, parsed.source) == (
        "auth_key_notice",
        number,
        "ocr",
    ), parsed
    assert bool(parsed.auth_key and same_key_folded(parsed.auth_key, key)) is key_read, parsed


def test_an_image_only_pdf_goes_to_ocr_and_a_pdf_without_images_does_not() -> None:
    require_ocr()
    data = scanned(PRODUCERS["fpdf2-otf"](Facts()), Scan(dpi=150))
    assert read_pdf(data).reason == SCANNED  # the text reader alone says what it is
    assert parse_pdf(data).source == "ocr"
    assert parse_pdf(data, isolated=False).source == "ocr"


def test_without_the_engine_a_scan_asks_for_the_step4_pdf() -> None:
    data = scanned(PRODUCERS["fpdf2-otf"](Facts()), Scan(dpi=100, fmt="JPEG"))
    for limits in (OcrLimits(command="no-such-tesseract"), OcrLimits(enabled=False)):
        worker = PdfWorker(ocr=limits)
        try:
            parsed = worker.parse(data)
        finally:
            worker.close()
        assert (parsed.document, parsed.reason) == ("unknown", NO_ENGINE)
        assert "STEP4" in parsed.reason


def test_ocr_is_bounded_in_time_and_the_worker_goes_on() -> None:
    require_ocr()
    data = scanned(PRODUCERS["fpdf2-otf"](Facts()), Scan(dpi=150, fmt="PNG"))
    worker = PdfWorker(ocr=OcrLimits(seconds=0.05))
    try:
        started = time.monotonic()
        parsed = worker.parse(data)
        assert parsed.document == "unknown" and "時間" in parsed.reason
        assert time.monotonic() - started < 10
        assert worker.parse(PRODUCERS["fpdf2-otf"](Facts())).auth_key == KEY  # still serving
    finally:
        worker.close()


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,  # a broken PNG
        b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,  # a broken JPEG
    ],
)
def test_a_broken_image_is_unknown_with_a_reason(data: bytes) -> None:
    parsed = read_scan(data, OcrLimits(command="no-such-tesseract"))
    assert parsed.document == "unknown" and "画像" in parsed.reason


def test_an_image_bomb_is_refused_before_it_is_decoded() -> None:
    out = BytesIO()
    Image.new("1", (9_000, 9_000), 1).save(out, format="PNG")  # 81 M pixels in ~10 KB
    parsed = read_scan(out.getvalue())
    assert parsed.document == "unknown" and "大きすぎ" in parsed.reason


def test_a_blank_page_has_no_text_and_no_key() -> None:
    out = BytesIO()
    Image.new("L", (1240, 1754), 255).save(out, format="PDF", resolution=150)
    assert read_pdf(out.getvalue()).reason == SCANNED
    assert read_scan(out.getvalue(), OcrLimits(command="no-such-tesseract")).reason == NO_ENGINE
    assert NO_TEXT != SCANNED


def test_start_up_says_when_ocr_is_wanted_but_cannot_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    languages.cache_clear()
    try:
        line = what_is_off(OcrLimits())
        assert line is not None and "tesseract" in line and "STEP4" in line
        assert what_is_off(OcrLimits(enabled=False)) is None  # turned off knowingly
    finally:
        languages.cache_clear()


def test_notice_parse_reads_a_photo_and_says_the_source(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    require_ocr()
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(scanned(PRODUCERS["fpdf2-otf"](Facts()), Scan(dpi=150, fmt="JPEG")))
    parsed = cli("notice", "parse", str(photo), "--json")
    assert parsed.returncode == 0, parsed.stderr
    read = json.loads(parsed.stdout)
    assert (read["document"], read["contract_number"], read["source"]) == (
        "auth_key_notice",
        "202409-00123",
        "ocr",
    )
    plain = cli("notice", "parse", str(photo), env={"HOSHO_OCR": "false"})
    assert plain.returncode == 0 and "document: unknown" in plain.stdout
    assert "STEP4" in plain.stdout
