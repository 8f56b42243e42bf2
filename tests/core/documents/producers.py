"""Notices as other programs write them: a corpus made for the tests.

Each producer writes the same facts (a 保証契約番号 and a 認証キー) the way one kind of
program lays out and encodes text: fpdf2 with a TrueType font and with an OpenType/CFF
font, reportlab with a built-in CID font it does not embed (HeiseiKakuGo-W5, no
ToUnicode map), reportlab with an embedded TrueType font, glyphs placed one by one, text
in many small runs as "print to PDF" drivers write it, and a two-column page.

Round two (``ROUND_TWO``, ``AMBIGUOUS``): a landscape page by /Rotate 90, text drawn turned,
a template in a Form XObject, a filled form field, a cover letter before the notice, other
companies' labels and leaders, a Courier key, a header-row table beside a second
16-character code, a pypdf rewrite (PDF 2.0), an incremental update of the key, and two
notices in one PDF.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF

from hosho.core.documents.fonts import body_font_path

TITLE = "電子証書閲覧用「認証キー」等のお知らせ"
#: A Japanese TrueType font (apt fonts-ipafont-gothic; .ci/run installs it).
IPA_GOTHIC = next(
    (
        p
        for p in (
            Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
            Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
        )
        if p.is_file()
    ),
    None,
)


@dataclass(frozen=True)
class Facts:
    """What a notice says: the number and key as printed, and as the reader must return them."""

    number: str = "202409-00123"
    key: str = "WX7K-9PQ2-LM4N-R8ST"
    printed_number: str | None = None
    printed_key: str | None = None

    @property
    def number_text(self) -> str:
        return self.printed_number or self.number

    @property
    def key_text(self) -> str:
        return self.printed_key or self.key


def rows(facts: Facts) -> list[tuple[str, str]]:
    """The notice's label/value rows, as a surety company's system might word them."""
    return [
        ("発注者", "綾町長　様"),
        ("保証契約番号", facts.number_text),
        ("認証キー", facts.key_text),
        ("保証金額", "４，８００，０００円"),
        ("工事名", "町道改良工事"),
    ]


def _fpdf(font: Path, draw: Callable[[FPDF], None]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("J", fname=str(font))
    pdf.add_page()
    pdf.set_font("J", size=11)
    draw(pdf)
    return bytes(pdf.output())


def _fpdf_table(font: Path, facts: Facts) -> bytes:
    def draw(pdf: FPDF) -> None:
        pdf.cell(0, 12, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
        with pdf.table(col_widths=(40, 120), first_row_as_headings=False) as table:
            for label, value in rows(facts):
                row = table.row()
                row.cell(label)
                row.cell(value)

    return _fpdf(font, draw)


def fpdf_ttf(facts: Facts) -> bytes:
    """fpdf2, a TrueType font (IPAGothic), a table."""
    assert IPA_GOTHIC is not None
    return _fpdf_table(IPA_GOTHIC, facts)


def fpdf_otf(facts: Facts) -> bytes:
    """fpdf2, the OpenType/CFF Noto Sans CJK JP, a table (pypdf reads a NUL before glyphs)."""
    return _fpdf_table(body_font_path(), facts)


def _reportlab_lines(font_name: str, facts: Facts, register: Callable[[], None]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    register()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont(font_name, 14)
    page.drawString(90, 780, TITLE)
    page.setFont(font_name, 11)
    y = 730.0
    for label, value in rows(facts):
        page.drawString(80, y, label)  # label and value in two cells of one row
        page.drawString(200, y, value)
        y -= 24
    page.save()
    return out.getvalue()


def reportlab_cid(facts: Facts) -> bytes:
    """reportlab, the built-in CID font HeiseiKakuGo-W5: not embedded, no ToUnicode map."""

    def register() -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))

    return _reportlab_lines("HeiseiKakuGo-W5", facts, register)


def reportlab_ttf(facts: Facts) -> bytes:
    """reportlab, IPAGothic embedded as a TrueType subset."""

    def register() -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        assert IPA_GOTHIC is not None
        pdfmetrics.registerFont(TTFont("IPAGothic", str(IPA_GOTHIC)))

    return _reportlab_lines("IPAGothic", facts, register)


def glyph_by_glyph(facts: Facts) -> bytes:
    """Every character placed on its own at its own position, in no reading order."""

    def draw(pdf: FPDF) -> None:
        glyphs: list[tuple[int, float, float, str]] = []
        y = 30.0
        for line in [TITLE, *(f"{a}　{b}" for a, b in rows(facts))]:
            x = 20.0
            for column, char in enumerate(line):
                glyphs.append((column, x, y, char))
                x += pdf.get_string_width(char)
            y += 10
        for _column, x, y, char in sorted(glyphs):  # column by column: no reading order
            pdf.text(x, y, char)

    return _fpdf(body_font_path(), draw)


def small_runs(facts: Facts) -> bytes:
    """Text in runs of one to three characters, each its own text object, in shuffled order
    (as "print to PDF" drivers write a page)."""
    import random

    probe = FPDF()
    probe.add_font("J", fname=str(body_font_path()))
    probe.set_font("J", size=11)
    pieces: list[tuple[float, float, str]] = []
    y = 30.0
    for line in [TITLE, *(f"{a}：{b}" for a, b in rows(facts))]:
        x, i = 20.0, 0
        while i < len(line):
            piece = line[i : i + 1 + (i * 7) % 3]
            pieces.append((x, y, piece))
            x += probe.get_string_width(piece)
            i += len(piece)
        y += 9
    random.Random(12).shuffle(pieces)

    def draw(pdf: FPDF) -> None:
        for x, y, text in pieces:
            pdf.text(x, y, text)

    return _fpdf(body_font_path(), draw)


def two_columns(facts: Facts) -> bytes:
    """A page in two columns written row by row: the explanation on the left, the values
    on the right, each label on one line and its value on the next, the key split over two
    lines."""
    left = [
        "このお知らせは電子証書を",
        "閲覧するための情報です。",
        "発注者へ提出してください。",
        "第三者に開示しないでください。",
    ]
    key = facts.key_text
    right = ["保証契約番号", facts.number_text, "認証キー", key[:10], key[10:], "発行 2024年9月1日"]

    def draw(pdf: FPDF) -> None:  # row by row across both columns: no column order
        pdf.set_xy(20, 20)
        pdf.cell(0, 10, TITLE, align="C")
        for row in range(len(right)):
            for column, x in ((left, 15.0), (right, 110.0)):
                if row < len(column):
                    pdf.text(x, 40 + 8 * row, column[row])

    return _fpdf(body_font_path(), draw)


def cid_identity(facts: Facts) -> bytes:
    """A CID font (HeiseiKakuGo-W5, Adobe-Japan1, not embedded) with Identity-H codes and no
    ToUnicode map: the codes are CIDs, which only the predefined Adobe-Japan1 CMap reads."""
    content = _cid_content(facts)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 /Encoding /Identity-H"
            b" /DescendantFonts [6 0 R] >>",
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >>"
            b" /FontDescriptor 7 0 R /DW 1000 >>",
            b"<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4"
            b" /FontBBox [-92 -250 1010 922] /ItalicAngle 0 /Ascent 752 /Descent -221"
            b" /CapHeight 737 /StemV 114 >>",
        ]
    )


def raw_pdf(objects: list[bytes]) -> bytes:
    """A hand-made PDF with a correct xref; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


