"""Negative list and pre-registration catalogue: editions, counts, items, and what was
checked against a published text."""

from __future__ import annotations

from yilian.refdata import catalogues as cat


def test_negative_list_counts():
    nl = cat.negative_list()
    published = cat.negative_list_published_counts()
    meta = cat.negative_list_manifest()
    assert nl.edition == "2022"
    assert published == {"prohibited": 6, "licensed": 111, "total": 117}
    assert nl.published_count == 117
    # What the file says it ships is what it ships.
    assert meta["counts"] == {"prohibited": len(nl.of_kind("prohibited")),
                              "licensed": len(nl.of_kind("licensed")),
                              "total": len(nl.items)}
    assert meta["verified_counts"] == {
        kind: sum(1 for i in nl.of_kind(kind) if i.verified) for kind in ("prohibited", "licensed")}
    # The prohibited items are shipped in full, numbered 1-6 as in the list.
    assert len(nl.of_kind("prohibited")) == published["prohibited"]
    assert [i.number for i in nl.of_kind("prohibited")] == [1, 2, 3, 4, 5, 6]
    assert meta["complete"]["prohibited"] is True
    # The licensed ones only in part (the published text of all 111 could not be had),
    # and the file says so rather than padding the count.
    assert 0 < len(nl.of_kind("licensed")) < published["licensed"]
    assert meta["complete"]["licensed"] is False and nl.complete is False
    assert len(nl.items) == len(nl.of_kind("prohibited")) + len(nl.of_kind("licensed"))


def test_negative_list_items_are_well_formed():
    nl = cat.negative_list()
    assert len({i.id for i in nl.items}) == len(nl.items)
    numbers = [i.number for i in nl.items if i.number is not None]
    assert len(numbers) == len(set(numbers)) and all(1 <= n <= 117 for n in numbers)
    for i in nl.items:
        assert i.kind in ("prohibited", "licensed") and i.text and i.department
        assert i.note, i  # each item says what it was checked against, or why not
        if i.kind == "prohibited":
            assert 1 <= i.number <= 6
        else:
            assert i.number is None or 7 <= i.number <= 117
    p04 = nl.item("NL2022-P04")
    assert p04.text == "禁止违规开展金融相关经营活动"
    assert (p04.number, p04.code, p04.verified) == (4, "100004", True)
    assert nl.item("nope") is None


def test_negative_list_ids_the_rules_use_are_prohibited_items():
    nl = cat.negative_list()
    for item_id in ("NL2022-P01", "NL2022-P02", "NL2022-P04"):
        assert nl.item(item_id).kind == "prohibited"


def test_later_edition_is_recorded_but_not_shipped():
    (later,) = cat.negative_list_later_editions()
    assert later["edition"] == "2025" and later["published_counts"]["total"] == 106
    assert later["sources"]
    assert cat.negative_list().edition == "2022"


def test_pre_registration_catalogue():
    pre = cat.pre_registration_catalogue()
    assert pre.edition == "2017-11" and pre.source
    assert len(pre.items) == 31
    assert pre.published_count is None or len(pre.items) <= pre.published_count
    assert pre.complete == (pre.published_count == len(pre.items))
    assert {i.kind for i in pre.items} == {"pre"}
    assert len({i.id for i in pre.items}) == len({i.text for i in pre.items}) == len(pre.items)
    assert [i.number for i in pre.items] == list(range(1, 32))
    assert all(i.department and i.basis for i in pre.items)
    texts = {i.text for i in pre.items}
    assert {"保安服务许可证核发", "证券公司设立审批", "快递业务经营许可"} <= texts
