"""Administrative divisions (行政区划代码), GB/T 2260, with the zone codes beside them.

Six digits: province (2), prefecture (2), county (2). Development zones (开发区) have no
place in the MCA list but the statistical codes give them county-level numbers 71–79 under
their city (371071 威海火炬高技术产业开发区), and USCCs issued in a zone carry that code,
so they are shipped as level ``zone``. Data: ``data/divisions.csv`` and its manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from yilian.codes.errors import InvalidCode, digit_code
from yilian.refdata._files import read_csv, read_json

Level = Literal["province", "prefecture", "county", "zone"]


@dataclass(frozen=True)
class Division:
    """One division: its code, name, level and the code of the division above it."""

    code: str
    name: str
    level: Level
    parent: str | None


@cache
def _index() -> dict[str, Division]:
    return {
        row["code"]: Division(row["code"], row["name"], row["level"], row["parent"] or None)  # type: ignore[arg-type]
        for row in read_csv("divisions.csv")
    }


@cache
def _children() -> dict[str, tuple[Division, ...]]:
    out: dict[str, list[Division]] = {}
    for d in _index().values():
        if d.parent:
            out.setdefault(d.parent, []).append(d)
    return {k: tuple(sorted(v, key=lambda d: d.code)) for k, v in out.items()}


@cache
def manifest() -> dict:
    """The data file's manifest: edition, source, shipped and published counts."""
    return read_json("divisions.manifest.json")


def edition() -> str:
    """The edition of the division codes shipped (the MCA list's year)."""
    return manifest()["edition"]


def all_divisions() -> tuple[Division, ...]:
    """Every shipped division, in code order."""
    return tuple(sorted(_index().values(), key=lambda d: d.code))


def division(code: object) -> Division | None:
    """The division with this code, or ``None`` if it is not shipped."""
    return _index().get(code) if isinstance(code, str) else None


def validate(code: object) -> Division:
    """Return the division for ``code`` or raise ``InvalidCode`` saying why it is not one."""
    # Reference look-ups forgive spaces round a code; the form's checks do not.
    code = code.strip() if isinstance(code, str) else code
    code = digit_code(code, 6, "division", "行政区划代码", "division code")
    found = _index().get(code)
    if found is None:
        raise InvalidCode("division.unknown", f"行政区划代码{code}不存在（{edition()}版）",
                          f"division {code} is not in the {edition()} edition")
    return found


def children(code: str) -> tuple[Division, ...]:
    """The divisions directly under ``code`` (prefectures of a province, counties and zones
    of a prefecture); empty where none are shipped."""
    return _children().get(code, ())


def full_name(code: str) -> str:
    """Province + prefecture + county names, e.g. 山东省威海市威海火炬高技术产业开发区."""
    parts: list[str] = []
    d = validate(code)
    while d is not None:
        parts.append(d.name)
        d = _index().get(d.parent) if d.parent else None
    return "".join(reversed(parts))


@dataclass(frozen=True)
class Street:
    """A township-level unit (乡级：街道、镇、乡) of the statistical division codes: a
    9-digit code (its county's 6 digits + 3), a name and its county (or zone)."""

    code: str
    name: str
    county: str


@cache
def _streets() -> dict[str, tuple[Street, ...]]:
    out: dict[str, list[Street]] = {}
    for row in read_csv("streets.csv"):
        out.setdefault(row["county"], []).append(Street(row["code"], row["name"], row["county"]))
    return {k: tuple(sorted(v, key=lambda s: s.code)) for k, v in out.items()}


@cache
def streets_manifest() -> dict:
    """The street file's manifest: edition, source and counts (``data/streets.csv``)."""
    return read_json("streets.manifest.json")


def streets(county: str) -> tuple[Street, ...]:
    """The streets and towns of a county or zone; empty where none are shipped."""
    return _streets().get(county, ())


def street(code: object) -> Street | None:
    """The street with this 9-digit code, or ``None``."""
    if not isinstance(code, str) or len(code) != 9:
        return None
    return next((s for s in streets(code[:6]) if s.code == code), None)


def ancestry(code: str) -> tuple[Division, ...]:
    """The division and those above it, province first; empty for an unknown code."""
    out: list[Division] = []
    d = _index().get(code)
    while d is not None:
        out.append(d)
        d = _index().get(d.parent) if d.parent else None
    return tuple(reversed(out))


def nearest(code: str, table: dict[str, object]):
    """The entry of ``table`` for ``code`` or the nearest division above it that has one
    (zone → city → province): local data set once for a city serves its districts."""
    for d in reversed(ancestry(code)):
        if d.code in table:
            return table[d.code]
    return None


@cache
def _aliases() -> tuple[tuple[str, Division], ...]:
    """Every way a domicile may name a shipped division: its name, and (for a county or
    zone) its name without its city's name in front (火炬高技术产业开发区 for
    威海火炬高技术产业开发区), longest first so the most specific wins."""
    out: list[tuple[str, Division]] = []
    for d in _index().values():
        out.append((d.name, d))
        parent = _index().get(d.parent) if d.parent else None
        if parent is not None and d.level in ("county", "zone"):
            stem = parent.name.removesuffix("市")
            if d.name.startswith(stem) and len(d.name) - len(stem) >= 3:
                out.append((d.name[len(stem):], d))
    return tuple(sorted(out, key=lambda a: -len(a[0])))


def named_in(text: str) -> tuple[Division, ...]:
    """The shipped divisions a free text (a domicile) names, most specific first; each
    stretch of text counts once (鲁 in a street name is no province)."""
    if not isinstance(text, str):
        return ()
    taken = [False] * len(text)
    found: list[Division] = []
    for alias, d in _aliases():
        start = text.find(alias)
        while start != -1:
            if not any(taken[start:start + len(alias)]):
                taken[start:start + len(alias)] = [True] * len(alias)
                if d not in found:
                    found.append(d)
            start = text.find(alias, start + 1)
    level = {"province": 0, "prefecture": 1, "county": 2, "zone": 2}
    return tuple(sorted(found, key=lambda d: -level[d.level]))
