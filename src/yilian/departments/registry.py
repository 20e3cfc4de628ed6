"""The registry of department adapters — the only thing the chain engine knows.

``settings.DEPARTMENTS`` (optional) maps a step code to a dotted class path. A code
listed in ``YILIAN_DEPARTMENTS`` (``settings.DEPARTMENT_URLS``) is reached over HTTP: its
adapter is wrapped in :class:`~yilian.departments.remote.RemoteDepartment`, which keeps
the adapter's payload and finish and asks the department's own system. Adding a
department is one new module and one line in :data:`DEFAULT`.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from yilian.departments.base import Department

DEFAULT = {
    "registration": "yilian.departments.registration.RegistrationStep",
    "seals": "yilian.departments.seals.SealStep",
    "tax": "yilian.departments.tax.TaxStep",
    "social_security": "yilian.departments.social_security.SocialSecurityStep",
    "medical_insurance": "yilian.departments.medical_insurance.MedicalInsuranceStep",
    "housing_fund": "yilian.departments.housing_fund.HousingFundStep",
    "bank": "yilian.departments.bank.BankStep",
}


@cache
def departments() -> dict[str, Department]:
    paths = {**DEFAULT, **getattr(settings, "DEPARTMENTS", {})}
    return {code: _reached(import_string(path)()) for code, path in paths.items()}


def _reached(local: Department) -> Department:
    """The adapter as configured: over HTTP when its code is listed, else itself."""
    if local.code not in getattr(settings, "DEPARTMENT_URLS", {}):
        return local
    from yilian.departments import remote

    return remote.RemoteDepartment(local, remote.client_for(local.code),
                                   batch_limit=settings.DEPARTMENT_BATCH_SIZE)


def get(code: str) -> Department:
    return departments()[code]


def for_application(application) -> list[Department]:
    """The departments of ``application``'s chain, in the registry's order: the plan's
    steps (:func:`yilian.departments.steps.codes_for`, what :meth:`Department.applies_to`
    asks one department at a time), worked out once — a change's plan compares the form
    with the register, a closing's reads the establishment's chain."""
    from yilian.departments import steps

    codes = set(steps.codes_for(application))
    return [d for d in departments().values() if d.code in codes]
