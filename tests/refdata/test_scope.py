"""Business-scope catalogue: size, coverage, links to GB/T 4754, permit flags, search."""

from __future__ import annotations

import collections

from hypothesis import given
from hypothesis import strategies as st

from yilian.refdata import industries as ind
from yilian.refdata import scope

ENTRIES = scope.entries()


def test_counts_match_manifest():
    counts = scope.manifest()["counts"]
    kinds = collections.Counter(e.kind for e in ENTRIES)
    timing = collections.Counter(e.timing for e in ENTRIES if e.licensed)
    assert len(ENTRIES) == counts["entries"] >= 300
    assert kinds["general"] == counts["general"]
    assert kinds["licensed"] == counts["licensed"]
    assert timing["pre"] == counts["pre"] and timing["post"] == counts["post"]
    assert scope.edition() == scope.manifest()["edition"]


def test_ids_and_texts_are_unique():
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)
    assert len({scope.normalize(e.text) for e in ENTRIES}) == len(ENTRIES)


def test_every_class_exists_and_all_sections_are_covered():
    for e in ENTRIES:
        assert ind.industry_class(e.industry_class) is not None, e
    covered = {ind.section_of(e.industry_class) for e in ENTRIES}
    assert covered == {s.code for s in ind.sections()}


def test_licensed_entries_carry_their_permit():
    for e in ENTRIES:
        if e.licensed:
            assert e.timing in ("pre", "post"), e
            assert e.department and e.permit, e
        else:
            assert e.timing is None and e.permit is None and not e.commitment, e


def test_examples():
    food = scope.by_text("食品销售")
    assert food.licensed and food.timing == "post" and food.permit == "食品经营许可证"
    assert food.department == "市场监督管理部门" and food.commitment
    assert scope.by_text("软件开发").kind == "general"
    assert scope.by_text("道路货物运输(不含危险货物)").department == "交通运输部门"
    assert scope.by_text("保安服务").timing == "pre"
    assert scope.entry(food.id) is food
    assert scope.entry("nope") is None and scope.by_text("nope") is None


def test_search_ranks_exact_then_prefix():
    hits = scope.search("食品销售", limit=3)
    assert hits[0].text == "食品销售"
    assert all("食品销售" in h.text for h in hits) and len(hits) <= 3
    assert scope.search("软件 开发")[0].text == "软件开发"
    assert scope.search("  ") == [] and scope.search("食品", limit=0) == []
    assert scope.search("ＡＢＣ不存在") == []


@given(st.sampled_from(ENTRIES), st.data())
def test_search_finds_entries_by_any_substring(e, data):
    start = data.draw(st.integers(0, len(e.text) - 1))
    end = data.draw(st.integers(start + 1, len(e.text)))
    needle = e.text[start:end]
    if not needle.strip():
        return
    assert e in scope.search(needle, limit=len(ENTRIES))


@given(st.text())
def test_search_never_crashes(text):
    assert isinstance(scope.search(text), list)
