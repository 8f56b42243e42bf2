"""Reading PDFs laid out by someone else: other wording, tables, full-width characters,
spaces between characters, columns read out of order, certificates, and non-notices."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdf
import pytest
from fpdf import FPDF

from hosho.core.documents.finding import find_in_text
from hosho.core.documents.fonts import BODY, add_fonts
from hosho.core.documents.reader import ParsedDocument, parse_pdf, read_pdf

Draw = Callable[[FPDF], None]


def foreign_pdf(texts: list[str], draw: Draw) -> bytes:
    """A PDF made the way another issuer might: plain fpdf2, no embedded hosho data."""
    pdf = FPDF(format="A4")
    add_fonts(pdf, "".join(texts))
    pdf.add_page()
    pdf.set_font(BODY, size=11)
    draw(pdf)
    return bytes(pdf.output())


def lines_pdf(lines: list[str]) -> bytes:
    def draw(pdf: FPDF) -> None:
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")

    return foreign_pdf(lines, draw)


def table_pdf(title: str, rows: list[tuple[str, str]]) -> bytes:
    def draw(pdf: FPDF) -> None:
        pdf.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
        with pdf.table(col_widths=(40, 120), first_row_as_headings=False) as table:
            for label, value in [("項目", "内容"), *rows]:
                row = table.row()
                row.cell(label)
                row.cell(value)

    return foreign_pdf([title, "項目内容", *(a + b for a, b in rows)], draw)


def both(data: bytes) -> ParsedDocument:
    """Parse isolated and in-process; the two must agree."""
    isolated, local = parse_pdf(data), read_pdf(data)
    assert isolated == local
    return isolated


def test_surety_company_table_with_full_width_digits_and_letters() -> None:
    data = table_pdf(
        "電子証書閲覧用「認証キー」等のお知らせ",
        [
            ("保証契約番号", "２０２４０９－００１２３"),
            ("認証キー", "ＷＸ７Ｋ－９ＰＱ２－ＬＭ４Ｎ－Ｒ８ＳＴ"),
            ("発注者", "綾町長　様"),
            ("保証金額", "４，８００，０００円"),
        ],
    )
    parsed = both(data)
    assert (parsed.document, parsed.contract_number, parsed.auth_key, parsed.source) == (
        "auth_key_notice",
        "202409-00123",
        "WX7K-9PQ2-LM4N-R8ST",
        "text",
    )


def test_other_wording_spaces_between_characters_and_no_hyphens() -> None:
    data = lines_pdf(
        [
            "保 証 証 書 の 閲 覧 に 必 要 な 情 報",
            "証書番号 ： ０ ０ ０ ０ ０ ５ ５ ５ ０ １",
            "認 証 キ ー ： a b c d e f g h j k m n p q r s",
            "上記を発注者にお渡しください。",
        ]
    )
    parsed = both(data)
    assert (parsed.document, parsed.contract_number, parsed.auth_key) == (
        "auth_key_notice",
        "0000055501",
        "ABCD-EFGH-JKMN-PQRS",
    )


def test_columns_extracted_out_of_order() -> None:
    labels = ["保証契約番号", "認証キー", "工事名", "保証期間"]
    values = ["0000077702", "Q9RT-2W8X-Z3C4-V6B7", "町道改良工事", "令和7年3月31日まで"]

    def draw(pdf: FPDF) -> None:
        for i, label in enumerate(labels):  # all labels first, then all values
            pdf.text(20, 40 + 10 * i, label)
        for i, value in enumerate(values):
            pdf.text(70, 40 + 10 * i, value)

    parsed = both(foreign_pdf(labels + values, draw))
    assert (parsed.document, parsed.contract_number, parsed.auth_key) == (
        "auth_key_notice",
        "0000077702",
        "Q9RT-2W8X-Z3C4-V6B7",
    )


def test_foreign_certificate_is_recognised_as_the_step3_file() -> None:
    data = lines_pdf(
        [
            "契約保証証書",
            "保証契約番号　２０２４００８８",
            "この保証証書は電子証書として交付されています。",
            "保証金額　金1,200,000円",
        ]
    )
    parsed = both(data)
    assert (parsed.document, parsed.contract_number, parsed.auth_key) == (
        "certificate",
        "20240088",
        None,
    )


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (
            ["請求書", "御請求金額　金12,000円", "お支払期限　令和7年4月30日"],
            "認証キー等のお知らせではありません",
        ),
        (
            ["電子証書閲覧用「認証キー」等のお知らせ", "認証キー　ABCD-EFGH-JKMN-PQRS"],
            "保証契約番号",
        ),
        (["電子証書閲覧用「認証キー」等のお知らせ", "保証契約番号　0000000001"], "認証キー"),
    ],
)
def test_not_a_complete_notice_is_unknown_with_a_reason(lines: list[str], reason: str) -> None:
    parsed = both(lines_pdf(lines))
    assert parsed.document == "unknown" and parsed.contract_number is None
    assert parsed.auth_key is None and reason in parsed.reason


def test_image_only_pdf_says_there_is_no_text() -> None:
    def draw(pdf: FPDF) -> None:
        pdf.rect(20, 20, 100, 60, style="F")

    parsed = both(foreign_pdf([], draw))
    assert parsed.document == "unknown" and "文字がありません" in parsed.reason


def test_text_matching_rules() -> None:
    # pypdf's spaces between CJK characters, a gloss in brackets, dashes of every kind
    found = find_in_text(
        "保 証 契 約 番 号 （ 証 書 番 号 ） ： ０１２３ー４５６\n認証キー【ＡＢＣＤ―ＥＦＧＨ−ＪＫＭＮ‐ＰＱＲＳ】"
    )
    assert (found.contract_number, found.auth_key) == ("0123-456", "ABCD-EFGH-JKMN-PQRS")
    # The title's 「認証キー」 and prose mentioning the labels are not values
    found = find_in_text("「保証契約番号」と「認証キー」をお知らせします。認証キーは暗証番号です。")
    assert (found.contract_number, found.auth_key) == (None, None)
    # A 17-character run is not a key
    assert find_in_text("認証キー ABCDEFGHJKMNPQRST").auth_key is None
    # Squeezing runs the next ASCII word on: values stop where they should
    found = find_in_text("保証契約番号 0000012345 Page 1\n認証キー ABCD-EFGH-JKMN-PQRS D-Sure")
    assert (found.contract_number, found.auth_key) == ("0000012345", "ABCD-EFGH-JKMN-PQRS")
    assert find_in_text("保証契約番号：KS-2024-0012").contract_number == "KS-2024-0012"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_encrypted_pdf_is_unknown_unless_it_opens_without_a_password(algorithm: str) -> None:
    """Producers often protect a notice against editing: encrypted, with an owner password
    only (AES needs the cryptography package, a declared dependency)."""
    notice = table_pdf(
        "認証キー等のお知らせ",
        [("保証契約番号", "0000012345"), ("認証キー", "ABCD-EFGH-JKMN-PQRS")],
    )
    for user_password, expected in (("secret", "unknown"), ("", "auth_key_notice")):
        writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(notice)))
        writer.encrypt(user_password, owner_password="owner", algorithm=algorithm)
        out = io.BytesIO()
        writer.write(out)
        parsed = both(out.getvalue())
        assert parsed.document == expected
        if expected == "unknown":
            assert "暗号化" in parsed.reason
        else:
            assert parsed.auth_key == "ABCD-EFGH-JKMN-PQRS"


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b'{"schema": "other/1", "document": "auth_key_notice"}',
        b'{"schema": "hosho.document/1", "document": "auth_key_notice", "contract_number": "1",'
        b' "auth_key": "short"}',
        b"[" * 10_000,
    ],
)
def test_a_bad_embedded_copy_falls_back_to_the_text(payload: bytes) -> None:
    def draw(pdf: FPDF) -> None:
        pdf.cell(0, 8, "保証契約番号　0000012345", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 8, "認証キー　ABCD-EFGH-JKMN-PQRS")
        pdf.embed_file(bytes=payload, basename="hosho-document.json")

    parsed = both(foreign_pdf(["保証契約番号　0000012345", "認証キー　ABCD-EFGH-JKMN-PQRS"], draw))
    assert (parsed.document, parsed.source) == ("auth_key_notice", "text")
    assert (parsed.contract_number, parsed.auth_key) == ("0000012345", "ABCD-EFGH-JKMN-PQRS")


def test_two_notices_in_one_pdf_are_not_half_read() -> None:
    data = lines_pdf(
        [
            "保証契約番号　0000012345",
            "認証キー　ABCD-EFGH-JKMN-PQRS",
            "保証契約番号　0000067890",
            "認証キー　WXYZ-2345-6789-ABCD",
        ]
    )
    parsed = both(data)
    assert parsed.document == "unknown" and "複数" in parsed.reason


def test_the_works_contract_number_is_not_taken_for_the_surety_number() -> None:
    found = find_in_text(
        "契約番号　R6-0042\n保証契約番号　0000012345\n認証キー　ABCD-EFGH-JKMN-PQRS"
    )
    assert (found.contract_number, found.several) == ("0000012345", False)


def test_a_notice_s_details_are_read_from_its_table_not_from_its_prose() -> None:
    """Ledger mode registers from what the notice prints: kind, orderer, project name; the
    sentence 「発注者が電子証書を…」 above the table is not the orderer."""
    import io

    import pypdf

    from hosho.core.documents.finding import find_details
    from hosho.core.documents.reader import read_pdf
    from tests.mailbox.town import OTHER_ORDERER, notice

    text = pypdf.PdfReader(io.BytesIO(notice(3))).pages[0].extract_text()
    assert find_details(text) == {
        "kind": "前払金保証",
        "orderer": "綾町",
        "project_name": "町道南俣線道路改良工事(第3工区)",
    }
    assert read_pdf(notice(OTHER_ORDERER)).orderer == "延岡市"
    surety = "保証契約番号 1234567 保証の種類 中間前払金保証 発注者名：綾町長 工事件名 橋梁補修"
    assert find_details(surety) == {
        "kind": "中間前払金保証",
        "orderer": "綾町長",
        "project_name": "橋梁補修",
    }
    assert find_details("認証キー ABCD-EFGH-JKMN-PQRS") == dict.fromkeys(
        ("kind", "orderer", "project_name")
    )
