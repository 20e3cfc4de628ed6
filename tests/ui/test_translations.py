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


def test_traditional_reads_as_a_traditional_reader_writes():
    # s2twp: words, not only characters.
    assert i18n.to_traditional("手机号登录") == "手機號登入"
    assert i18n.to_traditional("短信验证码") == "簡訊驗證碼"


def test_terms_of_art_keep_their_word_as_the_exceptions_table_says():
    table = i18n.traditional_terms()
    assert table["config"] == "s2twp" and table["edition"]
    for term in table["terms"]:
        assert i18n.to_traditional(term["simplified"]) == term["traditional"], term
    assert i18n.to_traditional("统一社会信用代码") == "統一社會信用代碼"  # not 程式碼
    assert i18n.to_traditional("许可项目（登记前审批）") == "許可項目（登記前審批）"


def test_quoted_data_is_left_as_written():
    message = "名称与已登记的“威海软件信息有限公司”相同"
    assert i18n.to_traditional(message, keep_quoted=True) == \
        "名稱與已登記的“威海软件信息有限公司”相同"


@pytest.mark.parametrize(("language", "po"), [c for c in CATALOGUES if c[0] == "zh_Hant"],
                         ids=lambda v: str(v)[-60:])
def test_catalogues_are_as_the_conversion_and_the_table_make_them(language, po):
    """Reproducible: ``yilian manage translations`` makes every derived entry what the
    conversion says (a person's correction would differ from every conversion)."""
    for entry in polib.pofile(str(po)):
        if entry.obsolete or entry.msgid_plural:
            continue
        assert entry.msgstr == i18n.to_traditional(entry.msgid) or \
            not i18n._derived(entry.msgid, entry.msgstr), entry.msgid


def test_refilling_keeps_a_persons_correction(tmp_path):
    po = polib.POFile()
    po.append(polib.POEntry(msgid="窗口登录", msgstr="窗口登錄"))  # as s2t made it
    po.append(polib.POEntry(msgid="用户名", msgstr="帳號"))  # a person's choice
    path = tmp_path / "django.po"
    po.save(str(path))
    assert i18n.fill_traditional(path) == 1
    entries = {e.msgid: e.msgstr for e in polib.pofile(str(path))}
    assert entries == {"窗口登录": "窗口登入", "用户名": "帳號"}
