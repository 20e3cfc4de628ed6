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
