"""Text out of a PDF whatever program made it: cleaned, and rebuilt from glyph positions.

Other producers' PDFs come back from pypdf in many shapes: a NUL before every glyph
(fpdf2 with an OpenType/CFF font), zero-width characters, full-width forms, letters spaced
out ("2 0 2 4"), text objects in any order ("print to PDF" drivers, glyphs placed one by
one), and CID fonts without a ToUnicode map, whose codes only the predefined Adobe-Japan1
CMaps (CID → Unicode, shipped with pdfminer.six) turn into characters.

``readings(reader)`` yields the page text in up to four readings, cheapest first: pypdf's
own order, rows rebuilt from positions, columns rebuilt from positions, and pdfminer.six
for CID fonts pypdf cannot map. The reader takes the first that is a complete notice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from hosho.core.text import HYPHENS

#: Characters dropped from extracted text: C0/C1 controls (not tab or new line),
#: zero-width spaces and joiners, the word joiner, the BOM, the soft hyphen.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
# Letter-spaced text: single characters each followed by one space ("2 0 2 4 - 0 9").
_SPACED = re.compile(r"(?<!\S)(?:\S )+\S(?!\S)")
_HYPHEN_CLASS = re.escape(HYPHENS) + "-"

#: Text operations looked at in one position rebuild (a notice has a few hundred).
MAX_RUNS = 5_000
#: Longest text (pypdf's reading) for which pdfminer.six reads the page again (a notice has
#: under 2,000 characters; a flood of glyphs is not worth a second parser).
MAX_CID_TEXT = 6_000


def clean(text: str) -> str:
    """What extraction returned, made comparable: invisible characters out, NFKC, letter
    spacing closed up, spaces around a hyphen between letters or digits dropped. A space
    between digit groups stays (it may be a column gap, never guessed into a hyphen)."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    lines = []
    for line in text.splitlines():
        line = re.sub(r"[ \t]+", " ", line).strip()
        line = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), line)
        line = re.sub(rf" *([{_HYPHEN_CLASS}]) *(?=[0-9A-Za-z])", r"\1", line)
        lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class Run:
    """One piece of text where the page puts it (PDF units, y upwards)."""

    x: float
    y: float
    size: float
    text: str

    @property
    def end(self) -> float:
        """Where the run ends, estimated: full-width glyphs one em, others half."""
        return self.x + sum(self.size * (1.0 if ord(c) > 0x2E7F else 0.6) for c in self.text)


def text_and_runs(page: Any, max_text: int) -> tuple[str, list[Run]]:
    """pypdf's text of a page, and every text run with its position (pypdf's visitor, in
    the same pass), cleaned of invisible characters."""
    runs: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        if len(runs) >= MAX_RUNS:
            return
        text = _INVISIBLE.sub("", text).replace("\n", "")
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        runs.append(Run(x, y, (size or 10.0) * scale, text))

    text = page.extract_text(visitor_text=visit)[:max_text]
    fields = field_runs(page)
    runs.extend(fields[: max(0, MAX_RUNS - len(runs))])
    return "\n".join([text, *(run.text for run in fields)])[:max_text], runs


#: Widget annotations looked at on one page, and the longest field value kept.
MAX_FIELDS = 64
MAX_FIELD_TEXT = 200
_FONT_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s+Tf")


def field_runs(page: Any) -> list[Run]:
    """The values of a filled PDF form's text fields on the page, each a run where its
    widget is shown (a value lives in the annotation, not in the page's content, so pypdf's
    text has none). Hidden widgets are left out."""
    try:
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else []
        runs: list[Run] = []
        for ref in list(annots)[:MAX_FIELDS]:
            widget = ref.get_object()
            if widget.get("/Subtype") != "/Widget" or int(widget.get("/F", 0)) & 0b100010:
                continue
            parent = widget.get("/Parent")
            field = parent.get_object() if "/V" not in widget and parent is not None else widget
            value = field.get("/V")
            if not isinstance(value, str) or not value.strip():
                continue
            x0, x1 = sorted(float(v) for v in widget["/Rect"][0::2][:2])
            y0, y1 = sorted(float(v) for v in widget["/Rect"][1::2][:2])
            sizes = _FONT_SIZE.findall(str(widget.get("/DA") or field.get("/DA") or ""))
            size = float(sizes[-1]) if sizes and float(sizes[-1]) > 0 else 0.7 * (y1 - y0)
            size = min(max(size, 4.0), 40.0)
            text = _INVISIBLE.sub("", value[:MAX_FIELD_TEXT]).replace("\n", " ")
            runs.append(Run(x0 + 2, y0 + max(0.0, (y1 - y0 - size) / 2), size, text))
        return runs
    except (AttributeError, TypeError, KeyError, ValueError, IndexError):
        return []