#: Every producer of the corpus, by name.
PRODUCERS: dict[str, Callable[[Facts], bytes]] = {
    "fpdf2-ttf": fpdf_ttf,
    "fpdf2-otf": fpdf_otf,
    "reportlab-cid": reportlab_cid,
    "reportlab-ttf": reportlab_ttf,
    "glyph-by-glyph": glyph_by_glyph,
    "small-runs": small_runs,
    "two-columns": two_columns,
    "cid-identity": cid_identity,
}


# --- Round two: layouts and encodings other programs use -----------------------------------


def _canvas(*pages: Callable[[Any], None], rotation: int = 0) -> bytes:
    """reportlab with IPAGothic embedded; each function draws one page on the canvas."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    assert IPA_GOTHIC is not None
    pdfmetrics.registerFont(TTFont("IPAGothic", str(IPA_GOTHIC)))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    for draw in pages:
        if rotation:
            page.setPageRotation(rotation)
        page.setFont("IPAGothic", 11)
        draw(page)
        page.showPage()
    page.save()
    return out.getvalue()


def _notice_rows(page: Any, facts: Facts, x: float, y: float) -> None:
    page.setFont("IPAGothic", 14)
    page.drawString(x + 10, y, TITLE)
    page.setFont("IPAGothic", 11)
    for label, value in rows(facts):
        y -= 24
        page.drawString(x, y, label)
        page.drawString(x + 120, y, value)


def rotated_page(facts: Facts) -> bytes:
    """A landscape notice on an A4 portrait page turned by /Rotate 90: the content is drawn
    turned a quarter so that it reads upright once the viewer turns the page."""

    def draw(page: Any) -> None:
        page.transform(0, 1, -1, 0, 595, 0)  # landscape coordinates onto the portrait page
        _notice_rows(page, facts, 120, 500)

    return _canvas(draw, rotation=90)


def rotated_text(facts: Facts) -> bytes:
    """The notice drawn turned 90° on a portrait page without /Rotate (a landscape form
    printed sideways), with a stamp drawn at 15° beside it."""

    def draw(page: Any) -> None:
        page.saveState()
        page.translate(520, 80)
        page.rotate(90)
        _notice_rows(page, facts, 0, 0)
        page.restoreState()
        page.saveState()
        page.translate(100, 100)
        page.rotate(15)
        page.drawString(0, 0, "綾町建設課 受付済")
        page.restoreState()

    return _canvas(draw)


def form_template(facts: Facts) -> bytes:
    """A template (title and labels) drawn once as a Form XObject and stamped on the page;
    the values are written over it on the page itself, the key inside a second form."""

    def draw(page: Any) -> None:
        page.beginForm("template")
        page.setFont("IPAGothic", 14)
        page.drawString(90, 780, TITLE)
        page.setFont("IPAGothic", 11)
        for i, (label, _value) in enumerate(rows(facts)):
            page.drawString(80, 730 - 24 * i, label)
        page.endForm()
        page.beginForm("key")
        page.setFont("IPAGothic", 11)
        page.drawString(0, 0, facts.key_text)
        page.endForm()
        page.doForm("template")
        page.setFont("IPAGothic", 11)
        for i, (label, value) in enumerate(rows(facts)):
            if label == "認証キー":
                page.saveState()
                page.translate(200, 730 - 24 * i)
                page.doForm("key")
                page.restoreState()
            else:
                page.drawString(200, 730 - 24 * i, value)

    return _canvas(draw)


def form_field(facts: Facts) -> bytes:
    """A filled PDF form: labels printed, the number and the key only as the values of
    AcroForm text fields (their widget's appearance stream, not the page's content)."""

    def draw(page: Any) -> None:
        page.setFont("IPAGothic", 14)
        page.drawString(90, 780, TITLE)
        page.setFont("IPAGothic", 11)
        for i, (label, value) in enumerate(rows(facts)):
            y = 730 - 24 * i
            page.drawString(80, y, label)
            if label in ("保証契約番号", "認証キー"):
                name = "number" if label == "保証契約番号" else "authkey"
                page.acroForm.textfield(
                    name=name,
                    value=value,
                    x=200,
                    y=y - 6,
                    width=200,
                    height=18,
                    fontName="Courier",
                    fontSize=11,
                    borderWidth=0,
                )
            else:
                page.drawString(200, y, value)

    return _canvas(draw)


COVER = [
    "送付状",
    "綾町 建設課 御中",
    "いつもお世話になっております。",
    "下記の工事の電子保証について、認証キー等のお知らせを送付いたします。",
    "ご査収のほどよろしくお願いいたします。",
    "株式会社サンプル建設",
]


def cover_page(facts: Facts) -> bytes:
    """A cover letter (送付状) first, the notice on page 2."""

    def cover(page: Any) -> None:
        for i, line in enumerate(COVER):
            page.drawString(70, 780 - 22 * i, line)

    return _canvas(cover, lambda page: _notice_rows(page, facts, 80, 760))


def other_wording(facts: Facts) -> bytes:
    """Another surety company's words: 証券番号 for the number, the works contract's own
    契約番号 above it, 認 証 キ ー letter-spaced, labels and values across a tab leader."""

    def draw(page: Any) -> None:
        page.setFont("IPAGothic", 14)
        page.drawString(90, 780, "認証キー等のお知らせ")
        page.setFont("IPAGothic", 11)
        lines = [
            "工事請負契約の契約番号：第2024-0456号",
            f"証券番号 ………………… {facts.number_text}",
            f"認 証 キ ー ………………… {facts.key_text}",
            "保証金額 ………………… 4,800,000円",
        ]
        for i, line in enumerate(lines):
            page.drawString(80, 730 - 24 * i, line)

    return _canvas(draw)


def dot_leaders(facts: Facts) -> bytes:
    """Half-width katakana (認証ｷｰ), a leader of middle dots and a colon, the key in a box
    drawn with lines; 保証番号 for the number."""

    def draw(page: Any) -> None:
        page.setFont("IPAGothic", 14)
        page.drawString(90, 780, "電子証書閲覧用 認証ｷｰ等のお知らせ")
        page.setFont("IPAGothic", 11)
        page.drawString(80, 730, f"保証番号・・・・・・・・：{facts.number_text}")
        page.drawString(80, 700, "認証ｷｰ・・・・・・・・・：")
        page.rect(215, 692, 170, 22)
        for x in (257, 299, 341):
            page.line(x, 692, x, 714)
        page.drawString(220, 700, facts.key_text)

    return _canvas(draw)


def monospaced_key(facts: Facts) -> bytes:
    """Labels in IPAGothic, the key in Courier (a built-in Latin font) with letter-spacing."""

    def draw(page: Any) -> None:
        _notice_rows(page, Facts(facts.number, "", facts.printed_number, " "), 80, 760)
        text = page.beginText(200, 760 - 72)  # the 認証キー row
        text.setFont("Courier", 12)
        text.setCharSpace(3)
        text.textOut(facts.key_text)
        page.drawText(text)

    return _canvas(draw)


def header_row_table(facts: Facts) -> bytes:
    """A table with its labels in a header row and the values in the row below, beside a
    16-character 受付番号 and a barcode's text: neither may be taken for the key."""

    def draw(page: Any) -> None:
        page.setFont("IPAGothic", 14)
        page.drawString(90, 780, TITLE)
        page.setFont("IPAGothic", 10)
        page.drawString(360, 810, "受付番号 RC24-0901-7731-0042")
        columns = [
            ("保証契約番号", facts.number_text),
            ("認証キー", facts.key_text),
            ("受付番号", "RC24-0901-7731-0042"),
        ]
        for i, (label, value) in enumerate(columns):
            page.drawString(40 + 180 * i, 730, label)
            page.drawString(40 + 180 * i, 710, value)
        page.setFont("Courier", 9)
        page.drawString(40, 660, "*RC2409017731AB42*")

    return _canvas(draw)


