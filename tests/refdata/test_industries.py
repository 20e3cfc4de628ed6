"""GB/T 4754-2017: counts, hierarchy, and class validation."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yilian.codes.errors import InvalidCode
from yilian.refdata import industries as ind
from yilian.refdata import scope

CLASSES = [c.code for c in ind.classes()]


def test_counts_match_file_and_standard():
    counts, published = ind.counts(), ind.published_counts()
    assert ind.edition() == "GB/T 4754-2017"
    # The standard's totals: 20 sections, 97 divisions, 473 groups, 1,380 classes.
    assert published == {"sections": 20, "divisions": 97, "groups": 473, "classes": 1380}
    # Sections and divisions are shipped whole ...
    assert len(ind.sections()) == counts["sections"] == published["sections"] == 20
    assert len(ind.divisions()) == counts["divisions"] == published["divisions"] == 97
    # ... groups and classes only in part, and the file says so.
    assert len(ind.groups()) == counts["groups"] < published["groups"]
    assert len(ind.classes()) == counts["classes"] < published["classes"]
    assert ind.complete() == {"sections": True, "divisions": True, "groups": False,
                              "classes": False}


def test_every_class_the_scope_catalogue_uses_is_shipped():
    used = {e.industry_class for e in scope.entries()}
    shipped = {c.code for c in ind.classes()}
    assert used and not used - shipped, sorted(used - shipped)
    # and with it its group, division and section
    for code in used:
        assert ind.group(code[:3]) and ind.division(code[:2]) and ind.section(ind.section_of(code))


def test_sections_are_a_to_t_and_divisions_01_to_97():
    assert [s.code for s in ind.sections()] == list(string.ascii_uppercase[:20])
    assert [d.code for d in ind.divisions()] == [f"{n:02d}" for n in range(1, 98)]
    assert {d.section for d in ind.divisions()} == {s.code for s in ind.sections()}


def test_every_group_and_class_has_its_parent():
    for g in ind.groups():
        assert ind.division(g.code[:2]) is not None
    for c in ind.classes():
        assert ind.group(c.code[:3]) is not None, c


@pytest.mark.parametrize("code,section,name", [
    ("6513", "I", "应用软件开发"), ("0111", "A", "稻谷种植"), ("5431", "G", "普通货物道路运输"),
    ("9700", "T", "国际组织"), ("3963", "C", "智能无人飞行器制造"),
])
def test_known_classes(code, section, name):
    assert ind.section_of(code) == section
    assert ind.industry_class(code).name == name


def test_lookups():
    assert ind.section("C").name == "制造业"
    assert ind.division("65").name == "软件和信息技术服务业"
    assert ind.division("65").section == "I"
    assert ind.section("Z") is None and ind.industry_class("0000") is None


@given(st.one_of(st.text(), st.integers(), st.none()))
def test_validate_class_never_crashes(value):
    try:
        result = ind.validate_class(value)
    except InvalidCode as exc:
        assert exc.code.startswith("industry.")
    else:
        assert result.code == value.strip()


@given(st.sampled_from(CLASSES))
def test_valid_classes_round_trip(code):
    assert ind.validate_class(code).code == code
    assert ind.section_of(code) == ind.division(code[:2]).section
