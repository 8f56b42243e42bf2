"""Notices as other programs write them: a corpus made for the tests.

Each producer writes the same facts (a 保証契約番号 and a 認証キー) the way one kind of
program lays out and encodes text: fpdf2 with a TrueType font and with an OpenType/CFF
font, reportlab with a built-in CID font it does not embed (HeiseiKakuGo-W5, no
ToUnicode map), reportlab with an embedded TrueType font, glyphs placed one by one, text
in many small runs as "print to PDF" drivers write it, and a two-column page.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
    from pdfminer.cmapdb import CMapDB

    to_cid = CMapDB.get_cmap("UniJIS-UCS2-H")
    content = b""
    y = 780
    for line in [TITLE, *(f"{a}　{b}" for a, b in rows(facts))]:
        cids = to_cid.decode(line.encode("utf-16-be"))
        hexed = "".join(f"{cid:04X}" for cid in cids).encode()
        content += b"BT /F1 11 Tf 60 %d Td <%s> Tj ET\n" % (y, hexed)
        y -= 22
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
