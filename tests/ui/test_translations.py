"""Every page string has its English and Traditional Chinese translation, and the
compiled catalogues the server loads say what the .po files say."""

from __future__ import annotations

import gettext

import polib
import pytest

from yilian import i18n

CATALOGUES = list(i18n.catalogues())


def test_every_app_with_pages_has_catalogues():
    apps = {po.parents[2].parent.name for _lang, po in CATALOGUES}
    assert {"yilian", "accounts", "portal", "workbench", "dashboard"} <= apps


@pytest.mark.parametrize(("language", "po"), CATALOGUES, ids=lambda v: str(v)[-60:])
def test_nothing_left_untranslated(language, po):
    assert i18n.missing(po) == []


@pytest.mark.parametrize(("language", "po"), CATALOGUES, ids=lambda v: str(v)[-60:])
def test_compiled_catalogue_matches_its_source(language, po):
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in polib.pofile(str(po)):
        if entry.obsolete or entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert compiled.gettext(key) == entry.msgstr, entry.msgid


def test_traditional_is_derived_from_simplified():
    assert i18n.to_traditional("企业开办，一链办理") == "企業開辦，一鏈辦理"


def test_the_services_own_words_survive_in_traditional():
    # 窗口 is the service window at the counter, not a computer window (視窗).
    assert i18n.to_traditional("窗口工作台") == "窗口工作臺"
    assert i18n.to_traditional("信息技术") == "信息技術"
