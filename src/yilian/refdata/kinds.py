"""Kinds of market entity (市场主体类型) — what the law asks of each, as data.

One data file (``data/kinds.json``, edition ``market-entities-2026.1``) describes every kind
Yilian registers or is to register (issue 12): who its members are (股东, 发起人, 合伙人,
成员, 经营者) and how many, what its capital is called and when it is paid, its offices
(by reference to :mod:`yilian.refdata.offices` or inline), the organization-form words its
name ends in, the first two characters of its credit code (GB 32100), the chain steps it
needs and the rows of its license. Each requirement names its legal basis and whether that
wording was read against a published text (``checked``); docs/entity-kinds.md is the
contract the form, names, chain, licenses and dashboard implement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from yilian.refdata._files import read_json

#: GB 32100-2015: registration authority 9 (market regulation), then the entity class:
#: 1 enterprise, 2 individual business, 3 farmers' specialized cooperative.
USCC_PREFIX_BY_FAMILY = {"company": "91", "sole": "91", "partnership": "91", "branch": "91",
                         "individual": "92", "cooperative": "93"}


@dataclass(frozen=True)
class Kind:
    """One kind of market entity; ``spec`` is its entry in the data file as written."""

    code: str
    zh: str
    en: str
    family: str
    uscc_prefix: str
    #: Can it be applied for yet? A kind becomes available when every part of Yilian
    #: (form, pages, names, chain, license, dashboard) handles it: docs/entity-kinds.md.
    available: bool
    spec: dict[str, Any] = field(repr=False, compare=False)

    @property
    def members(self) -> dict[str, Any] | None:
        """Who holds the entity (股东, 发起人, 合伙人, 成员, 经营者) — the form's
        investors table — or None where no one does (a branch)."""
        return self.spec.get("members")

    @property
    def member_counts(self) -> tuple[int, int | None] | None:
        members = self.spec.get("members")
        return tuple(members["counts"]) if members else None

    @property
    def name_forms(self) -> tuple[str, ...]:
        return tuple(self.spec.get("name_forms", ()))

    @property
    def required_steps(self) -> tuple[str, ...]:
        return tuple(self.spec["steps"]["required"])

    @property
    def optional_steps(self) -> tuple[str, ...]:
        return tuple(self.spec["steps"].get("optional", ()))

    def bases(self) -> list[tuple[str, str, bool]]:
        """Every (where, basis, checked) the entry cites, for review and the tests."""
        found: list[tuple[str, str, bool]] = []

        def walk(node: Any, where: str) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key.endswith("basis") and isinstance(value, str):
                        flag = key[:-len("basis")] + "checked"
                        found.append((f"{where}.{key}", value, bool(node.get(flag))))
                    else:
                        walk(value, f"{where}.{key}")
        walk(self.spec, self.code)
        return found


@cache
def _data() -> dict:
    return read_json("kinds.json")


def edition() -> str:
    return _data()["edition"]


@cache
def all_kinds() -> dict[str, Kind]:
    """Every kind by code, in the file's order."""
    return {code: Kind(code, spec["zh"], spec["en"], spec["family"], spec["uscc_prefix"],
                       bool(spec.get("available")), spec)
            for code, spec in _data()["kinds"].items()}


def get(code: str) -> Kind:
    """The kind called ``code``; ``KeyError`` for one the catalogue does not know."""
    return all_kinds()[code]


def is_open(kind: Kind) -> bool:
    """Can ``kind`` be applied for online? Its catalogue flag, or ``YILIAN_KINDS_OPEN``
    (training and the browser tests open a kind ahead of the flag); the form's pages and
    the submission checks both ask this, so a page never offers what submission refuses."""
    from django.conf import settings

    return kind.available or kind.code in getattr(settings, "KINDS_OPEN", ())


def entity_class(org_form: str) -> str:
    """The credit code's second character for ``org_form`` (GB 32100: 1 enterprise, 2
    individual business, 3 cooperative); an enterprise's for a form not in the catalogue."""
    kind = all_kinds().get(org_form)
    return kind.uscc_prefix[1] if kind else "1"
