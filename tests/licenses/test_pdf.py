"""The PDF: a real file, Chinese text that can be extracted (embedded TrueType and the
built-in CID font), each character shown in a font that has it, the QR code as an image
encoding the public verification URL."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from yilian.forms import notice
from yilian.licenses import fonts, pdf, qr

pytestmark = pytest.mark.django_db

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def font_files(data: bytes) -> list[str]:
    """Kinds of embedded font programs (FontFile2 = TrueType)."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    kinds = []
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            descriptor = descendant.get_object().get("/FontDescriptor")
            if descriptor is not None:
                kinds += [k for k in ("/FontFile", "/FontFile2", "/FontFile3")
                          if k in descriptor.get_object()]
    return kinds


def assert_license_text(text: str, lic) -> None:
    compact = text.replace(" ", "").replace("\n", "")
    assert "营业执照" in compact
    assert lic.fields["name"] in compact
    assert lic.uscc in compact
    assert "威海火炬高技术产业开发区市场监督管理局" in compact
    assert lic.key_id in compact


@pytest.mark.skipif(not WQY.exists(), reason="fonts-wqy-microhei is not installed")
def test_truetype_font_is_embedded_and_text_extractable(lic):
    data = pdf.render(lic.signed, font=str(WQY))
    assert data.startswith(b"%PDF-")
    assert_license_text(text_of(data), lic)
    assert "/FontFile2" in font_files(data)


def test_cid_font_needs_no_file_and_text_is_extractable(lic, settings):
    settings.CJK_FONT = fonts.FORCE_CID
    data = pdf.render(lic.signed)
    assert data.startswith(b"%PDF-")
    assert_license_text(text_of(data), lic)
    assert font_files(data) == []  # the viewer supplies STSong-Light's glyphs


def test_unusable_configured_font_falls_back(lic, settings, tmp_path):
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_bytes(b"OTTO not really a font")
    settings.CJK_FONT = str(bogus)
    assert fonts.load(str(bogus)) is None  # passed over: installed fonts, then CID
    assert_license_text(text_of(pdf.render(lic.signed)), lic)


def test_qr_encodes_the_public_verification_url(lic, settings, monkeypatch):
    settings.PUBLIC_URL = "https://yilian.example.cn"
    seen: list[str] = []
    real = qr.encode

    def spy(payload: str, *args, **kwargs) -> bytes:
        seen.append(payload)
        return real(payload, *args, **kwargs)

    monkeypatch.setattr(qr, "encode", spy)
    data = pdf.render(lic.signed, font=fonts.FORCE_CID)
    assert seen == [f"https://yilian.example.cn/verify/{lic.uscc}/"]
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1
    assert qr.encode(seen[0]).startswith(b"\x89PNG")


def test_long_business_scope_still_fits_on_one_page(lic):
    doc = {**lic.signed, "license": {**lic.signed["license"],
                                     "business_scope": "；".join(["软件开发"] * 200)}}
    data = pdf.render(doc, font=fonts.FORCE_CID)
    assert "软件开发" in text_of(data)


def test_pdf_is_rendered_once_and_cached(lic, settings, monkeypatch):
    with pdf.cached_pdf(lic) as handle:
        data = handle.read()
    path = Path(settings.MEDIA_ROOT) / pdf.cache_name(lic)
    assert path.parent == Path(settings.MEDIA_ROOT) / "licenses"
    assert path.read_bytes() == data and data.startswith(b"%PDF-")
    assert path.stat().st_mode & 0o777 == 0o600  # it names people
    assert path.parent.stat().st_mode & 0o777 == 0o700
    monkeypatch.setattr(pdf, "render", lambda *a, **k: pytest.fail("rendered twice"))
    with pdf.cached_pdf(lic) as handle:
        assert handle.read() == data
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left



EXPECTED_FONTS = {  # base font names in the PDF, subset prefixes removed
    "droid-only": {"DroidSansFallback", "STSong-Light"},
    "ci-fonts": {"WenQuanYiMicroHei"},
    "no-truetype": {"STSong-Light"},
}


def shown(data: bytes) -> dict[str, str]:
    """The text each font shows on the page (read from the PDF's content stream)."""
    by_font: dict[str, str] = {}

    def visit(text, _cm, _tm, font, _size):
        if font is not None and text.strip():
            # ReportLab names a TrueType font's 256-glyph subsets Name-0, Name-1 …
            name = re.sub(r"-\d+$", "", str(font["/BaseFont"]).lstrip("/").split("+")[-1])
            by_font[name] = by_font.get(name, "") + text

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return by_font


def test_each_situation_shows_the_text_in_the_fonts_that_cover_it(lic, font_situation):
    """Droid Sans Fallback alone: Chinese in (embedded) Droid, the code's digits and
    letters in the CID font; CI's fonts: wqy covers everything; none: the CID font."""
    by_font = shown(pdf.render(lic.signed))
    assert set(by_font) == EXPECTED_FONTS[font_situation]
    if font_situation == "droid-only":
        assert not any(c.isascii() and c.isalnum() for c in by_font["DroidSansFallback"])
        assert lic.uscc in by_font["STSong-Light"].replace(" ", "")


def test_the_acceptance_notice_too(application, font_situation):
    by_font = shown(notice.render(application))
    assert set(by_font) == EXPECTED_FONTS[font_situation]
    if font_situation == "droid-only":
        assert not any(c.isascii() and c.isalnum() for c in by_font["DroidSansFallback"])
        assert notice.notice_number(application) in by_font["STSong-Light"]
