"""A4 layout shared by the notice and the certificate: blocks first, then one drawing pass.

The text of every block is known before drawing, so the fonts (see ``fonts``) are made
for exactly these characters; a character the font lacks stops the document with a
DocumentError before anything is drawn.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fpdf.fonts import TTFFont

from hosho.core.documents.finding import MACHINE_FILE, MACHINE_SCHEMA
from hosho.core.documents.fonts import BODY, KEY, add_fonts

if TYPE_CHECKING:
    from fpdf import FPDF

_MARGIN = 20.0
_WIDTH = 210.0 - 2 * _MARGIN
_LABEL_W = 42.0
_INK = (20, 20, 20)
_GREY = (90, 90, 90)
_LABEL_FILL = (236, 240, 246)
_RULE = (60, 60, 60)
_WARN = (178, 34, 34)
_WARN_FILL = (253, 240, 240)

Op = Callable[["FPDF"], None]

# 禁則 (kinsoku): characters that may not start a line, and that may not end one.
_NO_START = frozenset(
    "、。，．・：；？！ー」』）】〕〉》’”ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々,.:;!?)]}%"
)
_NO_END = frozenset("「『（【〔〈《‘“([{")
# An ASCII word (never split unless wider than a line), a space, or any single character.
_TOKEN = re.compile(r"[!-~]+| |.")


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` mm in the current font, with 禁則.

    fpdf2's own ``multi_cell`` re-measures the growing line for every character (slow for
    Japanese, which has no spaces); this measures each token once.
    """
    font = pdf.current_font
    if not isinstance(font, TTFFont):  # pragma: no cover - every Sheet font is a TTF
        raise TypeError("wrap() needs a TrueType font")
    width_of = font.cw.__getitem__
    size = pdf.font_size / 1000

    def measure(chunk: str) -> float:
        return float(sum(map(width_of, map(ord, chunk)))) * size

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _TOKEN.findall(paragraph):
            span = measure(token)
            if span > width and len(token) > 1:  # a word wider than a line: cut it anywhere
                for char in token:
                    char_w = measure(char)
                    if used + char_w > width and line:
                        lines.append(line.rstrip())
                        line, used = "", 0.0
                    line, used = line + char, used + char_w
                continue
            if used + span <= width or not line:
                line, used = line + token, used + span
                continue
            carry = ""
            if (token[0] in _NO_START or line[-1] in _NO_END) and len(line) > 1:
                carry = line[-1]
                line = line[:-1]
                if line[-1:] in _NO_END and len(line) > 1:
                    carry, line = line[-1] + carry, line[:-1]
            lines.append(line.rstrip())
            line = (carry + token).lstrip()
            used = measure(line)
        lines.append(line.rstrip())
    return lines


