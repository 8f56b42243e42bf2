"""Fonts for the PDF documents, loaded once per process.

The Japanese font is Noto Sans CJK JP from the PyPI package ``noto-cjk-sans-jp-regular``
(OFL); another TTF/OTF can replace it (``body_font``: the front ends pass the setting
``HOSHO_PDF_FONT`` from their Runtime). The 認証キー (auth key) is set in IBM Plex
Mono (``fontpkg-ibm-plex-mono``, OFL), whose 0 (dotted), O, 1, l, I and 8/B cannot be
confused.

Why not ``FPDF.add_font`` on the 16 MB font for every PDF: fpdf2 parses the whole font
(about 0.4 s) and, when writing the PDF, subsets it with fontTools (another 0.5 s); the
subsetting changes the parsed font, so it cannot be reused. Instead a :class:`GlyphSource`
parses the font once and converts each character it is asked for into a compiled TrueType
glyph once (cached). For each document, ``pdf_ttf.write_ttf`` assembles a font of exactly
that document's characters (no other document's characters leak into it) and fpdf2 gets a
ready font object: its own parse and subset steps are skipped (see ``_SubsetProxy``).
A character the font lacks raises :class:`DocumentError` instead of printing a blank box.
"""

from __future__ import annotations

import copy
import io
import threading
from collections import OrderedDict, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from hosho.core.documents.truetype import FontInfo, Glyph, write_ttf
from hosho.core.errors import DocumentError

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.fonts import TTFFont

#: Characters that are layout, not glyphs.
_LAYOUT_CHARS = frozenset("\n\r\t")
#: Fonts kept per source, by character set (a re-issued notice reuses its font).
_FONT_CACHE = 256


class _Prebuilt:
    """Stands in for fpdf2's parsed fontTools font: the bytes are final, nothing to subset."""

    hosho_prebuilt = True

    def __init__(self, data: bytes, glyph_ids: dict[str, int]) -> None:
        self._data = data
        self._ids = glyph_ids

    def getGlyphID(self, name: str) -> int:  # noqa: N802 - fontTools' name
        """Glyph index of a glyph name (fpdf2 maps its character codes with it)."""
        return self._ids[name]

    def save(self, stream: BinaryIO) -> None:
        """Write the font file (fpdf2 embeds what is written)."""
        stream.write(self._data)

    def __contains__(self, tag: object) -> bool:
        return False  # no "CFF " table: a TrueType (CIDFontType2) font

    def close(self) -> None:
        """Nothing to release (fpdf2 closes fonts after writing)."""


class _Subsetter:
    def __init__(self, real: Any) -> None:
        self._real = real
        self._glyphs: Any = None

    def populate(self, **kwargs: Any) -> None:
        self._glyphs = kwargs

    def subset(self, font: Any) -> None:
        if getattr(font, "hosho_prebuilt", False):
            return
        self._real.populate(**self._glyphs)
        self._real.subset(font)


