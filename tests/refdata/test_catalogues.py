"""Negative list and pre-registration catalogue: editions, counts, items."""

from __future__ import annotations

from yilian.refdata import catalogues as cat


def test_negative_list_counts():
    nl = cat.negative_list()
    published = cat.negative_list_published_counts()
    assert nl.edition == "2022"
    assert published == {"prohibited": 6, "licensed": 111, "total": 117}
    assert nl.published_count == 117
    # The prohibited items are shipped in full; the licensed ones only in part.
    assert len(nl.of_kind("prohibited")) == published["prohibited"]
    assert 0 < len(nl.of_kind("licensed")) <= published["licensed"]
    assert nl.complete is False
    assert len(nl.items) == len(nl.of_kind("prohibited")) + len(nl.of_kind("licensed"))


def test_negative_list_items_are_well_formed():
    nl = cat.negative_list()
    assert len({i.id for i in nl.items}) == len(nl.items)
    for i in nl.items:
        assert i.kind in ("prohibited", "licensed") and i.text and i.department
    assert nl.item("NL2022-P04").text == "禁止违规开展金融相关经营活动"
    assert nl.item("nope") is None


def test_pre_registration_catalogue():
    pre = cat.pre_registration_catalogue()
    assert pre.edition and pre.source
    assert pre.published_count is None or len(pre.items) <= pre.published_count
    assert pre.complete == (pre.published_count == len(pre.items))
    assert {i.kind for i in pre.items} == {"pre"}
    assert any(i.text == "保安服务公司设立许可" for i in pre.items)
