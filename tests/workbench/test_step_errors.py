"""A department's failure reads in the officer's language, never as the adapter's raw
English (which stays in the audit trail and the row's data-error attribute)."""

from django.utils import translation

from yilian.workbench.templatetags.workbench import step_error


def test_known_failures_read_in_words():
    raw = "Tax and invoices is down (outage window)"
    with translation.override("zh-hans"):
        assert step_error(raw) == "部门系统暂停服务（维护时段）"
    with translation.override("en"):
        assert step_error(raw) == "the department's system is down (outage window)"


def test_a_bilingual_refusal_shows_the_readers_half():
    raw = "名称不予登记：名称与已登记的“威海某某有限公司”相同 / name not registered: the same"
    with translation.override("en"):
        assert step_error(raw) == "name not registered: the same"
    with translation.override("zh-hant"):
        assert step_error(raw) == "名稱不予登記：名稱與已登記的“威海某某有限公司”相同"


def test_anything_else_is_a_general_sentence():
    with translation.override("zh-hans"):
        assert step_error("KeyError: 'uscc'") == "部门系统返回错误，详见审计记录"
    assert step_error("") == ""
