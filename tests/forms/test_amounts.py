"""Amounts as people write them: 万元, separators, full width — exact cents, or a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yilian.forms.amounts import AmountError, in_wan, parse_amount

FULL = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@pytest.mark.parametrize(("text", "unit", "yuan"), [
    ("100万", "wan", "1000000.00"), ("100万元", "yuan", "1000000.00"),
    ("１００万元", "wan", "1000000.00"), ("1,000,000", "yuan", "1000000.00"),
    ("1,000,000元", "wan", "1000000.00"), ("100", "wan", "1000000.00"),
    ("12.5", "wan", "125000.00"), ("0.000001", "wan", "0.01"), ("1亿", "wan", "100000000.00"),
    (" ¥8,000.5 ", "yuan", "8000.50"),
])
def test_the_ways_people_write_amounts_are_understood(text, unit, yuan):
    assert parse_amount(text, unit) == Decimal(yuan)


@pytest.mark.parametrize(("text", "unit", "code"), [
    ("一百万", "wan", "amount.format"), ("1,00", "yuan", "amount.format"),
    ("", "yuan", "amount.format"), ("0.001", "yuan", "amount.decimals"),
    ("1000000", "wan", "amount.unit"), ("1,000,000", "wan", "amount.unit"),
    ("100万万", "wan", "amount.format"),
])
def test_what_cannot_be_read_is_explained_with_how_to_write_it(text, unit, code):
    with pytest.raises(AmountError) as caught:
        parse_amount(text, unit)
    assert caught.value.code == code
    assert "100" in caught.value.message_zh and "100" in caught.value.message_en


cents = st.integers(min_value=0, max_value=10**15)


@given(cents)
def test_an_amount_in_wan_shown_with_separators_reads_back_exactly(n):
    amount = Decimal(n).scaleb(-2)
    shown = in_wan(amount)
    if amount / 10_000 < 100_000:
        assert parse_amount(shown, "wan") == amount
    assert parse_amount(shown + "万", "yuan") == amount


@given(cents, st.booleans(), st.booleans())
def test_yuan_with_or_without_separators_and_width_are_the_same_amount(n, grouped, full):
    amount = Decimal(n).scaleb(-2)
    text = f"{amount:,f}" if grouped else f"{amount:f}"
    if full:
        text = text.translate(FULL)
    assert parse_amount(text + "元", "wan") == amount
    assert parse_amount(text, "yuan") == amount


@given(st.text(max_size=12))
def test_any_text_is_an_amount_or_an_amount_error(text):
    try:
        value = parse_amount(text, "wan")
    except AmountError as exc:
        assert exc.message_zh and exc.message_en
    else:
        assert value == value.quantize(Decimal("0.01")) and value >= 0
