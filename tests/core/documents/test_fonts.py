"""The per-document fonts: valid TrueType, only the document's own characters, fast after
the first, safe from several threads, and no change for other users of fpdf2."""

from __future__ import annotations

import io
import threading
from datetime import date

import pypdf
from fontTools.ttLib import TTFont, getTableClass
from fpdf import FPDF

from hosho.core.documents import fonts as pdf_fonts
from hosho.core.documents.notice import render_notice
from hosho.core.documents.reader import read_pdf
from hosho.core.rules.profile import load_profile
from tests.core.documents.test_documents import make_contract, pdf_text


def embedded_fonts(data: bytes) -> dict[str, TTFont]:
    """Every embedded TrueType font of page 1, by base font name."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    fonts = {}
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        stream = descendant["/FontDescriptor"]["/FontFile2"].get_object()
        fonts[str(font["/BaseFont"])] = TTFont(io.BytesIO(stream.get_data()))
    return fonts


def test_generated_font_is_valid_truetype_with_exactly_the_asked_characters() -> None:
    source = pdf_fonts.glyph_source(pdf_fonts.body_font_path(), "body")
    codes, data = source.font_for("電子証書 ABC 0\n")
    font = TTFont(io.BytesIO(data))
    tags = ("OS/2", "cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post")
    assert set(tags) <= set(font.keys())
    for tag in tags:  # every table decompiles (font[tag] raises if not) to its own class
        assert isinstance(font[tag], getTableClass(tag)), tag
    assert set(font.getBestCmap()) == set(map(ord, "電子証書 ABC0"))
    assert font["maxp"].numGlyphs == len(codes) + 1
    glyph = font["glyf"][font.getBestCmap()[ord("電")]]
    assert glyph.numberOfContours > 3  # an outline, not an empty box
    out = io.BytesIO()
    font.save(out)  # fontTools can recompile it (checksums, offsets consistent)


def test_a_notice_carries_no_other_notices_characters() -> None:
    profile = load_profile("aya")
    first, contractor = make_contract(project_name="鰻鱒鰯鯖の養殖場整備工事")
    render_notice(first, contractor, profile)
    second, _ = make_contract(project_name="町道改良工事")
    fonts = embedded_fonts(render_notice(second, contractor, profile))
    body = next(f for name, f in fonts.items() if "HoshoBody" in name)
    chars = set(body.getBestCmap())
    assert ord("改") in chars
    assert not chars & set(map(ord, "鰻鱒鰯鯖"))
    key = next(f for name, f in fonts.items() if "HoshoKey" in name)
    assert set(key.getBestCmap()) <= set(map(ord, "A0O1-IL8B-5S2Z-QD0G "))


def test_each_notice_after_the_first_shows_its_own_project() -> None:
    """The warm glyph cache takes the new characters of each notice (the time per notice
    is a figure of bench/bench_documents.py)."""
    profile = load_profile("aya")
    contract, contractor = make_contract()
    render_notice(contract, contractor, profile)
    for n, place in enumerate(("北俣", "杢道", "崎ノ田")):
        contract.project_name = f"{place}町道改良工事（第{n}工区）"
        assert contract.project_name in pdf_text(render_notice(contract, contractor, profile))


def test_notices_from_several_threads_keep_their_own_data() -> None:
    profile = load_profile("aya")
    results: dict[str, bytes] = {}

    def run(worker: int) -> None:
        for n in range(4):
            number = f"{worker:02d}{n:08d}"
            contract, contractor = make_contract(
                contract_number=number, auth_key=f"{worker:04d}WXYZ{n:04d}ABCD"
            )
            results[number] = render_notice(contract, contractor, profile, issued=date(2025, 4, 1))

    threads = [threading.Thread(target=run, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 16
    for number, data in results.items():
        parsed = read_pdf(data)
        worker, n = int(number[:2]), int(number[2:])
        assert parsed.contract_number == number
        assert parsed.auth_key == f"{worker:04d}-WXYZ-{n:04d}-ABCD"
        assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1


def test_other_fpdf_users_still_get_ordinary_subsetting() -> None:
    contract, contractor = make_contract()
    render_notice(contract, contractor, load_profile("aya"))  # the subset proxy is installed
    plex = pdf_fonts.key_font_path()
    pdf = FPDF()
    pdf.add_font("plex", "", str(plex))
    pdf.add_page()
    pdf.set_font("plex", size=12)
    pdf.cell(0, 10, "Hello")
    data = bytes(pdf.output())
    [font] = embedded_fonts(data).values()
    assert set(font.getBestCmap()) <= set(map(ord, "\0Helo "))  # subset, not the whole font
    assert len(data) < plex.stat().st_size / 2


def test_warm_up_converts_the_fixed_text_in_the_background() -> None:
    from hosho.core.documents.issuing import warm_up

    thread = warm_up(load_profile("aya"))
    assert thread is not None
    thread.join(60)
    assert not thread.is_alive()
    source = pdf_fonts.glyph_source(pdf_fonts.body_font_path(), "body")
    assert set(map(ord, "電子証書閲覧用認証キー等のお知らせ発注者")) <= source.cached_characters


def test_wrap_keeps_lines_inside_and_follows_kinsoku() -> None:
    from hosho.core.documents.layout import wrap

    text = (
        "発注者は、D-Sure（発注者用保証確認サービス）で電子証書を閲覧します。" * 6
        + "https://www.example.lg.jp/"
        + "a" * 120
        + "/path、次の文。"
    )
    pdf = FPDF()
    pdf_fonts.add_fonts(pdf, text)
    pdf.add_page()
    pdf.set_font(pdf_fonts.BODY, size=10)
    width = 60.0
    lines = wrap(pdf, text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
    for line in lines:
        assert pdf.get_string_width(line) <= width + 0.01, line
    for line in lines[1:]:
        assert line[0] not in "、。）」", line  # 禁則: no line starts with closing marks


def test_fast_unicode_cmap_reads_what_fonttools_reads() -> None:
    font = TTFont(io.BytesIO(pdf_fonts.body_font_path().read_bytes()), lazy=True)
    font.getGlyphSet()
    fast = pdf_fonts._unicode_cmap(font)
    assert fast is not None and len(fast) > 40_000
    assert fast == font.getBestCmap()
