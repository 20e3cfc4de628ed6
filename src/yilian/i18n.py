"""Translations of the web pages (界面翻译).

UI strings are written in Simplified Chinese, the default language, so a page never
shows a placeholder. Traditional Chinese is derived from them with OpenCC's standard
character conversion (``s2t``), then kept: a translator may correct an entry and the
correction survives later runs. Not the Taiwan phrase tables (``s2twp``): they turn the
service's own terms into other words (窗口 "service window" into 視窗 "computer
window", 信息 into 資訊), while a mainland service's terms keep their words in either
script. English is written by people; a test fails when an
entry has none. Each app keeps its own ``locale/`` so that apps change independently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TARGETS = ("en", "zh_Hant")
OPENCC_CONFIG = "s2t"


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
def _s2t():
    import opencc

    # Loading the dictionaries takes ~30 ms; pages convert every error message with it.
    return opencc.OpenCC(OPENCC_CONFIG)


def to_traditional(text: str) -> str:
    return _s2t().convert(text)


def fill_traditional(po_path: Path, *, again: bool = False) -> int:
    """Fill empty or fuzzy zh-Hant entries from their Simplified source (with ``again``,
    every entry, discarding corrections); return how many."""
    import polib

    catalogue = polib.pofile(str(po_path))
    changed = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        fuzzy = "fuzzy" in entry.flags
        if entry.msgid_plural:
            if again or fuzzy or not any(entry.msgstr_plural.values()):
                entry.msgstr_plural = {0: to_traditional(entry.msgid_plural)}
                changed += 1
        elif again or fuzzy or not entry.msgstr:
            entry.msgstr = to_traditional(entry.msgid)
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
