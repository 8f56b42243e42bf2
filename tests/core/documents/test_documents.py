"""The notice (認証キー等のお知らせ) and the certificate view (電子証書): content, round trips,
fonts, the use cases and the CLI."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import Engine

from hosho.core.documents.certificate import render_certificate
from hosho.core.documents.finding import MACHINE_FILE, find_in_text
from hosho.core.documents.issuing import (
    issue_notice,
    load_contract,
    notice_renderer,
    render_certificate_for,
)
from hosho.core.documents.notice import render_notice
from hosho.core.documents.reader import parse_pdf, read_pdf
from hosho.core.errors import DocumentError, NotFound
from hosho.core.rules.profile import load_profile
from hosho.core.store.db import session_scope
from hosho.core.store.models import Contract, Contractor
from hosho.core.text import squeeze

REQUIRE_SERVICES = os.environ.get("HOSHO_REQUIRE_SERVICES") == "1"
KEY = "A0O1-IL8B-5S2Z-QD0G"


def make_contract(**overrides: object) -> tuple[Contract, Contractor]:
    values: dict[str, object] = {
        "contract_number": "0000012345",
        "kind": "前払金保証",
        "contractor_id": 1,
        "orderer": "綾町",
        "project_name": "町道北俣線道路改良工事（その２）",
        "work_type": "工事",
        "contract_date": date(2024, 9, 10),
        "contract_amount": 45_100_000,
        "guarantee_amount": 18_040_000,
        "period_start": date(2024, 9, 10),
        "period_end": date(2025, 3, 25),
        "auth_key": KEY,
    }
    values.update(overrides)
    contractor = Contractor(
        id=1, customer_id="C000123", name="株式会社綾建設", email="a@example.jp"
    )
    return Contract(**values), contractor


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def notice_pdf() -> bytes:
    contract, contractor = make_contract()
    return render_notice(contract, contractor, load_profile("aya"), issued=date(2025, 4, 1))


def test_notice_says_everything_the_orderer_and_contractor_need(notice_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(notice_pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = squeeze(pdf_text(notice_pdf))
    for expected in (
        "電子証書閲覧用「認証キー」等のお知らせ",
        "令和7年4月1日",  # issue date in 和暦
        "株式会社綾建設様",
        "0000012345",
        KEY,
        "前払金保証",
        "綾町",
        "町道北俣線道路改良工事(その2)",
        "金18,040,000円",
        "令和6年9月10日から令和7年3月25日まで",
        "D-Sure",
        "発注者用保証確認サービス",
        "日本電子認証株式会社",
        "zaisei@town.aya.lg.jp",
        "STEP3",
        "誤って提出しない",
    ):
        assert expected in text, expected


def test_notice_embeds_a_machine_readable_copy(notice_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(notice_pdf))
    [blob] = reader.attachments[MACHINE_FILE]
    assert b'"auth_key": "A0O1-IL8B-5S2Z-QD0G"' in blob
    assert reader.metadata is not None and reader.metadata.subject == "hosho:auth_key_notice"


def test_notice_round_trip_through_embedded_copy_and_through_text(notice_pdf: bytes) -> None:
    parsed = parse_pdf(notice_pdf)
    assert (parsed.document, parsed.contract_number, parsed.auth_key) == (
        "auth_key_notice",
        "0000012345",
        KEY,
    )
    assert parsed.source == "embedded"
    # The visible text alone says the same (a notice re-printed to PDF loses attachments).
    found = find_in_text(pdf_text(notice_pdf))
    assert (found.contract_number, found.auth_key) == ("0000012345", KEY)


def test_notice_uses_the_submission_address_for_the_kind() -> None:
    profile = load_profile("aya").model_copy(
        update={"address_by_kind": {"契約保証": "keiyaku@town.example.jp"}}
    )
    contract, contractor = make_contract(kind="契約保証")
    text = pdf_text(render_notice(contract, contractor, profile))
    assert "keiyaku@town.example.jp" in text and "zaisei@town.aya.lg.jp" not in text


def test_certificate_is_titled_by_kind_never_shows_the_key_and_is_recognised() -> None:
    profile = load_profile("aya")
    for kind, title in (
        ("前払金保証", "前払金保証証書"),
        ("中間前払金保証", "中間前払金保証証書"),
        ("契約保証", "契約保証証書"),
    ):
        contract, contractor = make_contract(kind=kind)
        data = render_certificate(contract, contractor, profile)
        text = squeeze(pdf_text(data))
        assert title in text and "電子証書です" in text and "0000012345" in text
        assert KEY not in text and KEY.replace("-", "") not in text
        assert KEY.encode() not in data  # not in metadata or the embedded copy either
        parsed = parse_pdf(data)
        assert (parsed.document, parsed.contract_number, parsed.auth_key) == (
            "certificate",
            "0000012345",
            None,
        )
        # Also from its text alone, as the mail front end would see a re-printed file.
        assert find_in_text(pdf_text(data)).looks_like_certificate


def test_reservation_has_no_electronic_document() -> None:
    contract, contractor = make_contract(kind="契約保証予約")
    with pytest.raises(DocumentError, match="契約保証予約"):
        render_notice(contract, contractor, load_profile("aya"))
    with pytest.raises(DocumentError):
        render_certificate(contract, contractor, load_profile("aya"))


def test_a_character_the_font_lacks_is_an_error_not_a_blank_box() -> None:
    contract, contractor = make_contract()
    contractor.name = "株式会社ሀ建設"  # Ethiopic: not in Noto Sans CJK JP
    with pytest.raises(DocumentError, match="U\\+1200"):
        render_notice(contract, contractor, load_profile("aya"))


def test_long_project_name_is_wrapped_not_cut(tmp_path: Path) -> None:
    name = "綾町大字南俣地内町道改良工事及び附帯工事" * 12 + "（最終工区）"
    contract, contractor = make_contract(project_name=name)
    data = render_notice(contract, contractor, load_profile("aya"))
    assert squeeze(name) in squeeze(pdf_text(data))
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) <= 2


def test_body_font_replaces_the_packaged_font(tmp_path: Path) -> None:
    from hosho.core.documents import fonts as pdf_fonts

    latin_only = pdf_fonts.key_font_path()  # a real font without Japanese glyphs
    assert pdf_fonts.body_font_path(latin_only) == latin_only
    assert pdf_fonts.body_font_path() == _noto()
    contract, contractor = make_contract()
    with pytest.raises(DocumentError, match=latin_only.name):
        render_notice(contract, contractor, load_profile("aya"), body_font=latin_only)
    with pytest.raises(DocumentError, match=latin_only.name):
        render_certificate(contract, contractor, load_profile("aya"), body_font=latin_only)
    with pytest.raises(DocumentError, match=latin_only.name):  # what a Conversation calls
        notice_renderer(latin_only)(contract, contractor, load_profile("aya"))
    copy = tmp_path / "MyJapanese.otf"
    shutil.copyfile(_noto(), copy)
    data = render_notice(contract, contractor, load_profile("aya"), body_font=copy)
    assert pdf_fonts.glyph_source(copy, "body").path == copy
    assert read_pdf(data).auth_key == KEY


def _noto() -> Path:
    import noto_cjk_sans_jp_regular

    return Path(noto_cjk_sans_jp_regular.__file__).with_name("NotoSansCJKjp-Regular.otf")


def render_page_one(data: bytes, tmp_path: Path) -> tuple[int, int, bytes]:
    """Page 1 as an 8-bit grey image (width, height, pixels) by poppler's pdftoppm."""
    import re

    if shutil.which("pdftoppm") is None:
        if REQUIRE_SERVICES:
            pytest.fail("pdftoppm (poppler-utils) is missing")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(
        ["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
        capture_output=True,
        text=True,
    )
    assert "rror" not in out.stderr, out.stderr  # poppler complains about broken fonts
    [image] = tmp_path.glob("p*.pgm")
    raw = image.read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", raw)
    assert header is not None
    width, height = int(header[1]), int(header[2])
    return width, height, raw[header.end() : header.end() + width * height]


def ink(pixels: bytes) -> int:
    return sum(1 for p in pixels if p < 128)


def test_rendered_notice_is_not_blank_and_shows_the_key(notice_pdf: bytes, tmp_path: Path) -> None:
    width, height, pixels = render_page_one(notice_pdf, tmp_path)
    assert ink(pixels) / len(pixels) > 0.01, "page 1 is (almost) blank"
    # Ink in the key box's band (about 50-58 % down the page): the key was drawn.
    assert ink(pixels[int(height * 0.50) * width : int(height * 0.58) * width]) > 200


def test_rendered_certificate_is_not_blank(tmp_path: Path) -> None:
    contract, contractor = make_contract()
    data = render_certificate(contract, contractor, load_profile("aya"))
    width, height, pixels = render_page_one(data, tmp_path)
    assert ink(pixels) / len(pixels) > 0.01
    assert ink(pixels[int(height * 0.13) * width : int(height * 0.18) * width]) > 100  # title


@pytest.fixture
def stored(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        contractor = Contractor(customer_id="C000123", name="株式会社綾建設", email="a@example.jp")
        session.add(contractor)
        session.flush()
        contract, _ = make_contract(contractor_id=contractor.id, contract_number="000123-45")
        session.add(contract)
    return engine


def test_issue_notice_looks_the_contract_up_by_normalised_number(stored: Engine) -> None:
    data, contract = issue_notice(stored, load_profile("aya"), "０００１２３ー４５")
    assert contract.contract_number == "000123-45"
    assert read_pdf(data).contract_number == "000123-45"
    cert, _ = render_certificate_for(stored, load_profile("aya"), "000123-45")
    assert read_pdf(cert).document == "certificate"


def test_unknown_or_someone_elses_contract_is_not_found(stored: Engine) -> None:
    with pytest.raises(NotFound):
        issue_notice(stored, load_profile("aya"), "999")
    with pytest.raises(NotFound) as other:
        load_contract(stored, "000123-45", customer_id="C999999")
    with pytest.raises(NotFound) as missing:
        load_contract(stored, "000123-46", customer_id="C999999")
    assert str(other.value).replace("45", "46") == str(missing.value)
    assert load_contract(stored, "000123-45", customer_id="C000123")[1].name == "株式会社綾建設"


def test_cli_issue_parse_render(stored: Engine, db_url: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    def _hosho(args: list[str], cwd: Path, url: str) -> subprocess.CompletedProcess[str]:
        return cli(*args, cwd=cwd, env={"HOSHO_DATABASE_URL": url})

    out = _hosho(["notice", "issue", "000123-45", "--out", "n.pdf"], tmp_path, db_url)
    assert out.returncode == 0, out.stderr
    assert "zaisei@town.aya.lg.jp" in out.stdout
    parsed = _hosho(["notice", "parse", "n.pdf", "--json"], tmp_path, db_url)
    assert parsed.returncode == 0, parsed.stderr
    import json

    assert json.loads(parsed.stdout) == {
        "document": "auth_key_notice",
        "contract_number": "000123-45",
        "auth_key": KEY,
        "reason": "",
        "source": "embedded",
        # what the notice prints (ledger mode registers from it)
        "kind": "前払金保証",
        "orderer": "綾町",
        "project_name": "町道北俣線道路改良工事（その２）",
    }
    cert = _hosho(["certificate", "render", "000123-45", "--out", "c.pdf"], tmp_path, db_url)
    assert cert.returncode == 0, cert.stderr
    kind = _hosho(["notice", "parse", "c.pdf", "--json"], tmp_path, db_url)
    assert json.loads(kind.stdout)["document"] == "certificate"
    missing = _hosho(["notice", "issue", "42", "--out", "x.pdf"], tmp_path, db_url)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "Traceback" not in missing.stderr and not (tmp_path / "x.pdf").exists()


def test_cli_documents_use_the_hosho_pdf_font_setting(  # type: ignore[no-untyped-def]
    stored: Engine, db_url: str, tmp_path: Path, cli
) -> None:
    """HOSHO_PDF_FONT reaches the documents through the Runtime's settings."""
    from hosho.core.documents.fonts import key_font_path

    latin_only = key_font_path()  # a real font without Japanese glyphs
    for args in (["notice", "issue"], ["certificate", "render"]):
        out = cli(
            *args, "000123-45", "--out", "x.pdf", cwd=tmp_path,
            env={"HOSHO_DATABASE_URL": db_url, "HOSHO_PDF_FONT": str(latin_only)},
        )  # fmt: skip
        assert out.returncode == 1, out.stdout
        assert latin_only.name in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_invisible_characters_in_data_are_dropped_not_an_error() -> None:
    contract, contractor = make_contract(project_name="町道\u200b改良\t工事\ufeff")
    contractor.name = "株式会社\u00ad綾建設\x07"
    text = pdf_text(render_notice(contract, contractor, load_profile("aya")))
    assert "町道改良 工事" in text and "株式会社綾建設" in text
    assert not {"\u200b", "\ufeff", "\u00ad", "\x07"} & set(text)
