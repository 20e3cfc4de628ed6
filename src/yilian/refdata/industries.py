"""National industry classification (国民经济行业分类), GB/T 4754-2017.

Four levels: section (门类, a letter A–T), division (大类, 2 digits), group (中类, 3 digits)
and class (小类, 4 digits). All sections and divisions are shipped; groups and classes are a
subset (``complete()`` says which levels are whole): those the business-scope catalogue
links to (and siblings). A class's group and division
are its code's prefixes, and a division's section is read from the section ranges.
Data: ``data/industries.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from yilian.codes.errors import InvalidCode, digit_code
from yilian.refdata._files import read_json


@dataclass(frozen=True)
class Industry:
    """One entry at any level: code, name and the section letter it falls in."""

    code: str
    name: str
    section: str


@cache
def _data() -> dict:
    return read_json("industries.json")


@cache
def _sections() -> dict[str, Industry]:
    return {s["code"]: Industry(s["code"], s["name"], s["code"]) for s in _data()["sections"]}


@cache
def _divisions() -> dict[str, Industry]:
    return {d["code"]: Industry(d["code"], d["name"], d["section"]) for d in _data()["divisions"]}


def _by_prefix(key: str) -> dict[str, Industry]:
    divisions = _divisions()
    return {e["code"]: Industry(e["code"], e["name"], divisions[e["code"][:2]].section)
            for e in _data()[key]}


@cache
def _groups() -> dict[str, Industry]:
    return _by_prefix("groups")


@cache
def _classes() -> dict[str, Industry]:
    return _by_prefix("classes")


def edition() -> str:
    """The standard's edition, e.g. ``GB/T 4754-2017``."""
    return _data()["edition"]


def counts() -> dict[str, int]:
    """Counts the data file claims for itself (checked by the tests)."""
    return dict(_data()["counts"])


def published_counts() -> dict[str, int]:
    """Counts of the published standard, for comparison with what is shipped."""
    return dict(_data()["published_counts"])


def complete() -> dict[str, bool]:
    """Which levels are shipped in full (sections, divisions) and which only in part."""
    return dict(_data()["complete"])


def sections() -> tuple[Industry, ...]:
    return tuple(_sections().values())


def divisions() -> tuple[Industry, ...]:
    return tuple(_divisions().values())


def groups() -> tuple[Industry, ...]:
    return tuple(_groups().values())


def classes() -> tuple[Industry, ...]:
    return tuple(_classes().values())


def section(code: str) -> Industry | None:
    """Section (门类) by letter."""
    return _sections().get(code)


def division(code: str) -> Industry | None:
    """Division (大类) by 2-digit code."""
    return _divisions().get(code)


def group(code: str) -> Industry | None:
    """Group (中类) by 3-digit code."""
    return _groups().get(code)


def industry_class(code: str) -> Industry | None:
    """Class (小类) by 4-digit code."""
    return _classes().get(code)


def section_of(class_code: str) -> str:
    """The section letter of a class (validated first)."""
    return validate_class(class_code).section


def validate_class(code: object) -> Industry:
    """Return the class for ``code`` or raise ``InvalidCode``."""
    # Reference look-ups forgive spaces round a code; the form's checks do not.
    code = code.strip() if isinstance(code, str) else code
    code = digit_code(code, 4, "industry", "行业小类代码", "industry class code")
    found = _classes().get(code)
    if found is None:
        raise InvalidCode("industry.unknown", f"行业小类{code}不在{edition()}参考数据中",
                          f"industry class {code} is not in the {edition()} reference data")
    return found
