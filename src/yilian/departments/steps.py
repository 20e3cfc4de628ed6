"""Which departments a chain asks (办理环节): the kind's steps, from the catalogue.

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
    """The steps of ``application``'s chain: the kind's required steps and the optional
    ones its form chose, in the catalogue's order."""
    kind = kinds.all_kinds().get(application.org_form)
    if kind is None:
        raise UnknownKind(f"no kind of market entity called {application.org_form!r}")
    return kind.required_steps + tuple(
        code for code in kind.optional_steps if chosen(application, kind, code))
