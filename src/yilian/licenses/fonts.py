"""Which font prints which character in Yilian's PDFs (license, acceptance notice …).

A document is never printed in one font picked by name: each character goes to the first
font of a *chain* that really has a glyph for it — a cmap entry pointing at a non-empty
outline (a blank glyph prints nothing, as DroidSansFallbackFull's missing digits did on a
machine where it was the first CJK font). The chain, in order:

1. the font configured in ``settings.CJK_FONT`` (``YILIAN_CJK_FONT``), if it is a path;
2. the TrueType fonts installed under ``settings.FONT_DIRS`` (``YILIAN_FONT_DIRS``; empty
   means the usual system font folders): the known CJK fonts first (:data:`CJK_FILES`),
   then known Latin ones (:data:`LATIN_FILES`, for digits and letters when the CJK font
   has none), then any other TrueType file found there, loaded only when needed;
3. ReportLab's built-in CID font ``STSong-Light``, which needs no file (the viewer supplies
   the glyphs) and covers the Chinese character sets (Adobe-GB1), so nothing is left
   without a font.

``YILIAN_CJK_FONT=cid`` makes the chain the CID font alone.

ReportLab embeds TrueType (glyf) outlines only; CFF-based fonts such as Noto Sans CJK
(.otf/.ttc) cannot be used and are skipped by their header, without being parsed. A
``.ttc`` collection takes its first face, or the one named by ``#N`` (``/path/f.ttc#1``).
A font's coverage is read once per process and file (path, size, mtime).
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger("yilian.licenses")

CID_FONT = "STSong-Light"
# Settings value that forces the CID font even when a TrueType font is installed.
FORCE_CID = "cid"

# Known TrueType CJK fonts by file name, best first (Debian/Fedora, macOS, Windows).
CJK_FILES = ("wqy-microhei.ttc", "wqy-zenhei.ttc", "uming.ttc", "ukai.ttc",
             "DroidSansFallbackFull.ttf", "DroidSansFallback.ttf", "STHeiti Light.ttc",
             "msyh.ttc", "simhei.ttf", "simsun.ttc")
# Known TrueType Latin fonts: digits and letters when the CJK font lacks them.
LATIN_FILES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf",
               "Arial.ttf", "arial.ttf")
# Where fonts live when YILIAN_FONT_DIRS is empty (fontconfig's usual folders and the
# macOS and Windows ones).
DEFAULT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts",
                "~/.fonts", "/System/Library/Fonts", "/Library/Fonts", "C:/Windows/Fonts")
_SUFFIXES = (".ttf", ".ttc", ".otf")

_lock = threading.RLock()


@dataclass(frozen=True)
class Font:
    """One usable TrueType face: its ReportLab name and the characters it really draws."""

    name: str
    spec: str
    covers: frozenset[int]


_fonts: dict[tuple[str, int, int], Font | None] = {}


def _split(spec: str) -> tuple[Path, int]:
    path, _, index = spec.partition("#")
    return Path(path).expanduser(), int(index) if index.isdigit() else 0


def _has_truetype_outlines(path: Path, index: int) -> bool:
    """The sfnt header says glyf outlines (not CFF), read without parsing the font: a
    20 MB Noto CJK collection is skipped in microseconds."""
    try:
        with path.open("rb") as handle:
            tag = handle.read(4)
            if tag == b"ttcf":
                handle.seek(12 + 4 * index)
                (offset,) = struct.unpack(">L", handle.read(4))
                handle.seek(offset)
                tag = handle.read(4)
    except (OSError, struct.error):
        return False
    return tag in (b"\x00\x01\x00\x00", b"true")


def _coverage(font: TTFont) -> frozenset[int]:
    """Code points mapped to a non-empty outline; spaces only need the cmap entry (their
    glyph is empty by nature)."""
    face = font.face
    positions = face.glyphPos
    covered = set()
    for code, glyph in face.charToGlyph.items():
        if glyph <= 0 or glyph + 1 >= len(positions):
            continue
        if positions[glyph + 1] > positions[glyph] or chr(code).isspace():
            covered.add(code)
    return frozenset(covered)


def load(spec: str) -> Font | None:
    """The font at ``spec`` registered with ReportLab, with its coverage; None if it is
    missing or unusable. Cached per file version (a link counts as its target)."""
    path, index = _split(spec)
    try:
        path = path.resolve(strict=True)  # a link and its target are one font
        stat = path.stat()
    except (OSError, RuntimeError):
        return None
    spec = f"{path}#{index}"
    key = (spec, stat.st_size, stat.st_mtime_ns)
    with _lock:
        if key in _fonts:
            return _fonts[key]
        font = None
        if path.is_file() and _has_truetype_outlines(path, index):
            name = "YL-" + hashlib.sha1(repr(key).encode()).hexdigest()[:10]
            try:
                tt = TTFont(name, str(path), subfontIndex=index)
                pdfmetrics.registerFont(tt)
                font = Font(name, spec, _coverage(tt))
            except Exception as exc:  # ReportLab raises TTFError and plain errors alike
                log.info("font %s is not usable (%s); skipped", spec, exc)
        else:
            log.info("font %s has no TrueType outlines; skipped", spec)
        _fonts[key] = font
        return font


def _register_cid() -> str:
    with _lock:
        if CID_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


_installed: dict[tuple[str, ...], tuple[str, ...]] = {}


def installed(dirs: tuple[str, ...]) -> tuple[str, ...]:
    """Font files under ``dirs`` in the order they are tried: known CJK, known Latin,
    then the rest by path. Listed once per process and set of folders."""
    with _lock:
        if dirs in _installed:
            return _installed[dirs]
        found: list[Path] = []
        seen: set[str] = set()  # real folders walked: a looping link is walked once
        for folder in dirs:
            root = Path(folder).expanduser()
            if not root.is_dir():
                continue
            for parent, subdirs, files in os.walk(root, followlinks=True):
                real = os.path.realpath(parent)
                if real in seen:
                    subdirs.clear()
                    continue
                seen.add(real)
                subdirs.sort()
                found += [Path(parent, f) for f in sorted(files)
                          if f.lower().endswith(_SUFFIXES)]
        rank = {name: i for i, name in enumerate(CJK_FILES + LATIN_FILES)}
        found.sort(key=lambda p: (rank.get(p.name, len(rank)), str(p)))
        _installed[dirs] = tuple(dict.fromkeys(str(p) for p in found))
        return _installed[dirs]


class FontChain:
    """Fonts in order of preference, ending with the CID font; :meth:`runs` splits a
    text into pieces each printed in the first font that draws all its characters."""

    def __init__(self, specs: tuple[str, ...]):
        self._pending: Iterator[str] = iter(specs)
        self._loaded: list[Font] = []
        self._choice: dict[str, str] = {}

    def _fonts(self) -> Iterator[Font]:
        """The loaded fonts, then the others loaded one by one as they are needed."""
        yield from self._loaded
        for spec in self._pending:
            font = load(spec)
            if font is not None and font.spec not in {f.spec for f in self._loaded}:
                self._loaded.append(font)
                yield font

    def font_for(self, char: str) -> str:
        """The ReportLab name of the font that prints ``char``."""
        with _lock:
            if char not in self._choice:
                code = ord(char)
                self._choice[char] = next(
                    (f.name for f in self._fonts() if code in f.covers), None
                ) or _register_cid()
            return self._choice[char]

    @property
    def base(self) -> str:
        """The first usable font (a paragraph's style font; its runs say the rest)."""
        with _lock:
            return next((f.name for f in self._fonts()), None) or _register_cid()

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` cut into (font name, piece) runs, in order. Control characters are
        dropped: no font prints them."""
        out: list[tuple[str, str]] = []
        for char in text:
            if unicodedata.category(char) == "Cc":
                continue
            name = self.font_for(char)
            if out and out[-1][0] == name:
                out[-1] = (name, out[-1][1] + char)
            else:
                out.append((name, char))
        return out

    def width(self, text: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in self.runs(text))


_chains: dict[tuple[str, tuple[str, ...]], FontChain] = {}


def _settings() -> tuple[str, tuple[str, ...]]:
    from django.conf import settings

    if not settings.configured:
        return "", DEFAULT_DIRS
    dirs = tuple(getattr(settings, "FONT_DIRS", ()) or DEFAULT_DIRS)
    return getattr(settings, "CJK_FONT", "") or "", dirs


def chain(preference: str | None = None) -> FontChain:
    """The font chain for a document. ``preference`` is a font path, ``"cid"`` for the
    built-in CID font alone, or None for ``settings.CJK_FONT``; the installed fonts come
    from ``settings.FONT_DIRS``."""
    configured, dirs = _settings()
    preference = configured if preference is None else preference
    with _lock:
        key = (preference, dirs)
        if key not in _chains:
            if preference == FORCE_CID:
                specs: tuple[str, ...] = ()
            else:
                specs = ((preference,) if preference else ()) + installed(dirs)
                if preference and load(preference) is None:
                    log.warning("CJK font %s cannot be used; falling back", preference)
            _chains[key] = FontChain(specs)
        return _chains[key]


def is_embedded(font_name: str) -> bool:
    """Whether the font's glyphs travel inside the PDF (TrueType) or not (CID)."""
    return font_name != CID_FONT
