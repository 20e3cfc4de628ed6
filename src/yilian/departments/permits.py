"""许可核验 — is this permit real, and does it cover this enterprise and this activity?

The permits query (``queries.DEFAULT["permits"]``) asks the department that issues a
permit. Payload: ``number``, ``department`` (the issuing department the business-scope
catalogue names), ``permit`` (its kind), ``activity`` (the business-scope entry id),
``holder_name`` (the enterprise name applied for), ``holder_ids`` (the resident ID
numbers and USCCs of the legal representative and the investors), ``on`` (ISO date).

A pre-registration permit (前置许可) is issued before the enterprise exists: to the name
under reservation, or to a founder. So a permit is valid for an application when its
holder is the enterprise name applied for, *or* its holder ID is the legal
representative's or an investor's (see docs/DECISIONS.md) — and it covers the activity,
is not revoked, and is in force on the day.

Answer reasons: ``valid``; ``unknown`` (that department has no such number),
``revoked``, ``activity_mismatch``, ``holder_mismatch``, ``not_yet_valid``, ``expired``.
:class:`PermitRegisterSimulator` answers from a seeded register shipped as a versioned
data file (``data/permits.json``); a real deployment maps ``permits`` to an adapter of
the departments' own services in ``settings.QUERY_SERVICES``.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from django.utils.translation import gettext_noop

from yilian.departments.queries import Answer
from yilian.departments.simulator import SimulatedQuery


def normalize_number(number: str) -> str:
    """Permit numbers compare as typed on any keyboard: NFKC (full-width digits and
    letters), no spaces, upper case."""
    return "".join(unicodedata.normalize("NFKC", number or "").split()).upper()


@dataclass(frozen=True)
class RegisteredPermit:
    """One permit in a department's register (许可证件登记簿)."""

    number: str
    department: str
    permit: str
    activities: frozenset[str]
    holder_name: str
    holder_id: str
    valid_from: dt.date
    valid_to: dt.date | None
    status: str  # "valid" | "revoked"

    def judge(self, payload: dict[str, Any]) -> Answer:
        on = dt.date.fromisoformat(payload["on"])
        data = {"number": self.number, "department": self.department, "permit": self.permit,
                "holder": self.holder_name or _masked(self.holder_id),
                "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat() if self.valid_to else None}
        if self.status != "valid":
            return Answer(False, "revoked", data)
        if payload.get("activity") not in self.activities:
            return Answer(False, "activity_mismatch", data)
        held_by_name = bool(self.holder_name) and self.holder_name == _plain(
            payload.get("holder_name", ""))
        ids = {normalize_number(i) for i in payload.get("holder_ids", ()) if i}
        if not held_by_name and normalize_number(self.holder_id) not in ids - {""}:
            return Answer(False, "holder_mismatch", data)
        if on < self.valid_from:
            return Answer(False, "not_yet_valid", data)
        if self.valid_to is not None and on > self.valid_to:
            return Answer(False, "expired", data)
        return Answer(True, "valid", data)


def _plain(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def _masked(id_number: str) -> str:
    """A holder ID as a department shows it to another office: the ends only."""
    return f"{id_number[:4]}…{id_number[-2:]}" if id_number else ""


@cache
def register() -> tuple[str, dict[tuple[str, str], RegisteredPermit]]:
    """The seeded register: its edition and the permits by (department, number)."""
    raw = json.loads(resources.files("yilian.departments").joinpath("data/permits.json")
                     .read_text(encoding="utf-8"))
    permits = {}
    for row in raw["permits"]:
        permit = RegisteredPermit(
            number=row["number"], department=row["department"], permit=row["permit"],
            activities=frozenset(row["activities"]), holder_name=row["holder_name"],
            holder_id=row["holder_id"], valid_from=dt.date.fromisoformat(row["valid_from"]),
            valid_to=dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            status=row["status"])
        permits[(permit.department, normalize_number(permit.number))] = permit
    return raw["edition"], permits


class PermitRegisterSimulator(SimulatedQuery):
    """许可核验 — the issuing departments' permit registers, simulated."""

    code = "permits"
    name_zh = gettext_noop("许可核验")
    name_en = "Permit register"

    def answer(self, payload: dict[str, Any]) -> Answer:
        edition, permits = register()
        found = permits.get((payload.get("department", ""),
                             normalize_number(payload.get("number", ""))))
        if found is None:
            return Answer(False, "unknown", {"register": edition})
        answer = found.judge(payload)
        return Answer(answer.ok, answer.reason, {**answer.data, "register": edition})