class _SubsetProxy:
    """Replaces ``fontTools.subset`` inside ``fpdf.output``: fonts hosho built are skipped,
    every other font is subset exactly as before (so other FPDF users see no change)."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def Subsetter(self, options: Any = None) -> _Subsetter:  # noqa: N802 - fontTools' name
        return _Subsetter(self._real.Subsetter(options))


def _install_subset_proxy() -> None:
    import fpdf.output

    if not isinstance(fpdf.output.ftsubset, _SubsetProxy):
        fpdf.output.ftsubset = _SubsetProxy(fpdf.output.ftsubset)  # type: ignore[assignment]


def _unicode_cmap(font: Any) -> dict[int, str] | None:
    """Code point → glyph name from the font's format 12 (full Unicode) subtable, read
    straight from the table bytes: ~15 ms instead of fontTools' ~200 ms for Noto CJK.
    None when there is no such subtable (fontTools' getBestCmap is used then)."""
    import struct

    if "cmap" not in font.reader.tables:
        return None
    raw = bytes(font.reader["cmap"])
    _version, count = struct.unpack_from(">HH", raw, 0)
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", raw, 4 + 8 * index)
        if (platform, encoding) not in ((3, 10), (0, 4), (0, 6)):
            continue
        if struct.unpack_from(">H", raw, offset)[0] != 12:
            continue
        groups = struct.unpack_from(">I", raw, offset + 12)[0]
        order = font.getGlyphOrder()
        cmap: dict[int, str] = {}
        for start, end, first in struct.iter_unpack(
            ">III", raw[offset + 16 : offset + 16 + 12 * groups]
        ):
            for code in range(start, end + 1):
                glyph = first + code - start
                if glyph < len(order):
                    cmap[code] = order[glyph]
        return cmap
    return None


class GlyphSource:
    """One font file, parsed once; makes per-document fonts from cached glyphs."""

    def __init__(self, path: Path, label: str) -> None:
        from fontTools.ttLib import TTFont, TTLibError

        self.path = Path(path)
        self.label = label
        try:
            self._font = TTFont(io.BytesIO(self.path.read_bytes()), lazy=True)
            self._glyph_set = self._font.getGlyphSet()
            self._cmap: dict[int, str] = _unicode_cmap(self._font) or self._font.getBestCmap() or {}
            self._hmtx = self._font["hmtx"].metrics
            self.units_per_em = int(self._font["head"].unitsPerEm)
            hhea, post = self._font["hhea"], self._font["post"]
            self.info = FontInfo(
                family=f"Hosho{label.title()}",
                units_per_em=self.units_per_em,
                ascent=int(hhea.ascent),
                descent=int(hhea.descent),
                line_gap=int(hhea.lineGap),
                created=int(self._font["head"].created),
                italic_angle=int(post.italicAngle * 65536),
                underline_position=int(post.underlinePosition),
                underline_thickness=int(post.underlineThickness),
                fixed_pitch=bool(post.isFixedPitch),
                os2=bytes(self._font.reader["OS/2"]),
            )
        except (OSError, TTLibError, KeyError, AssertionError, AttributeError) as err:
            raise DocumentError(f"cannot read font {self.path}: {err}") from None
        if not self._cmap:
            raise DocumentError(f"font {self.path} has no Unicode character map")
        advance = int(self._hmtx.get(".notdef", (self.units_per_em // 2, 0))[0])
        self._notdef = Glyph(b"", advance, (0, 0, 0, 0), 0, 0)
        self._glyphs: dict[int, Glyph] = {}
        self._fonts: OrderedDict[tuple[int, ...], bytes] = OrderedDict()
        self._template: TTFFont | None = None
        self._lock = threading.Lock()

    @property
    def cached_characters(self) -> frozenset[int]:
        """Code points whose glyphs are converted already."""
        with self._lock:
            return frozenset(self._glyphs)

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` this font cannot draw, in order of first use."""
        cmap = self._cmap
        lacking = {c for c in set(text) - _LAYOUT_CHARS if ord(c) not in cmap}
        return sorted(lacking, key=text.index) if lacking else []

    def check(self, text: str) -> None:
        """Raise DocumentError naming every character the font lacks (no blank boxes)."""
        lacking = self.missing(text)
        if lacking:
            shown = "、".join(f"「{c}」(U+{ord(c):04X})" for c in lacking[:10])
            raise DocumentError(
                f"フォント {self.path.name} にない文字があります: {shown}"
                f" / the font lacks {len(lacking)} character(s)"
            )

    def font_for(self, text: str) -> tuple[tuple[int, ...], bytes]:
        """The characters of ``text`` (sorted, with space) and a TrueType font of them."""
        self.check(text)
        codes = tuple(sorted({ord(c) for c in set(text) - _LAYOUT_CHARS} | {0x20}))
        with self._lock:
            data = self._fonts.get(codes)
            if data is not None:
                self._fonts.move_to_end(codes)
                return codes, data
            for code in codes:
                if code not in self._glyphs:
                    self._glyphs[code] = self._convert(code)
            data = write_ttf(self.info, self._notdef, [self._glyphs[c] for c in codes], codes)
            self._fonts[codes] = data
            if len(self._fonts) > _FONT_CACHE:
                self._fonts.popitem(last=False)
            return codes, data

    def _convert(self, code: int) -> Glyph:
        """Draw one character into a quadratic (TrueType) glyph and compile it."""
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen

        name = self._cmap[code]
        pen = TTGlyphPen(None)
        # Cubic → quadratic within 1/500 em (invisible at any print size; fewer points).
        # Contour direction is left as drawn: the non-zero fill rule does not depend on it.
        self._glyph_set[name].draw(Cu2QuPen(pen, self.units_per_em / 500))
        glyph = pen.glyph()
        advance = int(self._hmtx[name][0])
        if glyph.numberOfContours <= 0:
            return Glyph(b"", advance, (0, 0, 0, 0), 0, 0)
        glyph.recalcBounds(None)
        bounds = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
        data = glyph.compile(None, recalcBBoxes=False)
        return Glyph(data, advance, bounds, len(glyph.coordinates), glyph.numberOfContours)

    def template(self) -> TTFFont:
        """fpdf2's font object for this source, parsed once from a one-glyph font."""
        from fpdf import FPDF
        from fpdf.fonts import TTFFont

        with self._lock:
            if self._template is None:
                codes = (0x20,)
                self._glyphs.setdefault(0x20, self._convert(0x20))
                data = write_ttf(self.info, self._notdef, [self._glyphs[0x20]], codes)
                template = TTFFont(FPDF(), io.BytesIO(data), self.label, "")  # type: ignore[arg-type]
                # The descriptor's FontBBox is the whole source font's, not the space's.
                head, scale = self._font["head"], template.scale
                template.desc.font_b_box = (
                    f"[{head.xMin * scale:.0f} {head.yMin * scale:.0f}"
                    f" {head.xMax * scale:.0f} {head.yMax * scale:.0f}]"
                )
                self._template = template
            return self._template

    def add_to(self, pdf: FPDF, family: str, text: str) -> None:
        """Register ``family`` on ``pdf`` as a font holding exactly the characters of ``text``."""
        from fpdf.fonts import SubsetMap

        codes, data = self.font_for(text)
        template = self.template()
        font = copy.copy(template)
        scale = template.scale
        names = {code: f"u{code:05X}" for code in codes}
        font.i = len(pdf.fonts) + 1
        font.fontkey = family.lower()
        font.cmap = names
        font.glyph_ids = {code: gid for gid, code in enumerate(codes, start=1)}
        default = template.desc.missing_width
        widths: defaultdict[int, float] = defaultdict(lambda: default)
        for code in codes:
            widths[code] = round(scale * self._glyphs[code].advance + 0.001)
        font.cw = widths
        font.desc = copy.copy(template.desc)  # fpdf2 numbers and fills it per document
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.ttfont = _Prebuilt(
            data, {".notdef": 0, **{n: font.glyph_ids[c] for c, n in names.items()}}
        )
        font.subset = SubsetMap(font)
        pdf.fonts[font.fontkey] = font


def body_font_path(override: Path | None = None) -> Path:
    """The Japanese text font: ``override`` when given, else the packaged Noto Sans CJK JP."""
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


def add_fonts(
    pdf: FPDF, body_text: str, key_text: str = "", *, body_font: Path | None = None
) -> None:
    """Register ``BODY`` (and ``KEY`` when ``key_text``) on ``pdf`` for exactly these texts.
    ``body_font`` replaces the packaged Japanese font (see :func:`body_font_path`).

    Every string the document will print must be part of ``body_text`` / ``key_text``:
    the fonts hold only what was asked for. Raises DocumentError for a character the font
    lacks, before anything is drawn.
    """
    _install_subset_proxy()
    glyph_source(body_font_path(body_font), "body").add_to(pdf, BODY, body_text)
    if key_text:
        glyph_source(key_font_path(), "key").add_to(pdf, KEY, key_text)
