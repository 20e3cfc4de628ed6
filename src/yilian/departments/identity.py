"""身份核验 — do a name, a resident ID number and a mobile number belong to one person?

In a real deployment this is the public-security real-name check (公民身份信息核查) joined
with the carriers' real-name registration of mobile numbers (手机号实名); Yilian asks it
through the query protocol (:mod:`yilian.departments.queries`, code ``identity``), so a
deployment swaps :class:`IdentitySimulator` for an HTTP adapter by configuration.

The simulator answers from a **seeded population**, deterministic on every machine:

- the people of ``data/identity-population.json`` (versioned: the example application's
  and the demo's people), and
- synthetic people derived from a number (:func:`synthetic`), so that browser tests and
  load tests can use as many distinct people as they like without a shared file: person
  ``n`` is born ``1950-01-01 + n // 1000`` days in division 371002 with sequence
  ``n % 1000``, has the mobile ``19`` + ``n`` in nine digits and a name drawn from ``n``.

Tests add people of their own with :func:`enrol` (in this process only) and take them
away with :func:`forget`. The simulator shares the departments' behaviour settings
(``settings.SIMULATOR``: latency, failure rate, outage windows under the code
``identity``), so "the identity service is down" can be tried like any department.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from yilian.codes import resident_id
from yilian.departments.queries import Answer
from yilian.departments.simulator import SimulatedQuery

_SYNTHETIC_DIVISION = "371002"
_SYNTHETIC_EPOCH = dt.date(1950, 1, 1)
_SYNTHETIC_SPAN = 3_650_000  # ten years of births, a thousand a day
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明",
          "超", "秀英", "建华", "海燕", "志强", "春梅", "晓东", "丽娟", "国庆", "文博")


@dataclass(frozen=True)
class Resident:
    """One person of the population: what belongs together."""

    name: str
    id_number: str
    phone: str


def normalize_id(number: str) -> str:
    """An ID number as compared everywhere: NFKC (full-width digits and ｘ become ASCII),
    no surrounding space, upper-case X."""
    return unicodedata.normalize("NFKC", number or "").strip().upper()


def synthetic(n: int) -> Resident:
    """Synthetic person ``n`` (0 ≤ n < 3 650 000) of the seeded population."""
    if not 0 <= n < _SYNTHETIC_SPAN:
        raise ValueError(f"synthetic person {n} is outside the population")
    birth = _SYNTHETIC_EPOCH + dt.timedelta(days=n // 1000)
    number = resident_id.make(_SYNTHETIC_DIVISION, birth, n % 1000)
    name = _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n // len(_SURNAMES)) % len(_GIVEN)]
    return Resident(name, number, f"19{n:09d}")


def _synthetic_for(number: str) -> Resident | None:
    if len(number) != 18 or not number[:17].isdigit() or number[:6] != _SYNTHETIC_DIVISION:
        return None
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    n = (birth - _SYNTHETIC_EPOCH).days * 1000 + int(number[14:17])
    if not 0 <= n < _SYNTHETIC_SPAN:
        return None
    person = synthetic(n)
    return person if person.id_number == number else None


@cache
def seeded() -> dict[str, Resident]:
    """The population file's people by ID number."""
    path = resources.files("yilian.departments").joinpath("data/identity-population.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return {p["id_number"]: Resident(p["name"], p["id_number"], p["phone"])
            for p in data["people"]}


_enrolled: dict[str, Resident] = {}


def enrol(name: str, id_number: str, phone: str) -> Resident:
    """Add a person to this process's population (tests)."""
    person = Resident(name, normalize_id(id_number), phone)
    _enrolled[person.id_number] = person
    return person


def forget() -> None:
    """Take away everyone :func:`enrol` added."""
    _enrolled.clear()


def lookup(id_number: str) -> Resident | None:
    number = normalize_id(id_number)
    return _enrolled.get(number) or seeded().get(number) or _synthetic_for(number)


class IdentitySimulator(SimulatedQuery):
    """The identity check as the public-security and carrier systems would answer it.

    ``ask({"name", "id_number", "phone"})`` → ``Answer(ok, reason)`` with ``reason`` one
    of ``match``, ``not_found`` (no such ID number), ``name_mismatch`` or
    ``phone_mismatch``; raises ``TransientError`` in an outage or a simulated failure
    (:class:`SimulatedQuery`). :meth:`answer` alone is the department's judgement, which
    the reference department system (``yilian department-sim identity``) serves.
    """

    code = "identity"
    name_zh = "身份核验"
    name_en = "identity verification"

    def answer(self, payload: dict[str, Any]) -> Answer:
        person = lookup(str(payload.get("id_number", "")))
        if person is None:
            return Answer(False, "not_found")
        if person.name != str(payload.get("name", "")).strip():
            return Answer(False, "name_mismatch")
        if person.phone != str(payload.get("phone", "")).strip():
            return Answer(False, "phone_mismatch")
        return Answer(True, "match")
