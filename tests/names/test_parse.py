"""The parser: examples for each division position, and properties — composing valid
parts and parsing gives the parts back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yilian.names import words
from yilian.names.parse import (
    AFTER_TRADE_NAME,
    NONE,
    PARENTHESIZED,
    PREFIX,
    UnparsableName,
    parse,
)


@pytest.mark.parametrize(("name", "division", "trade", "industry", "form", "position"), [
    ("威海一链科技有限公司", "威海", "一链", "科技", "有限公司", PREFIX),
    ("威海市一链信息技术有限责任公司", "威海市", "一链", "信息技术", "有限责任公司", PREFIX),
    ("山东省威海市一链餐饮管理有限公司", "山东省威海市", "一链", "餐饮管理", "有限公司", PREFIX),
    ("一链科技（威海）有限公司", "威海", "一链", "科技", "有限公司", PARENTHESIZED),
    ("一链科技(威海)有限公司", "威海", "一链", "科技", "有限公司", PARENTHESIZED),
    ("一链威海科技有限公司", "威海", "一链", "科技", "有限公司", AFTER_TRADE_NAME),
    ("一链生物医药股份有限公司", "", "一链", "生物医药", "股份有限公司", NONE),
    ("威海一链商贸合伙企业（有限合伙）", "威海", "一链", "商贸", "合伙企业（有限合伙）", PREFIX),
    ("荣成海之味水产个人独资企业", "荣成", "海之味", "水产", "个人独资企业", PREFIX),
    # 泰安 is a city, but read as a second division it would leave no industry words.
    ("威海泰安科技有限公司", "威海", "泰安", "科技", "有限公司", PREFIX),
])
def test_examples(name, division, trade, industry, form, position):
    parsed = parse(name)
    assert (parsed.division, parsed.trade_name, parsed.industry, parsed.org_form,
            parsed.division_position) == (division, trade, industry, form, position)


def test_division_in_brackets_and_in_front():
    parsed = parse("威海一链科技（山东）有限公司")
    assert parsed.trade_name == "一链" and parsed.division == "威海山东"
    assert parsed.division_code == "371000"  # the more specific of the two


@pytest.mark.parametrize(("name", "code"), [
    ("一链科技", "name.org_form_missing"),
    ("有限公司", "name.org_form_missing"),
    ("威海科技有限公司", None),  # parses: 威海 is read as the 字号 (a rule refuses it)
    ("科技有限公司", "name.trade_name_missing"),
    ("一链科技（火星）有限公司", "name.parentheses"),
])
def test_unparsable(name, code):
    if code is None:
        assert parse(name).trade_name == "威海"
        return
    with pytest.raises(UnparsableName) as caught:
        parse(name)
    assert caught.value.code == code and caught.value.message_zh


def _used_chars() -> set[str]:
    used = set()
    for table in (words.division_words(), words.industry_words()):
        used.update("".join(table))
    used.update("".join(s for s, _ in words.org_forms()))
    return used


# Trade-name characters that appear in no division, industry or org-form word, so the
# composed name has exactly one reading.
POOL = "".join(c for c in "一链华盛金鼎瑞博远达嘉鸿佳宏明德康丰永恒昌隆鑫磊森淼焱晟睿哲蓝云峰"
               if c not in _used_chars())
trade_names = st.text(alphabet=POOL, min_size=2, max_size=6)
industries = st.lists(st.sampled_from(sorted(words.industry_words())), min_size=1,
                      max_size=2).map("".join)
forms = st.sampled_from([s for s, _ in words.org_forms()])
division_names = st.sampled_from(sorted(words.division_words()))
positions = st.sampled_from([PREFIX, AFTER_TRADE_NAME, PARENTHESIZED, NONE])


@given(trade_names, industries, forms, division_names, positions)
def test_composed_names_parse_back(trade, industry, form, division, position):
    if position == NONE:
        division = ""
    name = {
        PREFIX: f"{division}{trade}{industry}{form}",
        AFTER_TRADE_NAME: f"{trade}{division}{industry}{form}",
        PARENTHESIZED: f"{trade}{industry}（{division}）{form}",
        NONE: f"{trade}{industry}{form}",
    }[position]
    parsed = parse(name)
    assert parsed.full == name
    assert (parsed.division, parsed.trade_name, parsed.industry, parsed.org_form) == (
        division, trade, industry, form)
    assert parsed.division_position == position
    if division:
        assert parsed.division_code == words.division_words()[division]


@given(trade_names, industries, forms)
def test_brackets_and_spaces_do_not_matter(trade, industry, form):
    assert parse(f" {trade}{industry}(威海){form} ") == parse(f"{trade}{industry}（威海）{form}")


def test_the_division_in_brackets_right_after_the_trade_name():
    parsed = parse("一链（威海）科技有限责任公司")
    assert (parsed.division, parsed.trade_name, parsed.industry) == ("威海", "一链", "科技")
    assert parsed.division_position == "parenthesized"
