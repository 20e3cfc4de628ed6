"""Choosing a font that can print Chinese in the license PDF.

Preference: the font configured in ``settings.CJK_FONT`` (``YILIAN_CJK_FONT``), then an
installed TrueType CJK font, then ReportLab's built-in CID font ``STSong-Light``, which
needs no file at all (the PDF viewer supplies the glyphs) so a PDF can always be made.
Embedded TrueType looks the same everywhere; the CID font depends on the viewer.

ReportLab embeds TrueType (glyf) outlines only; CFF-based fonts such as Noto Sans CJK
(.otf/.ttc) fail to load and are skipped. A ``.ttc`` collection takes its first face, or
the one named by a ``#N`` suffix (``/path/font.ttc#1``).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger("yilian.licenses")

CID_FONT = "STSong-Light"
# Settings value that forces the CID font even when a TrueType font is installed.
FORCE_CID = "cid"

CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",  # Fedora
    "/System/Library/Fonts/STHeiti Light.ttc",  # macOS
    "C:/Windows/Fonts/simhei.ttf",
)

_lock = threading.Lock()
_registered: dict[str, str | None] = {}


def _split(spec: str) -> tuple[Path, int]:
    path, _, index = spec.partition("#")
    return Path(path).expanduser(), int(index) if index.isdigit() else 0


def _register_truetype(spec: str) -> str | None:
    """Register a TrueType font file with ReportLab; its name, or None if unusable."""
    if spec in _registered:
        return _registered[spec]
    path, index = _split(spec)
    name: str | None = None
    if path.is_file():
        name = "YL-" + hashlib.sha1(spec.encode()).hexdigest()[:10]
        try:
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
        except Exception as exc:  # ReportLab raises TTFError and plain errors alike
            log.info("font %s is not usable (%s); trying the next", spec, exc)
            name = None
    _registered[spec] = name
    return name


def _register_cid() -> str:
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def resolve(preference: str | None = None) -> str:
    """The ReportLab name of the font to use. ``preference`` is a font path, ``"cid"``
    for the built-in CID font, or None/"" for the configured-then-installed search."""
    if preference is None:
        from django.conf import settings

        preference = getattr(settings, "CJK_FONT", "") if settings.configured else ""
    with _lock:
        if preference == FORCE_CID:
            return _register_cid()
        if preference:
            name = _register_truetype(preference)
            if name:
                return name
            log.warning("CJK font %s cannot be used; falling back", preference)
        for candidate in CANDIDATES:
            name = _register_truetype(candidate)
            if name:
                return name
        return _register_cid()


def is_embedded(font_name: str) -> bool:
    """Whether the font's glyphs travel inside the PDF (TrueType) or not (CID)."""
    return font_name != CID_FONT
