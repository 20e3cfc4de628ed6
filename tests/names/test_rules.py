"""Format rules, one test per rule id."""

from __future__ import annotations

import pytest

from yilian.names.rules import check_format


def rules(name: str, org_form: str | None = "llc_multi", **kwargs) -> list[str]:
    return [p.rule for p in check_format(name, org_form, **kwargs)]


def test_a_good_name_has_no_problem():
    assert rules("威海一链科技有限公司") == []


def test_name_trade_name_charset():
    problems = check_format("威海Yi链科技有限公司", "llc_multi")
    assert [p.rule for p in problems] == ["name.trade_name.charset"]
    assert "Y" in problems[0].message_zh and problems[0].message_en


@pytest.mark.parametrize("name", ["威海一链1号科技有限公司", "威海一·链科技有限公司"])
def test_name_trade_name_charset_digits_and_punctuation(name):
    assert "name.trade_name.charset" in rules(name)


def test_name_trade_name_length():
    assert rules("威海链科技有限公司") == ["name.trade_name.length"]


def test_name_trade_name_division():
    assert rules("山东威海科技有限公司") == ["name.trade_name.division"]


@pytest.mark.parametrize("word", ["中国", "中华", "全国", "国家", "国际"])
def test_name_restricted_national(word):
    assert rules(f"威海{word}一链科技有限公司") == ["name.restricted.national"]


def test_restricted_word_with_authorization_passes():
    assert rules("威海中华一链科技有限公司", authorized=["中华"]) == []


@pytest.mark.parametrize(("word", "rule"), [
    ("共产党", "name.prohibited.party"),
    ("国务院", "name.prohibited.state_organ"),
    ("人大", "name.prohibited.state_organ"),
    ("政协", "name.prohibited.state_organ"),
    ("公安", "name.prohibited.state_organ"),
    ("人民解放军", "name.prohibited.armed_forces"),
    ("武警", "name.prohibited.armed_forces"),
])
def test_name_prohibited(word, rule):
    problems = check_format(f"威海{word}科技有限公司", "llc_multi")
    assert [p.rule for p in problems] == [rule]  # 人民解放军 is not also 解放军
    assert "第十一条" in problems[0].basis


def test_name_org_form_mismatch_llc():
    assert rules("威海一链科技股份有限公司") == ["name.org_form.mismatch"]
    assert rules("威海一链科技有限责任公司", "llc_single_natural") == []


def test_name_org_form_mismatch_sole_proprietorship():
    # The catalogue also forbids 有限 and 公司 for a sole proprietorship (个人独资企业法第11条).
    assert rules("威海一链科技有限公司", "sole_proprietorship") == [
        "name.org_form.mismatch", "name.org_form.forbidden"]
    assert rules("威海一链科技个人独资企业", "sole_proprietorship") == []
    assert rules("威海一链水产商店", "sole_proprietorship") == []


def test_unparsable_name_is_a_problem_with_the_parsers_rule():
    assert rules("威海一链科技") == ["name.org_form_missing"]


def test_problems_convert_to_form_errors():
    (problem,) = check_format("威海链科技有限公司", "llc_multi")
    assert problem.as_error() == {"field": "name", "code": "name.trade_name.length",
                                  "message_zh": problem.message_zh,
                                  "message_en": problem.message_en}
