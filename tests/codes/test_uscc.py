"""USCC (GB 32100-2015): published codes, the formula, and properties over all codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yilian.codes import uscc
from yilian.codes.errors import InvalidCode

# Codes printed on real, public business licenses.
PUBLISHED = ["914403001922038216", "91330100716105852F", "9144030071526726XG",
             "91110000600037341L"]

divisions = st.from_regex(r"\A[1-6][0-9]{5}\Z")
serials = st.integers(min_value=0, max_value=31**6 - 1)
first17 = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert uscc.validate(code).code == code
    assert uscc.validate(code.lower()).code == code


def test_the_weights_are_three_to_the_i_mod_31():
    assert uscc._WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


@pytest.mark.parametrize(("code", "rule"), [
    ("91440300192203821", "uscc.length"),
    ("9144030019220382160", "uscc.length"),
    ("91440300I922038216", "uscc.charset"),
    ("914403O01922038216", "uscc.charset"),
    ("91AB03001922038216", "uscc.division"),
    ("914403001922038226", "uscc.organization_check"),
    ("914403001922038217", "uscc.check"),
])
def test_each_broken_rule_is_named(code, rule):
    with pytest.raises(InvalidCode) as caught:
        uscc.validate(code)
    assert caught.value.code == rule
    assert caught.value.message_zh and caught.value.message_en


@given(divisions, serials)
def test_made_codes_are_valid_and_carry_their_parts(division, serial):
    code = uscc.make(division, serial)
    parsed = uscc.validate(code)
    assert parsed.division == division
    assert code.startswith("91") and code[8:10] == "MA"


@given(serials, serials)
def test_distinct_serials_give_distinct_codes(a, b):
    assert (uscc.make("371071", a) == uscc.make("371071", b)) == (a == b)


@given(first17)
def test_exactly_one_check_character_completes_any_17(prefix):
    completions = [c for c in uscc.ALPHABET if uscc.check_character(prefix) == c]
    assert len(completions) == 1


@given(divisions, serials, st.integers(min_value=0, max_value=17), st.data())
def test_any_single_substitution_is_caught(division, serial, position, data):
    code = uscc.make(division, serial)
    other = data.draw(st.sampled_from([c for c in uscc.ALPHABET if c != code[position]]))
    changed = code[:position] + other + code[position + 1:]
    assert not uscc.is_valid(changed)


@given(st.text(max_size=30))
def test_validation_never_crashes(text):
    try:
        uscc.validate(text)
    except InvalidCode:
        pass