def room(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit above the bottom margin."""
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()


def put(pdf: FPDF, width: float, height: float, text: str, align: str = "L") -> None:
    """One line in a ``width`` × ``height`` box at the current position, like ``cell``
    (text vertically centred) but about four times cheaper; then x stays, y moves down."""
    left, top = pdf.get_x(), pdf.get_y()
    if text:
        x = left
        if align in ("C", "R"):
            spare = width - pdf.get_string_width(text)
            x += spare / 2 if align == "C" else spare
        pdf.text(x, top + height / 2 + 0.3 * pdf.font_size, text)
    pdf.set_xy(left, top + height)


def paragraph(pdf: FPDF, text: str, width: float, line_h: float, align: str = "L") -> None:
    """Draw wrapped ``text`` from the current position; x returns to where it started."""
    x = pdf.get_x()
    for line in wrap(pdf, text, width):
        room(pdf, line_h)
        pdf.set_x(x)
        put(pdf, width, line_h, line, align)
    pdf.set_x(x)


def clean(text: str) -> str:
    """Printable text: tabs become spaces; other control and invisible format characters
    (zero-width space, BOM, soft hyphen) that data sometimes carries are dropped."""
    text = text.replace("\t", " ")
    if text.isprintable():
        return text
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf"))


def yen(amount: int) -> str:
    """An amount in yen as written on Japanese documents: 金12,345,000円."""
    return f"金{amount:,}円"


class Sheet:
    """One A4 page of blocks (title, label/value rows, boxes), drawn in order."""

    def __init__(
        self, title: str, subject: str, author: str, *, body_font: Path | None = None
    ) -> None:
        """``body_font`` replaces the packaged Japanese font (a TTF/OTF file)."""
        self.title_text = title
        self.body_font = body_font
        self.subject = subject
        self.author = author
        self._ops: list[Op] = []
        self._texts: list[str] = [title, author]
        self._keys: list[str] = []

    def _add(self, op: Op, *texts: str) -> None:
        self._ops.append(op)
        self._texts.extend(texts)

    def line(self, text: str, size: float = 10.5, align: str = "L", color: tuple = _INK) -> None:
        """One paragraph (wrapped) at the current position."""
        text = clean(text)

        def op(pdf: FPDF) -> None:
            pdf.set_font(BODY, size=size)
            pdf.set_text_color(*color)
            paragraph(pdf, text, _WIDTH, size * 0.55, align)

        self._add(op, text)

    def gap(self, mm: float) -> None:
        """Vertical space."""
        self._add(lambda pdf: pdf.ln(mm))

    def heading(self, text: str, size: float = 20.0) -> None:
        """The centred title with a double rule under it."""
        text = clean(text)

        def op(pdf: FPDF) -> None:
            pdf.set_font(BODY, size=size)
            pdf.set_text_color(*_INK)
            paragraph(pdf, text, _WIDTH, size * 0.6, "C")
            y = pdf.get_y() + 2
            pdf.set_draw_color(*_RULE)
            pdf.set_line_width(0.6)
            pdf.line(_MARGIN + 20, y, _MARGIN + _WIDTH - 20, y)
            pdf.set_line_width(0.2)
            pdf.line(_MARGIN + 20, y + 1.2, _MARGIN + _WIDTH - 20, y + 1.2)
            pdf.set_y(y + 5)

        self._add(op, text)

    def section(self, text: str) -> None:
        """A small heading with a bar on its left."""
        text = clean(text)

        def op(pdf: FPDF) -> None:
            room(pdf, 20)  # a heading is never the last line of a page
            y = pdf.get_y()
            pdf.set_fill_color(*_RULE)
            pdf.rect(_MARGIN, y + 0.8, 1.4, 4.6, style="F")
            pdf.set_x(_MARGIN + 3)
            pdf.set_font(BODY, size=11.5)
            pdf.set_text_color(*_INK)
            put(pdf, _WIDTH - 3, 6.2, text)
            pdf.set_x(_MARGIN)
            pdf.ln(0.8)

        self._add(op, text)

    def rows(self, rows: list[tuple[str, str]], size: float = 10.5) -> None:
        """A two-column table: shaded labels, wrapped values, ruled cells."""
        rows = [(clean(label), clean(value)) for label, value in rows]

        def op(pdf: FPDF) -> None:
            pdf.set_font(BODY, size=size)
            pdf.set_draw_color(*_RULE)
            pdf.set_line_width(0.25)
            pad, line_h = 2.2, size * 0.55
            for label, value in rows:
                lines = wrap(pdf, value, _WIDTH - _LABEL_W - 2 * pad)
                height = max(len(lines), 1) * line_h + 2 * pad
                x, y = _MARGIN, pdf.get_y()
                if y + height > pdf.h - pdf.b_margin:
                    pdf.add_page()
                    y = pdf.get_y()
                pdf.set_fill_color(*_LABEL_FILL)
                pdf.rect(x, y, _LABEL_W, height, style="DF")
                pdf.rect(x + _LABEL_W, y, _WIDTH - _LABEL_W, height, style="D")
                pdf.set_text_color(*_INK)
                pdf.set_xy(x + pad, y + pad)
                put(pdf, _LABEL_W - 2 * pad, line_h, label)
                pdf.set_xy(x + _LABEL_W + pad, y + pad)
                paragraph(pdf, value, _WIDTH - _LABEL_W - 2 * pad, line_h)
                pdf.set_xy(_MARGIN, y + height)

        self._add(op, *(t for row in rows for t in row))

    def key_box(self, label: str, key: str, notes: list[str]) -> None:
        """The 認証キー: a framed box, the key large in the unambiguous monospaced font."""

        def op(pdf: FPDF) -> None:
            height = 30.0 + 5.2 * len(notes)
            room(pdf, height)
            x, y = _MARGIN, pdf.get_y()
            pdf.set_draw_color(*_INK)
            pdf.set_line_width(0.8)
            pdf.rect(x, y, _WIDTH, height)
            pdf.set_line_width(0.2)
            pdf.set_xy(x + 4, y + 3)
            pdf.set_font(BODY, size=11.5)
            pdf.set_text_color(*_INK)
            put(pdf, _WIDTH - 8, 6, label)
            pdf.set_xy(x, y + 10)
            pdf.set_font(KEY, size=30)
            pdf.set_char_spacing(1.5)
            pdf.cell(_WIDTH, 14, key, align="C")
            pdf.set_char_spacing(0)
            pdf.set_font(BODY, size=8.5)
            pdf.set_text_color(*_GREY)
            for i, note in enumerate(notes):
                pdf.set_xy(x + 4, y + 26 + 5.2 * i)
                put(pdf, _WIDTH - 8, 4.6, note, "C")
            pdf.set_text_color(*_INK)
            pdf.set_xy(_MARGIN, y + height)

        self._add(op, label, *notes)
        self._keys.append(key)

    def box(self, lines: list[str], warn: bool = False, size: float = 10.0) -> None:
        """A framed paragraph group; ``warn`` makes it red (the STEP3 warning)."""
        lines = [clean(text) for text in lines]

        def op(pdf: FPDF) -> None:
            pdf.set_font(BODY, size=size)
            pad, line_h = 3.0, size * 0.56
            inner = _WIDTH - 2 * pad
            counts = [len(wrap(pdf, t, inner)) for t in lines]
            height = sum(counts) * line_h + 2 * pad + 1.2 * (len(lines) - 1)
            room(pdf, height)
            x, y = _MARGIN, pdf.get_y()
            pdf.set_draw_color(*(_WARN if warn else _RULE))
            pdf.set_fill_color(*(_WARN_FILL if warn else (255, 255, 255)))
            pdf.set_line_width(0.6 if warn else 0.25)
            pdf.rect(x, y, _WIDTH, height, style="DF")
            pdf.set_line_width(0.2)
            pdf.set_text_color(*(_WARN if warn else _INK))
            pdf.set_xy(x + pad, y + pad)
            for text in lines:
                pdf.set_x(x + pad)
                paragraph(pdf, text, inner, line_h)
                pdf.ln(1.2)
            pdf.set_text_color(*_INK)
            pdf.set_xy(_MARGIN, y + height)

        self._add(op, *lines)

    def top_lines(self, right: list[str], left: list[tuple[str, float]]) -> None:
        """Issue date and issuer on the right, addressee on the left (a letter's head)."""
        right = [clean(text) for text in right]
        left = [(clean(text), size) for text, size in left]

        def op(pdf: FPDF) -> None:
            pdf.set_text_color(*_INK)
            pdf.set_font(BODY, size=10)
            for text in right:
                put(pdf, _WIDTH, 5.6, text, "R")
            pdf.ln(3)
            for text, size in left:
                pdf.set_font(BODY, size=size)
                pdf.set_x(_MARGIN)
                put(pdf, _WIDTH, size * 0.62, text)
            pdf.ln(2)

        self._add(op, *right, *(t for t, _ in left))

    def footer(self, text: str) -> None:
        """A small grey line at the bottom of the last page."""
        text = clean(text)

        def op(pdf: FPDF) -> None:
            pdf.set_font(BODY, size=8)
            pdf.set_text_color(*_GREY)
            height = 2 + 4.2 * len(wrap(pdf, text, _WIDTH))
            room(pdf, 4 + height)
            y = max(pdf.get_y() + 4, pdf.h - pdf.b_margin - height)
            pdf.set_draw_color(*_GREY)
            pdf.line(_MARGIN, y, _MARGIN + _WIDTH, y)
            pdf.set_xy(_MARGIN, y + 1.5)
            paragraph(pdf, text, _WIDTH, 4.2, "C")

        self._add(op, text)

    def render(self, machine: dict[str, str]) -> bytes:
        """Draw every block on A4 and embed ``machine`` as JSON; returns the PDF bytes."""
        from fpdf import FPDF

        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_margins(_MARGIN, 18, _MARGIN)
        pdf.set_auto_page_break(True, margin=15)
        add_fonts(
            pdf,
            "".join(self._texts) + "0123456789 /",
            "".join(self._keys),
            body_font=self.body_font,
        )
        pdf.set_title(self.title_text)
        pdf.set_author(self.author)
        pdf.set_subject(self.subject)
        pdf.set_creator("hosho")
        pdf.set_lang("ja")
        pdf.set_creation_date(datetime.now(UTC))
        pdf.add_page()
        for op in self._ops:
            op(pdf)
        pages = pdf.page
        if pages > 1:  # number the pages of a long document: "1 / 2"
            pdf.set_font(BODY, size=8)
            pdf.set_text_color(*_GREY)
            for number in range(1, pages + 1):
                pdf.page = number
                pdf.set_xy(_MARGIN, pdf.h - 12)
                put(pdf, _WIDTH, 4, f"{number} / {pages}", "R")
            pdf.page = pages
        payload = {"schema": MACHINE_SCHEMA, **machine}
        pdf.embed_file(
            bytes=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            basename=MACHINE_FILE,
            desc="hosho machine-readable copy",
            mime_type="application/json",
        )
        return bytes(pdf.output())