def _lines(runs: list[Run]) -> list[list[Run]]:
    """Runs grouped into lines (close baselines), top to bottom, each left to right."""
    lines: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: -r.y):
        if lines and abs(lines[-1][0].y - run.y) < 0.4 * max(run.size, lines[-1][0].size):
            lines[-1].append(run)
        else:
            lines.append([run])
    return [sorted(line, key=lambda r: r.x) for line in lines]


def _cells(line: list[Run]) -> list[list[Run]]:
    """A line cut where the gap between runs is wider than two ems (table cells, columns)."""
    cells: list[list[Run]] = []
    for run in line:
        if cells and run.x - cells[-1][-1].end < 2 * run.size:
            cells[-1].append(run)
        else:
            cells.append([run])
    return cells


def _joined(cell: list[Run]) -> str:
    out = ""
    for before, run in zip([None, *cell], cell, strict=False):
        gap = 0.0 if before is None else run.x - before.end
        out += (" " if out and gap > 0.45 * run.size else "") + run.text
    return out


def by_rows(runs: list[Run]) -> str:
    """The page read line by line, cells apart by a space."""
    return "\n".join(" ".join(_joined(c) for c in _cells(line)) for line in _lines(runs))


def by_columns(runs: list[Run]) -> str:
    """The page read column by column: cells grouped by where they start, left to right."""
    cells = [
        (cell[0].x, cell[0].y, _joined(cell)) for line in _lines(runs) for cell in _cells(line)
    ]
    columns: list[list[tuple[float, float, str]]] = []
    for cell in sorted(cells, key=lambda c: c[0]):
        if columns and cell[0] - columns[-1][0][0] < 24:  # starts within ~8 mm: same column
            columns[-1].append(cell)
        else:
            columns.append([cell])
    return "\n".join(t for column in columns for _x, _y, t in sorted(column, key=lambda c: -c[1]))


def unmapped_cid_fonts(page: Any) -> bool:
    """Whether the page uses a CID font without ToUnicode (only a predefined CMap reads it)."""
    try:
        fonts = page["/Resources"]["/Font"]
        for ref in list(fonts.values())[:32]:
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0" and "/ToUnicode" not in font:
                return True
    except (KeyError, TypeError, AttributeError):
        return False
    return False


def cid_text(data: bytes, pages: int) -> str:
    """Text by pdfminer.six, which maps CIDs through the Adobe-Japan1 CMaps it ships."""
    import logging

    from pdfminer.high_level import extract_text

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    return str(extract_text(BytesIO(data), maxpages=pages))


def readings(reader: Any, data: bytes, pages: int, max_text: int) -> Iterator[str]:
    """The cleaned text of the first ``pages`` pages in ever costlier readings.

    The first is pypdf's order (the runs' positions gathered in the same pass); the rebuilt
    readings follow only when it carries a notice's words (a rebuild is never spent on a
    stranger), pdfminer's only for a CID font without a ToUnicode map.
    """
    extracted = [text_and_runs(page, max_text) for page in reader.pages[:pages]]
    text = clean("\n".join(plain for plain, _ in extracted))
    yield text
    if _NOTICE_WORDS.search(re.sub(r"\s+", "", text)) or set(text) >= _NOTICE_GLYPHS:
        runs = [run for _, page_runs in extracted for run in page_runs]
        yield clean(by_rows(runs))  # rows rebuilt from positions
        yield clean(by_columns(runs))  # columns rebuilt from positions
    if len(text) <= MAX_CID_TEXT and any(unmapped_cid_fonts(p) for p in reader.pages[:pages]):
        yield clean(cid_text(data, pages)[: max_text * pages])


_NOTICE_WORDS = re.compile(r"認証|保証|証書|契約|番号|お知らせ|キー")
#: The glyphs of 認証キー, wherever they are (scattered glyphs give no words in pypdf's order).
_NOTICE_GLYPHS = frozenset("認証キ")
