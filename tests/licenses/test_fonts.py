"""Fonts by coverage: every character goes to the first font with a real (non-empty)
glyph for it, and to the built-in CID font when no installed font has one."""

from __future__ import annotations

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from tests.licenses.fontsets import DEJAVU, DROID, NOTO_CJK, WQY, font_dir
from yilian.licenses import fonts, typeset

LINE = "统一社会信用代码  91371071MA3C7001X5 注册资本 50万元 2026年11月29日"


def chain_with(settings, tmp_path, *files, configured=""):
    settings.FONT_DIRS = [str(font_dir(tmp_path, files))]
    settings.CJK_FONT = configured
    return fonts.chain()


def font_of(spec) -> str:
    return fonts.load(str(spec)).name


def test_droid_alone_prints_chinese_and_leaves_digits_and_latin_to_the_cid_font(
        settings, tmp_path):
    chain = chain_with(settings, tmp_path, DROID)
    droid = font_of(DROID)
    for char in LINE:
        expected = droid if "\u4e00" <= char <= "\u9fff" or char == " " else fonts.CID_FONT
        assert chain.font_for(char) == expected, char
    # Read straight from the font file: Droid Sans Fallback has no digit at all.
    assert TTFont("probe-droid", str(DROID)).face.charToGlyph.get(ord("9")) is None


def test_a_latin_font_takes_the_digits_when_the_cjk_font_has_none(settings, tmp_path):
    chain = chain_with(settings, tmp_path, DROID, DEJAVU)
    assert chain.font_for("营") == font_of(DROID)
    assert {chain.font_for(c) for c in "0123456789ABCXYZ"} == {font_of(DEJAVU)}


def test_a_full_cjk_font_prints_the_whole_line_in_one_run(settings, tmp_path):
    chain = chain_with(settings, tmp_path, DROID, DEJAVU, WQY)  # wqy is known best
    assert chain.runs(LINE) == [(font_of(WQY), LINE)]


def test_a_blank_glyph_is_not_coverage(settings, tmp_path):
    """WenQuanYi Micro Hei maps ǎ (U+01CE) to an empty outline: it would print nothing."""
    face = TTFont("probe-wqy", str(WQY)).face
    glyph = face.charToGlyph[ord("ǎ")]
    assert face.glyphPos[glyph + 1] == face.glyphPos[glyph]  # the premise, from the file
    chain = chain_with(settings, tmp_path, WQY, DEJAVU)
    assert chain.font_for("ǎ") == font_of(DEJAVU)
    assert chain.font_for("a") == font_of(WQY)


def test_the_configured_font_comes_first_and_the_rest_falls_back(settings, tmp_path):
    chain = chain_with(settings, tmp_path, DROID, configured=str(DEJAVU))
    assert chain.base == font_of(DEJAVU)
    assert chain.runs("代码 AB12") == [(font_of(DROID), "代码"), (font_of(DEJAVU), " AB12")]


def test_cff_fonts_are_skipped_without_parsing_and_nothing_means_cid(settings, tmp_path):
    chain = chain_with(settings, tmp_path, NOTO_CJK)
    assert fonts.load(str(NOTO_CJK)) is None
    assert chain.runs(LINE) == [(fonts.CID_FONT, LINE)]
    assert chain.base == fonts.CID_FONT


def test_cid_setting_uses_the_cid_font_alone(settings):
    settings.CJK_FONT = fonts.FORCE_CID
    assert fonts.chain().runs(LINE) == [(fonts.CID_FONT, LINE)]


def test_unusable_configured_font_is_passed_over(settings, tmp_path):
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_bytes(b"\x00\x01\x00\x00 not really a font")
    chain = chain_with(settings, tmp_path, DROID, configured=str(bogus))
    assert fonts.load(str(bogus)) is None
    assert chain.base == font_of(DROID)


def test_coverage_is_read_once_per_font_file():
    assert fonts.load(str(DEJAVU)) is fonts.load(str(DEJAVU))


def test_paragraph_markup_escapes_text_and_names_each_run(settings, tmp_path):
    chain = chain_with(settings, tmp_path, DROID)
    assert typeset.markup(chain, "甲<b>&") == (
        f'<font name="{font_of(DROID)}">甲</font>'
        f'<font name="{fonts.CID_FONT}">&lt;b&gt;&amp;</font>')


def test_mixed_runs_are_measured_as_one_line(settings, tmp_path):
    """Centred and right-aligned lines use the width of all their runs."""
    chain = chain_with(settings, tmp_path, DROID)
    width = chain.width("代码 9137", 12)
    assert width == pytest.approx(
        pdfmetrics.stringWidth("代码 ", font_of(DROID), 12)
        + pdfmetrics.stringWidth("9137", fonts.CID_FONT, 12))


def test_font_folders_are_walked_once_even_through_a_looping_link(tmp_path):
    folder = tmp_path / "fonts"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "DejaVuSans.ttf").symlink_to(DEJAVU)
    (folder / "sub" / "loop").symlink_to(folder)
    (folder / "DroidSansFallbackFull.ttf").symlink_to(DROID)
    assert fonts.installed((str(folder),)) == (  # known CJK before known Latin
        str(folder / "DroidSansFallbackFull.ttf"), str(folder / "sub" / "DejaVuSans.ttf"))
