"""The word lists behind names (企业名称): prohibited and restricted words, industry words
(行业或经营特点), organization-form suffixes (组织形式) and division names (行政区划).

They are data, not code: ``data/names.json`` carries them with an edition and a source,
so a new edition of the measures is a data change. Each loader is cached; callers get
read-only views.

Division names come through :func:`division_words` alone, the one seam to swap for the
full GB/T 2260 reference data (``yilian.refdata``) once it lands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from yilian.codes import divisions

# Suffixes that make a division's short form: 山东省 → 山东, 威海市 → 威海. Longest first.
_DIVISION_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区",
                      "省", "市", "区", "县")


@dataclass(frozen=True)
class Prohibited:
    """A word that a name may not carry without authorization, with its rule and basis."""

    word: str
    rule: str
    basis: str


@cache
def _data() -> dict:
    text = resources.files("yilian.names").joinpath("data/names.json").read_text("utf-8")
    return json.loads(text)


def edition() -> str:
    return _data()["edition"]


@cache
def prohibited_words() -> tuple[Prohibited, ...]:
    """Prohibited and restricted words, longest first (so 人民解放军 wins over 解放军)."""
    items = (Prohibited(**item) for item in _data()["prohibited"])
    return tuple(sorted(items, key=lambda p: -len(p.word)))


@cache
def industry_words() -> MappingProxyType:
    """Industry word → the GB/T 4754-2017 divisions (两位大类) it stands for."""
    return MappingProxyType({w: frozenset(d) for w, d in _data()["industries"].items()})


@cache
def org_forms() -> tuple[tuple[str, str], ...]:
    """(suffix, kind) pairs, longest suffix first so 股份有限公司 wins over 有限公司: this
    file's, then each catalogue kind's ``name_forms`` not listed here (（特殊普通合伙）,
    专业合作社, 馆 …) under the kind ``kind:<code>``, so every kind's name parses."""
    from yilian.refdata import kinds

    pairs = {item["suffix"]: item["kind"] for item in _data()["org_forms"]}
    for code, kind in kinds.all_kinds().items():
        for suffix in kind.name_forms:
            pairs.setdefault(suffix, f"kind:{code}")
    return tuple(sorted(pairs.items(), key=lambda p: -len(p[0])))


@cache
def org_form_kinds() -> MappingProxyType:
    """Application org form (``forms.OrgForm`` value) → the suffix kinds it may end with."""
    return MappingProxyType({k: frozenset(v) for k, v in _data()["org_form_kinds"].items()})


@cache
def _polyphones_data() -> dict:
    text = resources.files("yilian.names").joinpath("data/polyphones.json").read_text("utf-8")
    return json.loads(text)


@cache
def polyphones() -> MappingProxyType:
    """多音字 in common use → their toneless readings (``data/polyphones.json``)."""
    return MappingProxyType({c: tuple(r) for c, r in _polyphones_data()["readings"].items()})


@cache
def division_words() -> MappingProxyType:
    """Division word (full and short form) → GB/T 2260 code. The seam for refdata."""
    table: dict[str, str] = {}
    sources = [(f"{p}0000", n) for p, n in divisions.PROVINCES.items()]
    sources += list(_data()["divisions"].items()) + list(divisions.KNOWN.items())
    for code, full in sources:
        table.setdefault(full, code)
        short = _short(full)
        if short and len(short) >= 2:
            table.setdefault(short, code)
    return MappingProxyType(table)


def _short(full: str) -> str:
    if full.endswith("开发区"):  # zones are named in full only: 火炬 is not a place
        return ""
    for suffix in _DIVISION_SUFFIXES:
        if full.endswith(suffix) and len(full) > len(suffix):
            return full[: -len(suffix)]
    return ""


@cache
def after_closing() -> dict:
    """How long a closed enterprise's name stays taken, with its basis
    (``data/after_closing.json``: ``years``, ``basis``, ``checked``)."""
    text = resources.files("yilian.names").joinpath("data/after_closing.json").read_text("utf-8")
    return json.loads(text)
