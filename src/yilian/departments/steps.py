"""Which departments a chain asks (办理环节), and in what order: the plan.

An establishment (设立) asks the kind's steps, registration first. A change (变更) asks
registration first, then only the departments that hold something that changed. A
closing (注销) runs the other way: tax clearance (清税) first, the other departments
after it, registration (注销登记) last (docs/changes-and-closing.md).

A kind of market entity (:mod:`yilian.refdata.kinds`) lists the steps it always needs
(``steps.required``) and the ones the applicant may want (``steps.optional``); for each
optional step, ``steps.chosen_by`` names the answer on the one form that asks for it. The
answers are the form's own fields, read here and nowhere else, so a new kind is a new
catalogue entry, not new code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from yilian.refdata import kinds

if TYPE_CHECKING:
    from yilian.forms.models import Application

#: The form's answers that choose an optional step, by the name the catalogue uses.
CHOICES: dict[str, Callable[[Application], bool]] = {
    # 参保职工: staff listed to enrol — a unit with none has no one to register.
    "employees": lambda application: bool(application.employees.all()),
    # 印章: seals listed on the form; for a kind whose seals are optional, none listed
    # means none wanted (docs/DECISIONS.md).
    "seals": lambda application: bool(application.seals),
    # 银行开户预约: an appointment asked for.
    "bank_appointment": lambda application: bool(application.bank_appointment),
}


class UnknownKind(ValueError):
    """The application's ``org_form`` is not in the catalogue: no chain can be built."""


def chosen(application: Application, kind: kinds.Kind, code: str) -> bool:
    """Whether the form asks for the kind's optional step ``code``."""
    return CHOICES[kind.spec["steps"]["chosen_by"][code]](application)


def codes_for(application: Application) -> tuple[str, ...]:
    """The steps of ``application``'s chain, by its purpose."""
    purpose = getattr(application, "purpose", ESTABLISH) or ESTABLISH
    if purpose == ESTABLISH:
        return establishment_codes(application)
    from yilian.forms import afterwards

    if purpose == CHANGE:
        return ("registration", *afterwards.departments_to_tell(application))
    return (*afterwards.departments_to_close(application), "registration")


def establishment_codes(application: Application) -> tuple[str, ...]:
    """The steps of an establishment: the kind's required steps and the optional ones
    its form chose, in the catalogue's order."""
    kind = kinds.all_kinds().get(application.org_form)
    if kind is None:
        raise UnknownKind(f"no kind of market entity called {application.org_form!r}")
    return kind.required_steps + tuple(
        code for code in kind.optional_steps if chosen(application, kind, code))


ESTABLISH, CHANGE, CLOSE = "establish", "change", "close"

#: 清税 comes first in a closing: the other departments close their accounts once tax has
#: cleared the enterprise, and the register closes it last.
CLOSING_FIRST = "tax"


def prerequisites(purpose: str, code: str, codes: tuple[str, ...] | frozenset[str]
                  ) -> tuple[str, ...]:
    """The steps that must be done before step ``code`` of a chain of ``purpose`` whose
    steps are ``codes``."""
    from yilian.departments import registry

    if purpose == CLOSE:
        if code == "registration":
            return tuple(c for c in codes if c != "registration")
        if code == CLOSING_FIRST or CLOSING_FIRST not in codes:
            return ()
        return (CLOSING_FIRST,)
    if purpose == CHANGE:
        return () if code == "registration" else ("registration",)
    return registry.get(code).after
