"""Fonts for the PDF documents, loaded once per process.

The Japanese font is Noto Sans CJK JP from the PyPI package ``noto-cjk-sans-jp-regular``
(OFL); ``HOSHO_PDF_FONT`` names another TTF/OTF. The 認証キー (auth key) is set in IBM Plex
Mono (``fontpkg-ibm-plex-mono``, OFL), whose 0/O, 1/l/I and 8/B cannot be confused.

Why not ``FPDF.add_font`` on the 16 MB font for every PDF: fpdf2 parses the whole font
(about 0.4 s) and, when writing the PDF, subsets it with fontTools (another 0.5 s), and the
subsetting changes the parsed font, so it cannot be reused. Instead a :class:`GlyphSource`
parses the font once, converts each character it is asked for into a TrueType glyph once
(cached), and writes a small *working font* holding only the characters seen so far in this
process. fpdf2 then reads and subsets that small file per document in a few milliseconds.
A character the font lacks raises :class:`DocumentError` instead of printing a blank box.
"""

from __future__ import annotations

import atexit
import io
import shutil
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from hosho.core.errors import DocumentError

if TYPE_CHECKING:
    from fpdf import FPDF

#: Characters that are layout, not glyphs.
_LAYOUT_CHARS = frozenset("\n\r\t")
_TMP_DIR: Path | None = None
_TMP_LOCK = threading.Lock()


def _tmp_dir() -> Path:
    """A private folder for this process's working fonts, removed at exit."""
    global _TMP_DIR
    with _TMP_LOCK:
        if _TMP_DIR is None:
            _TMP_DIR = Path(tempfile.mkdtemp(prefix="hosho-fonts-"))
            atexit.register(shutil.rmtree, _TMP_DIR, True)
        return _TMP_DIR


@dataclass(frozen=True)
class _Glyph:
    """One character converted to a TrueType glyph: compiled bytes and metrics."""

    data: bytes
    advance: int
    bounds: tuple[int, int, int, int]  # xMin, yMin, xMax, yMax
    points: int
    contours: int