def pypdf_rewrite(facts: Facts) -> bytes:
    """The fpdf2 notice written again by pypdf with a PDF 2.0 header, its objects
    compressed into object streams (as PDF tools save a file)."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(fpdf_ttf(facts)))
    writer.pdf_header = "%PDF-2.0"
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _cid_content(facts: Facts) -> bytes:
    from pdfminer.cmapdb import CMapDB

    to_cid = CMapDB.get_cmap("UniJIS-UCS2-H")
    content = b""
    y = 780
    for line in [TITLE, *(f"{a}　{b}" for a, b in rows(facts))]:
        cids = to_cid.decode(line.encode("utf-16-be"))
        hexed = "".join(f"{cid:04X}" for cid in cids).encode()
        content += b"BT /F1 11 Tf 60 %d Td <%s> Tj ET\n" % (y, hexed)
        y -= 22
    return content


def incremental_update(facts: Facts) -> bytes:
    """A notice first saved with another key, then corrected by an incremental update that
    replaces the page's content (the old key stays in the file, unreferenced)."""
    old = cid_identity(Facts(facts.number, "OLDK-EY00-0000-0000"))
    content = _cid_content(facts)
    start = len(old)
    update = b"4 0 obj\n<< /Length %d >>\nstream\n" % len(content) + content
    update += b"\nendstream\nendobj\n"
    xref = start + len(update)
    prev = int(old.rsplit(b"startxref", 1)[1].split()[0])
    update += b"xref\n0 1\n0000000000 65535 f \n4 1\n%010d 00000 n \n" % start
    update += b"trailer\n<< /Size 8 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        prev,
        xref,
    )
    return old + update


