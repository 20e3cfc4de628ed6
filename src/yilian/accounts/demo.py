"""Demo accounts and demo data (only ever created by ``yilian demo`` / ``seed-demo``).

Every demo account has the password ``yilian-demo``. The demo applicant gets the example
application (docs/examples/application.json), submitted, so a fresh demo shows a chain; the
companies the other examples name (a branch's company, corporate investors) are entered in
the register, so each of docs/examples/ (one file per kind) can be submitted against the demo.
"""

from __future__ import annotations

import importlib
import json
from importlib import resources

from django.contrib.auth import get_user_model
from django.db import transaction

from yilian.accounts import roles
from yilian.departments import registry

DEMO_PASSWORD = "yilian-demo"
# Each UI brings the demo data its pages need to show something (a review queue, a failed
# step, two years of statistics); each ``seed()`` is safe to run again and returns lines
# to print.
DEMO_DATA = ("yilian.workbench.demo", "yilian.dashboard.demo")


def _accounts() -> list[tuple[str, str, str, bool]]:
    """(username, role, description, is_staff). ``is_staff`` is Django's: who may sign
    in to the Django admin — the zone administrator only; nobody is a superuser."""
    rows = [
        ("demo-applicant", roles.APPLICANT, "申请人 applicant", False),
        ("demo-clerk", roles.CLERK, "窗口人员 window clerk", False),
        ("demo-examiner", roles.EXAMINER, "审查员 examiner", False),
        ("demo-admin", roles.ADMIN, "园区管理员 zone administrator", True),
    ]
    for code, department in registry.departments().items():
        rows.append((f"demo-officer-{code}", roles.officer_group(code),
                     f"{department.name_zh} officer", False))
    return rows


def example_application() -> dict:
    # docs/examples/application.json links here, so the demo and the docs never drift.
    path = resources.files("yilian.forms").joinpath("examples/application.json")
    return json.loads(path.read_text(encoding="utf-8"))


def example_register() -> list[dict]:
    """The enterprises docs/examples/ (one file per kind) name (forms/examples/register.json)."""
    path = resources.files("yilian.forms").joinpath("examples/register.json")
    return json.loads(path.read_text(encoding="utf-8"))["enterprises"]


def _register_example_companies() -> None:
    import datetime as dt

    from yilian.registry.models import Enterprise

    for row in example_register():
        Enterprise.objects.get_or_create(uscc=row["uscc"], defaults={
            "name": row["name"], "org_form": row["org_form"],
            "division_code": row["division_code"], "industry_code": row["industry_code"],
            "established": dt.date.fromisoformat(row["established"]), "source": "example"})


def seed_demo() -> list[str]:
    """Create (or reset the passwords of) the demo accounts and the demo application;
    return the lines to print. Safe to run again."""
    User = get_user_model()
    lines = [f"Demo accounts (password: {DEMO_PASSWORD}):"]
    with transaction.atomic():
        roles.grant_admin_permissions()
        for username, role, description, is_staff in _accounts():
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(DEMO_PASSWORD)
            user.is_staff = is_staff
            user.is_superuser = False
            user.save()
            roles.grant(user, role)
            lines.append(f"  {username:<34} {description}")
        applicant = User.objects.get(username="demo-applicant")
        if not applicant.applications.exists():
            _submit_example(applicant)
        _register_example_companies()
    for module in DEMO_DATA:
        lines.extend(importlib.import_module(module).seed() or [])
    return lines


def _submit_example(user) -> None:
    from yilian.api.applications import ApplicationSerializer
    from yilian.forms import counter, services

    # Its own name, so that the README's walk-through can submit the example itself.
    data = ApplicationSerializer(data={**example_application(), "name": "威海链通科技有限公司"})
    data.is_valid(raise_exception=True)
    application = services.create_draft(user, data.validated_data)
    # Its people confirmed at the counter (ID cards seen): the demo sends no texts, so the
    # example's numbers keep their day's allowance for the walk-through and the trainers.
    clerk = get_user_model().objects.get(username="demo-clerk")
    counter.confirm_everyone_present(clerk, application)
    services.submit_application(application, user)
