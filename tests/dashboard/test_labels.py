"""The dashboard's translatable names still say what the reference data says."""

from __future__ import annotations

import pytest
from django.utils import translation

from yilian.dashboard import labels
from yilian.refdata import industries


@pytest.fixture(autouse=True)
def _source_language():
    with translation.override("zh-hans"):
        yield


def test_section_names_match_gb_t_4754():
    assert {k: str(v) for k, v in labels.SECTIONS.items()} == {
        s.code: s.name for s in industries.sections()}


def test_duration_bins():
    assert [labels.duration_bin(0, 60), labels.duration_bin(60, 120),
            labels.duration_bin(3600, None)] == ["≤1", "1–2", ">60"]


def test_the_division_picker_starts_with_the_zone():
    choices = labels.division_choices("371071")
    assert choices[0] == ("371071", "威海火炬高技术产业开发区")
    assert choices[1][0] == "371000" and choices[-1][0] == ""
    assert "371002" in dict(choices)
