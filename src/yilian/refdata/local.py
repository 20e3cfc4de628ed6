"""Local reference data of a zone (属地数据): what differs from one city or zone to the
next, each a data file with its source, looked up for an application's division and
falling back to the nearest division above it (zone → city → province).

- :func:`insurance_base`: the social-insurance contribution base's floor and ceiling
  (社会保险缴费基数上下限), ``data/social_insurance.json``.
- :func:`banks`: the banks taking account-opening appointments (银行开户预约) and their
  branches (网点), ``data/banks.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from yilian.refdata import divisions
from yilian.refdata._files import read_json


@dataclass(frozen=True)
class InsuranceBase:
    """The monthly base's floor and ceiling (元/月) of one year, and where they are from."""

    division: str
    name: str
    year: str
    floor: Decimal
    ceiling: Decimal
    source: str
    verified: bool


@dataclass(frozen=True)
class Bank:
    """A bank and its branches; ``verified`` names the branches confirmed against the
    bank's own branch page or the licence register (each branch's ``source`` in the file)."""

    name: str
    branches: tuple[str, ...]
    verified: frozenset[str] = frozenset()


@cache
def _insurance() -> dict:
    return read_json("social_insurance.json")


@cache
def _banks() -> dict:
    return read_json("banks.json")


def insurance_base(division_code: str) -> InsuranceBase | None:
    """The base's limits in force for an enterprise in ``division_code``, or ``None``."""
    bases = _insurance()["bases"]
    for d in reversed(divisions.ancestry(division_code or "")):
        row = bases.get(d.code)
        if row:
            return InsuranceBase(d.code, row["name"], row["year"], Decimal(row["floor"]),
                                 Decimal(row["ceiling"]), row["source"], row["verified"])
    return None


def banks(division_code: str) -> tuple[Bank, ...]:
    """The banks (with their branches) of ``division_code``'s list; empty if it has none."""
    found = divisions.nearest(division_code or "", _banks()["divisions"]) or []
    return tuple(Bank(b["bank"], tuple(br["name"] for br in b["branches"]),
                      frozenset(br["name"] for br in b["branches"] if br["verified"]))
                 for b in found)


def banks_edition() -> str:
    return _banks()["edition"]
