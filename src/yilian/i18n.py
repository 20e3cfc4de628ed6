"""Translations of the web pages (界面翻译).

UI strings are written in Simplified Chinese, the default language, so a page never
shows a placeholder. Traditional Chinese is derived from them with OpenCC's Taiwan phrase
conversion (``s2twp``: words as a Traditional reader writes them — 登入, 簡訊, 列印,
儲存), then kept: a translator may correct an entry and the correction survives later
runs. The phrase tables also turn some terms of art of a mainland registration service
into other words (窗口 "service window" into 視窗 "computer window", 统一社会信用代码
into …程式碼, 一般项目 into 一般專案); the small exceptions table
``locale/traditional_terms.json`` (data, with an edition) keeps each of those in its own
word, in Traditional characters. (``s2t`` before it converted characters only: right
terms, but read as a mainland text in Traditional script. ``s2hk`` converts no words.)

Data is not converted: a name, an address, a scope entry is shown as it was entered,
so it reads the same wherever a page shows it. Service messages quote the data they
carry (“…” or 「…」), and :func:`to_traditional` with ``keep_quoted`` leaves those spans
as written (:func:`yilian.labels.bilingual`). English is written by people; a test fails
when an entry has none. Each app keeps its own ``locale/`` so that apps change
independently.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TARGETS = ("en", "zh_Hant")
TERMS_FILE = PACKAGE / "locale" / "traditional_terms.json"
# Quoted data in a message: a name, a scope entry, a permit number.
_QUOTED = re.compile(r"“[^“”]*”|「[^「」]*」|『[^『』]*』")
# Placeholders OpenCC leaves alone (Unicode private use area).
_SLOT = 0xE000


@cache
def traditional_terms() -> dict:
    """The exceptions table: OpenCC config, and the terms kept (simplified → traditional)."""
    return json.loads(TERMS_FILE.read_text(encoding="utf-8"))


def locale_dirs(app: str | None = None) -> list[Path]:
    """Every ``locale`` directory of Yilian's apps (the package's own one first), or
    only ``app``'s (``yilian`` names the package's own)."""
    every = [PACKAGE / "locale", *sorted(p for p in PACKAGE.glob("*/locale") if p.is_dir())]
    if app is None:
        return every
    return [d for d in every if (d.parent.name if d.parent != PACKAGE else "yilian") == app]


def catalogues(app: str | None = None) -> Iterator[tuple[str, Path]]:
    for locale_dir in locale_dirs(app):
        for language in TARGETS:
            po = locale_dir / language / "LC_MESSAGES" / "django.po"
            if po.exists():
                yield language, po


@cache
def _converter():
    import opencc

    # Loading the dictionaries takes ~30 ms; pages convert every error message with it.
    return opencc.OpenCC(traditional_terms()["config"])


def to_traditional(text: str, *, keep_quoted: bool = False) -> str:
    """``text`` in Traditional characters and words, terms of art as the exceptions
    table says; with ``keep_quoted``, quoted spans (data) stay as they are written."""
    kept: list[str] = []

    def slot(value: str) -> str:
        kept.append(value)
        return chr(_SLOT + len(kept) - 1)

    if keep_quoted:
        text = _QUOTED.sub(lambda m: slot(m.group(0)), text)
    for term in sorted(traditional_terms()["terms"], key=lambda t: -len(t["simplified"])):
        if term["simplified"] in text:
            text = text.replace(term["simplified"], slot(term["traditional"]))
    converted = _converter().convert(text)
    return re.sub("[\ue000-\uf8ff]", lambda m: kept[ord(m.group(0)) - _SLOT]
                  if ord(m.group(0)) - _SLOT < len(kept) else m.group(0), converted)


# Conversions used before: an entry that still reads as one of them was derived, not
# corrected by a person, and follows the current conversion and exceptions table.
LEGACY_CONFIGS = ("s2t",)


@cache
def _legacy(config: str):
    import opencc

    return opencc.OpenCC(config)


def _derived(source: str, translation: str) -> bool:
    """Was ``translation`` made by a conversion (now or before), rather than a person?"""
    return translation == to_traditional(source) or any(
        translation == _legacy(config).convert(source) for config in LEGACY_CONFIGS)


def fill_traditional(po_path: Path, *, again: bool = False) -> int:
    """Fill zh-Hant entries from their Simplified source: empty, fuzzy, and those still
    as an earlier conversion made them (so a change of the conversion or of the
    exceptions table reaches every entry); a person's correction is kept (with
    ``again``, every entry is converted, discarding corrections). Returns how many."""
    import polib

    catalogue = polib.pofile(str(po_path))
    changed = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        fuzzy = "fuzzy" in entry.flags
        if entry.msgid_plural:
            current = entry.msgstr_plural.get(0, "")
            wanted = to_traditional(entry.msgid_plural)
            if (again or fuzzy or not current or _derived(entry.msgid_plural, current)) \
                    and current != wanted:
                entry.msgstr_plural = {0: wanted}
                changed += 1
        else:
            wanted = to_traditional(entry.msgid)
            if (again or fuzzy or not entry.msgstr or _derived(entry.msgid, entry.msgstr)) \
                    and entry.msgstr != wanted:
                entry.msgstr = wanted
                changed += 1
        if fuzzy:
            entry.flags.remove("fuzzy")
    catalogue.save()
    return changed


def missing(po_path: Path) -> list[str]:
    """Entries a person still has to translate (empty or fuzzy)."""
    import polib

    catalogue = polib.pofile(str(po_path))
    return [e.msgid for e in catalogue
            if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def compile_all(app: str | None = None) -> None:
    import polib

    for _language, po in catalogues(app):
        polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))


def make_messages(app: str | None = None) -> None:
    """Extract strings of each app into its own catalogues (needs GNU gettext)."""
    from django.core.management import call_command

    here = os.getcwd()
    own = [d.parent for d in locale_dirs()[1:]]
    try:
        for locale_dir in locale_dirs(app):
            for language in TARGETS:
                (locale_dir / language / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
            os.chdir(locale_dir.parent)
            # The package's own catalogue leaves the apps that keep their own.
            ignore = [f"{app.name}/*" for app in own] if locale_dir.parent == PACKAGE else []
            call_command("makemessages", locale=list(TARGETS), ignore_patterns=ignore,
                         no_obsolete=True, verbosity=0)
    finally:
        os.chdir(here)
