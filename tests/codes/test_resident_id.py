"""Resident ID (GB 11643-1999): the check character, dates, properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yilian.codes import resident_id
from yilian.codes.errors import InvalidCode

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


def test_the_standards_example():
    # GB 11643-1999's own example number.
    person = resident_id.validate("11010519491231002X")
    assert person.birth_date == dt.date(1949, 12, 31)
    assert person.sex == "female"
    assert person.division == "110105"


def test_the_weights_are_two_to_the_seventeen_minus_i_mod_11():
    assert resident_id._WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@pytest.mark.parametrize(("number", "rule"), [
    ("11010519491231002", "id.length"),
    ("1101051949123100XX", "id.charset"),
    ("110105194902300026", "id.birth_date"),  # 30 February
    ("110105189912310021", "id.birth_date"),  # before 1900
    ("110105194912310021", "id.check"),
])
def test_each_broken_rule_is_named(number, rule):
    with pytest.raises(InvalidCode) as caught:
        resident_id.validate(number)
    assert caught.value.code == rule


def test_a_birth_date_in_the_future_is_refused():
    number = resident_id.make("371002", dt.date(2030, 1, 1), 11)
    with pytest.raises(InvalidCode):
        resident_id.validate(number, today=dt.date(2026, 1, 1))


@given(births, sequences)
def test_made_numbers_round_trip(birth, sequence):
    person = resident_id.validate(resident_id.make("371002", birth, sequence))
    assert person.birth_date == birth
    assert person.sex == ("male" if sequence % 2 else "female")


@given(births, sequences, st.integers(min_value=0, max_value=16), st.data())
def test_any_single_digit_change_is_caught(birth, sequence, position, data):
    number = resident_id.make("371002", birth, sequence)
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    changed = number[:position] + digit + number[position + 1:]
    try:
        resident_id.validate(changed)
    except InvalidCode:
        return
    pytest.fail(f"{changed} passed")


@given(births, st.integers(min_value=0, max_value=40_000))
def test_age_counts_whole_years(birth, days_lived):
    day = birth + dt.timedelta(days=days_lived)
    person = resident_id.validate(resident_id.make("371002", birth, 1), today=dt.date(2100, 1, 1))
    # By definition: the number of birthdays (month, day) reached since the birth year.
    birthdays = sum(1 for year in range(birth.year + 1, day.year + 1)
                    if (year, birth.month, birth.day) <= (day.year, day.month, day.day))
    assert person.age_on(day) == birthdays


@given(st.text(max_size=25))
def test_validation_never_crashes(text):
    try:
        resident_id.validate(text)
    except InvalidCode:
        pass
