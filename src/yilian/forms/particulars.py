"""登记事项 by kind: who the register and the license name for each kind of market entity.

A company has a legal representative (法定代表人); an individual business an operator
(经营者) and a composition (组成形式); a sole proprietorship an investor (投资人); a
partnership its managing partners (执行事务合伙人, a corporate one through the person it
appoints, 委派代表); a branch a person in charge (负责人) and a parent (隶属企业). The
registration department's payload and the license both read them here, from the form as
accepted, so the two can never say different things.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yilian.forms.models import Composition
from yilian.refdata import kinds

if TYPE_CHECKING:
    from yilian.forms.models import Application


def _first(application: Application, role: str) -> str:
    return next((p.name for p in application.people.all() if p.role == role), "")


def _members(application: Application) -> list:
    return list(application.investors.all())


def operator(application: Application) -> str:
    """经营者 of an individual business: its one member."""
    members = _members(application)
    return members[0].name if members else ""


def managing_partners(application: Application) -> list[dict[str, str]]:
    """执行事务合伙人, each with the representative a corporate partner appoints."""
    return [{"name": m.name, "representative": m.representative_name}
            for m in _members(application) if m.managing]


def managing_partner_line(application: Application) -> str:
    """The managing partners as a license prints them: "甲、乙公司（委派代表：丙）"."""
    return "、".join(f"{m['name']}（委派代表：{m['representative']}）" if m["representative"]
                    else m["name"] for m in managing_partners(application))


def composition(application: Application) -> str:
    """组成形式 in words (个人经营, 家庭经营), or "" for a kind without one."""
    return Composition(application.composition).label if application.composition else ""


def _family(application: Application) -> str:
    kind = kinds.all_kinds().get(application.org_form)
    return kind.family if kind else ""


#: What the registration department records beyond a company's particulars, by family.
_FOR_REGISTRATION = {
    "individual": lambda application: {
        "operator": operator(application), "composition": application.composition,
        "family_members": [p.name for p in application.people.all()
                           if p.role == "family_member"]},
    "sole": lambda application: {"investor": operator(application)},
    "partnership": lambda application: {"managing_partners": managing_partners(application)},
    "branch": lambda application: {"person_in_charge": _first(application, "person_in_charge"),
                                   "parent_uscc": application.parent_uscc},
}


def for_registration(application: Application) -> dict:
    """The registration payload's fields for the application's kind only (a company's
    payload is as before: docs/department-protocol.md allows added optional fields,
    never changed ones), with who answers for it (``responsible``)."""
    extra = _FOR_REGISTRATION.get(_family(application))
    return {**extra(application), "responsible": responsible(application)} if extra else {}


#: Who answers for the entity, by family (法定代表人 / 经营者 / 投资人 / 执行事务合伙人 /
#: 负责人): what the tax bureau records as its 法定代表人（负责人、业主）.
_RESPONSIBLE = {
    "individual": operator,
    "sole": operator,
    "partnership": managing_partner_line,
    "branch": lambda application: _first(application, "person_in_charge"),
}


def for_tax(application: Application) -> dict:
    """The tax payload's fields for a kind other than a company: the kind, and who
    answers for it in place of a legal representative."""
    family = _family(application)
    if family in ("", "company"):
        return {}
    return {"org_form": application.org_form, "responsible": responsible(application)}


def responsible(application: Application) -> str:
    read = _RESPONSIBLE.get(_family(application))
    return read(application) if read else _first(application, "legal_representative")
