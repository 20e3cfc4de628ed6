"""Offices each organization form must, may or may not fill (职务设置), by law.

One data file (``data/offices.json``, edition ``company-law-2023``: the Company Law as
revised, in force 1 July 2024, with the Sole Proprietorship Enterprise Law and the
registration and tax-registration rules for the offices departments call) says, per
organization form and role, how many holders are allowed and which other office the
holder must hold. The submission checks (:mod:`yilian.forms.validation.parties`) and the
people step's questions (:mod:`yilian.portal.people`) both read it, so a page never asks
for an office the checks do not require, nor the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from yilian.refdata._files import read_json


@dataclass(frozen=True)
class Office:
    """One role in one organization form: the allowed head counts ([low, high] ranges,
    high ``None`` for no limit), the offices its holder must also hold, the legal basis."""

    role: str
    counts: tuple[tuple[int, int | None], ...]
    executive_of: tuple[str, ...]
    basis: str

    def allows(self, count: int) -> bool:
        return any(low <= count and (high is None or count <= high)
                   for low, high in self.counts)

    @property
    def required(self) -> bool:
        return not self.allows(0)

    @property
    def exists(self) -> bool:
        """False where the form has no such office (个人独资企业 has no directors)."""
        return any(high is None or high > 0 for _, high in self.counts)

    @property
    def several(self) -> bool:
        """May more than one person hold it (a board)?"""
        return any(high is None or high > 1 for _, high in self.counts)

    def allowed_text(self) -> tuple[str, str]:
        """The allowed counts in words, Chinese and English: ``1名或3名以上``."""
        zh, en = [], []
        for low, high in self.counts:
            if high is None:
                zh.append(f"{low}名以上"), en.append(f"{low} or more")
            elif low == high:
                zh.append(f"{low}名"), en.append(str(low))
            else:
                zh.append(f"{low}至{high}名"), en.append(f"{low} to {high}")
        return "或".join(zh), " or ".join(en)


@cache
def _data() -> dict:
    return read_json("offices.json")


def edition() -> str:
    return _data()["edition"]


#: Every office a form may name; one a form's entry does not list does not exist in it.
ROLES = ("legal_representative", "director", "supervisor", "manager", "financial_officer",
         "tax_handler", "contact", "person_in_charge", "family_member")


@cache
def for_form(org_form: str) -> dict[str, Office]:
    """The offices of ``org_form`` by role, in the file's order, then the roles it does
    not have (allowed count 0). A form of this file, or a kind whose offices the kinds
    catalogue lists itself (:mod:`yilian.refdata.kinds`: partnerships, branches …); a
    form not (yet) chosen is asked what the file's default form asks (a
    multi-shareholder LLC)."""
    from yilian.refdata import kinds

    forms = _data()["forms"]
    spec = forms.get(org_form)
    if spec is None:
        inline = kinds.all_kinds().get(org_form)
        ref = inline.spec.get("offices") if inline else None
        if isinstance(ref, dict):
            spec = ref
        else:
            spec = forms[ref.split("#", 1)[1] if isinstance(ref, str)
                         else _data()["default_form"]]
    found = {role: Office(role, tuple((low, high) for low, high in o["counts"]),
                          tuple(o.get("executive_of", ())), o["basis"])
             for role, o in spec.items()}
    for role in ROLES:
        found.setdefault(role, Office(role, ((0, 0),), (), "not an office of this form"))
    return found