class GlyphSource:
    """One font file, parsed once; hands out small working fonts for a set of characters."""

    def __init__(self, path: Path, label: str) -> None:
        from fontTools.ttLib import TTFont, TTLibError

        self.path = Path(path)
        self.label = label
        try:
            self._font = TTFont(io.BytesIO(self.path.read_bytes()), lazy=True)
            self._cmap: dict[int, str] = self._font.getBestCmap() or {}
            self._glyph_set = self._font.getGlyphSet()
            self._hmtx = self._font["hmtx"].metrics
            self.units_per_em = int(self._font["head"].unitsPerEm)
        except (OSError, TTLibError, KeyError, AssertionError) as err:
            raise DocumentError(f"cannot read font {self.path}: {err}") from None
        if not self._cmap:
            raise DocumentError(f"font {self.path} has no Unicode character map")
        self._glyphs: dict[int, _Glyph] = {}
        self._lock = threading.Lock()
        self._file: Path | None = None
        self._file_chars: frozenset[int] = frozenset()
        self._generation = 0

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` this font cannot draw, in order of first use."""
        seen: dict[str, None] = {}
        for char in text:
            if char not in _LAYOUT_CHARS and ord(char) not in self._cmap:
                seen.setdefault(char)
        return list(seen)

    def check(self, text: str) -> None:
        """Raise DocumentError naming every character the font lacks (no blank boxes)."""
        lacking = self.missing(text)
        if lacking:
            shown = "、".join(f"「{c}」(U+{ord(c):04X})" for c in lacking[:10])
            raise DocumentError(
                f"フォント {self.path.name} にない文字があります: {shown}"
                f" / the font lacks {len(lacking)} character(s)"
            )

    def font_file(self, text: str) -> Path:
        """A TrueType file holding at least every character of ``text`` (checked first)."""
        self.check(text)
        wanted = frozenset(ord(c) for c in text if c not in _LAYOUT_CHARS) | {0x20}
        with self._lock:
            if self._file is not None and wanted <= self._file_chars:
                return self._file
            chars = self._file_chars | wanted
            for code in sorted(chars - self._glyphs.keys()):
                self._glyphs[code] = self._convert(code)
            self._generation += 1
            path = _tmp_dir() / f"{self.label}-{self._generation}.ttf"
            path.write_bytes(self._build(sorted(chars)))
            self._file, self._file_chars = path, chars
            return path

    def _convert(self, code: int) -> _Glyph:
        """Draw one character into a quadratic (TrueType) glyph and compile it."""
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen

        name = self._cmap[code]
        pen = TTGlyphPen(None)
        # Contour direction is left as drawn: the non-zero fill rule does not depend on it.
        self._glyph_set[name].draw(Cu2QuPen(pen, self.units_per_em / 1000))
        glyph = pen.glyph()
        contours = max(glyph.numberOfContours, 0)
        if contours:
            glyph.recalcBounds(None)
            bounds = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
            points = len(glyph.coordinates)
        else:
            bounds, points = (0, 0, 0, 0), 0
        data = glyph.compile(None, recalcBBoxes=False) if contours else b""
        return _Glyph(data, int(self._hmtx[name][0]), bounds, points, contours)

    def _build(self, chars: list[int]) -> bytes:
        """A TrueType font of the cached glyphs for ``chars`` (no bounding-box recompute)."""
        from fontTools.fontBuilder import FontBuilder
        from fontTools.ttLib import newTable
        from fontTools.ttLib.tables._g_l_y_f import Glyph

        src = self._font
        upem = self.units_per_em
        names = {code: f"u{code:05X}" for code in chars}
        order = [".notdef", *names.values()]
        builder = FontBuilder(upem, isTTF=True)
        builder.setupGlyphOrder(order)
        builder.setupCharacterMap(names)
        notdef = _Glyph(b"", upem // 2, (0, 0, 0, 0), 0, 0)
        cached = {".notdef": notdef} | {names[c]: self._glyphs[c] for c in chars}
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {name: Glyph(g.data) for name, g in cached.items()}
        builder.font["glyf"] = glyf
        builder.font["loca"] = newTable("loca")
        builder.setupHorizontalMetrics({n: (g.advance, g.bounds[0]) for n, g in cached.items()})
        hhea = src["hhea"]
        builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
        family = f"Hosho{self.label.title()}"
        builder.setupNameTable({"familyName": family, "styleName": "Regular"})
        os2 = src["OS/2"]
        builder.setupOS2(
            sTypoAscender=os2.sTypoAscender,
            sTypoDescender=os2.sTypoDescender,
            usWinAscent=os2.usWinAscent,
            usWinDescent=os2.usWinDescent,
            sCapHeight=getattr(os2, "sCapHeight", hhea.ascent),
            usWeightClass=os2.usWeightClass,
            fsType=0,
        )
        builder.setupPost(isFixedPitch=src["post"].isFixedPitch)
        drawn = [g for g in cached.values() if g.contours]
        stamp = src["head"].created
        builder.setupHead(
            unitsPerEm=upem,
            created=stamp,
            modified=stamp,
            xMin=min((g.bounds[0] for g in drawn), default=0),
            yMin=min((g.bounds[1] for g in drawn), default=0),
            xMax=max((g.bounds[2] for g in drawn), default=0),
            yMax=max((g.bounds[3] for g in drawn), default=0),
        )
        maxp = builder.font["maxp"]
        maxp.numGlyphs = len(order)
        maxp.maxPoints = max((g.points for g in drawn), default=0)
        maxp.maxContours = max((g.contours for g in drawn), default=0)
        builder.font.recalcBBoxes = False
        out = io.BytesIO()
        builder.font.save(out)
        return out.getvalue()


def body_font_path() -> Path:
    """The Japanese text font: ``HOSHO_PDF_FONT`` or the packaged Noto Sans CJK JP."""
    from hosho.core.settings import get_settings

    override = get_settings().pdf_font
    if override is not None:
        return Path(override)
    try:
        import noto_cjk_sans_jp_regular
    except ImportError:  # pragma: no cover - a dependency of the project
        raise DocumentError("package noto-cjk-sans-jp-regular is not installed") from None
    return Path(noto_cjk_sans_jp_regular.__file__).with_name("NotoSansCJKjp-Regular.otf")


def key_font_path() -> Path:
    """The 認証キー font: IBM Plex Mono SemiBold (slashed zero, serifed 1 and I)."""
    try:
        import fontpkg_ibm_plex_mono
    except ImportError:  # pragma: no cover - a dependency of the project
        raise DocumentError("package fontpkg-ibm-plex-mono is not installed") from None
    return Path(fontpkg_ibm_plex_mono.ROOT) / "files" / "IBMPlexMono-SemiBold.ttf"


@lru_cache(maxsize=4)
def glyph_source(path: Path, label: str) -> GlyphSource:
    """The process-wide GlyphSource of one font file (parsed on first use)."""
    return GlyphSource(path, label)


#: fpdf2 family names of the two fonts in every document.
BODY = "hosho-body"
KEY = "hosho-key"


def add_fonts(pdf: FPDF, body_text: str, key_text: str = "") -> None:
    """Register ``BODY`` (and ``KEY`` when ``key_text``) on ``pdf`` for exactly these texts.

    Every string the document will print must be part of ``body_text`` / ``key_text``:
    the working font only holds what was asked for. Raises DocumentError for a
    character the font lacks.
    """
    from fpdf.fonts import TTFFont

    fonts = [(BODY, glyph_source(body_font_path(), "body"), body_text)]
    if key_text:
        fonts.append((KEY, glyph_source(key_font_path(), "key"), key_text))
    for family, source, text in fonts:
        pdf.add_font(family, "", str(source.font_file(text)))
        # The glyphs are compiled already: without this fpdf2's save would re-expand and
        # recompile every glyph to recompute bounding boxes (about 1 ms per kanji).
        font = pdf.fonts[family.lower()]
        assert isinstance(font, TTFFont)
        font.ttfont.recalcBBoxes = False
