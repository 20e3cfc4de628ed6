"""The compact conflict index (names/index.py) at the level of one check: it finds
exactly what a scan of the whole register with ``similarity.compare`` finds, keeps
working after single adds, and survives hash collisions, since every hit is judged on
the stored name. No database: the index is built from synthetic rows."""

from __future__ import annotations

import random
import tracemalloc
from functools import cache

import pytest

from yilian.names import index, similarity
from yilian.names.parse import UnparsableName, normalize, parse
from yilian.registry import synthetic

SIZE = 3000


def rows(n: int = SIZE, seed: int = 11) -> list[tuple[str, str, str, str]]:
    return [(r["name"], r["uscc"], r["division_code"], r["industry_code"])
            for r in synthetic.generate(n, seed)]


@pytest.fixture(scope="module")
def register() -> list[tuple[str, str, str, str]]:
    extra = [("某某某", "91370602MA0000000X", "370602", ""),
             ("烟台一链科技有限公司", "91370602MA0000001X", "370602", "6513"),
             ("威海一链科技有限公司", "91371071MA0000002X", "371071", "6513"),
             ("威海華盛科技有限公司", "91371002MA0000003X", "371002", "6513")]
    return rows() + extra


@cache
def parsed_or_none(name: str):
    try:
        return parse(name)
    except UnparsableName:
        return None


def scan(register, name: str, division: str, industry_code: str = "") -> list[tuple]:
    """The reference: every row under the authority, compared one by one."""
    full = normalize(name)
    try:
        proposed = parse(full)
    except UnparsableName:
        proposed = None
    found = []
    for existing, uscc, row_division, code in register:
        if index.authority(row_division) != index.authority(division):
            continue
        parsed = parsed_or_none(existing)
        if proposed is None or parsed is None:
            rule = similarity.IDENTICAL if normalize(existing) == full else None
        else:
            rule = similarity.compare(proposed, parsed, proposed_industry_code=industry_code,
                                      existing_industry_code=code)
        if rule:
            found.append((rule, normalize(existing), uscc))
    return sorted(found, key=lambda c: (index._RANK[c[0]], c[1]))


def probes(register, n: int = 100, seed: int = 5) -> list[tuple[str, str, str]]:
    """Names near existing ones: the same, another form or division position, other
    industry words, a homophone or traditional 字号, and the extra fixtures."""
    rng = random.Random(seed)
    sounds = {"晨": "辰", "宏": "鸿", "华": "華", "金": "锦", "达": "達", "通": "同"}
    out = [("威海易链科技有限公司", "371002", ""), ("威海华盛科技有限公司", "371002", ""),
           ("某某某", "370602", ""), ("某某乙", "370602", ""),
           ("威海一链商贸有限公司", "371002", "6520"), ("烟台一链科技有限公司", "370602", "")]
    for name, _, division, code in rng.sample(register[:SIZE], n):
        p = parse(name)
        trade = "".join(sounds.get(c, c) for c in p.trade_name)
        industry = rng.choice(["科技", "贸易", "信息技术", p.industry])
        out += [(name, division, ""), (f"{p.trade_name}{p.industry}（威海）有限公司", division, ""),
                (f"{p.division}{trade}{p.industry}{p.org_form}", division, ""),
                (f"{p.division}{p.trade_name}{industry}{p.org_form}", division,
                 rng.choice(["", code]))]
    return out


def as_tuples(conflicts) -> list[tuple]:
    return [(c.rule, c.name, c.uscc) for c in conflicts]


def test_finds_exactly_what_a_scan_finds(register):
    built = index.build(register)
    assert len(built) == len(register)
    checked = 0
    for name, division, code in probes(register):
        expected = scan(register, name, division, code)
        assert as_tuples(built.conflicts(name, division, code)) == expected, name
        checked += bool(expected)
    assert checked > 100  # most probes clash, so the comparison has teeth


def test_every_rule_is_found(register):
    built = index.build(register)
    rules = {c.rule for name, division, code in probes(register)
             for c in built.conflicts(name, division, code)}
    assert rules == set(index._RANK)


def test_add_after_build_is_visible_and_keeps_buckets_sorted(register):
    built = index.build(register[:500])
    name = "威海蓝峰远达科技有限公司"
    assert built.conflicts(name, "371002") == []
    for extra in register[500:800]:
        built.add(*extra)
    built.add(name, "91371002MA0000009X", "371002", "6513")
    assert as_tuples(built.conflicts(name, "371002")) == [
        ("identical", name, "91371002MA0000009X")]
    assert [c.rule for c in built.conflicts("威海兰峰远达信息技术有限公司", "371002")] == [
        "homophone"]
    for probe, division, code in probes(register[:800], 60):
        assert as_tuples(built.conflicts(probe, division, code)) == scan(
            register[:800], probe, division, code)
    assert all(list(b) == sorted(b) for b in built._buckets if b is not None)


def test_hash_collisions_are_judged_on_the_stored_name(register, monkeypatch):
    """With every key hashing alike, each check sees the whole register as candidates:
    slow, but the answers stay those of the scan."""
    monkeypatch.setattr(index, "_hash", lambda key: 0x2A)
    built = index.build(register[:400] + register[-4:])
    for name, division, code in probes(register[:400] + register[-4:], 25):
        assert as_tuples(built.conflicts(name, division, code)) == scan(
            register[:400] + register[-4:], name, division, code)
    assert built.conflicts("某某乙", "370602") == []
    assert len(list(built.candidates("某某乙", "370602"))) == 2  # all of 3706


def test_entry_round_trips_what_was_added():
    built = index.build([("威海一链科技（威海）有限公司", "91371071MA0000002X", "", "6513")])
    entry = built.entry(0)
    assert entry == index.Entry("威海一链科技（威海）有限公司", "91371071MA0000002X", "3710",
                                "6513")


def test_a_name_too_long_to_pack_is_parsed_again_when_judged():
    long_trade = "远达" * 140
    name = f"威海{long_trade}科技有限公司"
    built = index.build([(name, "91371002MA0000004X", "371002", "")])
    assert built._split[0] == index._REPARSE
    assert [c.rule for c in built.conflicts(f"{long_trade}科技（威海）有限公司", "371002")] == [
        "identical_core"]


def test_no_authority_no_entry_and_no_hits():
    built = index.build([("威海一链科技有限公司", "", "", "")])
    assert len(built) == 0
    assert built.conflicts("威海一链科技有限公司", "") == []


def test_a_name_costs_well_under_a_hundred_bytes_of_structure():
    """The point of the compact layout: ~24 bytes of name, 18 of USCC, ~8 per key."""
    data = rows(20_000, seed=3)
    index.build(data[:100])  # warm the word tables and caches outside the measurement
    tracemalloc.start()
    built = index.build(data)
    size = sum(len(b) * b.itemsize for b in built._buckets if b is not None) + len(
        built._blob) + len(built._uscc) + 8 * len(built._offsets) + 8 * len(built)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert size / len(built) < 110
    # With the 65 536 bucket objects (a fixed ~6 MB) and the pinyin cache.
    assert (peak - 8_000_000) / len(built) < 150