def _two_notices(first: Facts, second: Facts) -> bytes:
    return _canvas(*(lambda page, f=f: _notice_rows(page, f, 80, 760) for f in (first, second)))


OTHER = Facts("202409-00777", "AAAA-BBBB-CCCC-DDDD")


def two_notices(facts: Facts) -> bytes:
    """Two notices of two contracts, one a page, in one PDF."""
    return _two_notices(facts, OTHER)


def masked_then_notice(facts: Facts) -> bytes:
    """Two notices in one PDF, the first a copy (控え) with its key masked: only one key
    can be read, but the numbers are two (taking the first would pair it with the other
    notice's key)."""
    return _two_notices(Facts(OTHER.number, printed_key="****-****-****-****"), facts)


#: Round two, read right.
ROUND_TWO: dict[str, Callable[[Facts], bytes]] = {
    "rotated-page": rotated_page,
    "rotated-text": rotated_text,
    "form-template": form_template,
    "form-field": form_field,
    "cover-page": cover_page,
    "other-wording": other_wording,
    "dot-leaders": dot_leaders,
    "monospaced-key": monospaced_key,
    "header-row-table": header_row_table,
    "pypdf-rewrite": pypdf_rewrite,
    "incremental-update": incremental_update,
}

#: Round two, truly ambiguous: must be ``unknown``.
AMBIGUOUS: dict[str, Callable[[Facts], bytes]] = {
    "two-notices": two_notices,
    "masked-then-notice": masked_then_notice,
}
