"""Catching up with the register when ids commit out of order: on PostgreSQL a sequence
hands out ids at insert, so a registration that commits late sits below the index's mark.
The index looks again for the ids it skipped, so a clash with it is still found."""

from __future__ import annotations

import pytest

from tests.names.conftest import enterprise
from yilian.codes import uscc
from yilian.names import index
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db


def test_an_enterprise_committed_below_the_mark_is_still_found():
    first = enterprise("威海蓝峰科技有限公司", "371071", "6513")
    built = index.rebuild()
    # A later registration (higher id) commits first …
    Enterprise.objects.create(pk=first.pk + 2, uscc=uscc.make("371071", 90002),
                              name="威海晨曦科技有限公司", division_code="371071",
                              industry_code="6513", source="import")
    index.catch_up(built)
    assert built.mark == first.pk + 2
    # … then the one that took the id before it.
    Enterprise.objects.create(pk=first.pk + 1, uscc=uscc.make("371071", 90001),
                              name="威海澜峰科技有限公司", division_code="371071",
                              industry_code="6513", source="import")
    index.catch_up(built)
    found = built.conflicts("威海岚峰科技有限公司", "371071", "6513")
    assert {c.name for c in found} == {"威海蓝峰科技有限公司", "威海澜峰科技有限公司"}


def test_a_gap_nobody_fills_is_forgotten(monkeypatch):
    first = enterprise("威海蓝峰科技有限公司", "371071", "6513")
    built = index.rebuild()
    Enterprise.objects.create(pk=first.pk + 3, uscc=uscc.make("371071", 90003),
                              name="威海晨曦科技有限公司", division_code="371071",
                              source="import")
    index.catch_up(built)
    assert set(built._gaps) == {first.pk + 1, first.pk + 2}
    monkeypatch.setattr(index, "GAP_SECONDS", -1.0)  # rolled back: they never come
    index.catch_up(built)
    assert built._gaps == {}


def test_a_long_way_behind_is_read_chunk_after_chunk(monkeypatch):
    """More new rows than one statement reads: each chunk starts after the last row of
    the one before, and every row is added once."""
    first = enterprise("威海蓝峰科技有限公司", "371071", "6513")
    built = index.rebuild()
    monkeypatch.setattr(index, "_CHUNK", 2)
    names = ["威海晨曦科技有限公司", "威海澜峰科技有限公司", "威海远帆科技有限公司",
             "威海青禾科技有限公司", "威海朗月科技有限公司"]
    for n, name in enumerate(names, start=1):
        Enterprise.objects.create(pk=first.pk + n, uscc=uscc.make("371071", 90000 + n),
                                  name=name, division_code="371071", industry_code="6513",
                                  source="import")
    assert index.catch_up(built) == 5
    assert built.mark == first.pk + 5 and built.register_rows == 6
    for name in names:
        assert name in {c.name for c in built.conflicts(name, "371071", "6513")}
