"""Who reads which application, and how much of it (办件可见范围) — one rule for the
pages and the API alike, from the roles of :mod:`yilian.accounts.roles`.

- The applicant (owner) reads their own applications, drafts included, whole.
- Window staff (窗口人员 clerk, 审查员 examiner) read every *submitted* application
  whole — never someone's draft (at the counter a clerk continues the draft of the
  applicant in front of them, through :mod:`yilian.forms.counter`, not through here).
- A department officer (部门经办人) reads only applications with a step of their
  department, and of each only what that department is sent: the step's payload, made
  by the adapter's :meth:`~yilian.departments.base.Department.build_payload` at
  acceptance, so the list of fields is written once, where the department's needs are.
- A zone administrator reads aggregates (the dashboard), not applications
  (docs/DECISIONS.md, issue 8).
- A license's signed JSON and PDF: its owner, window staff, and registration officers
  (the department that issues it); the public checks a license through ``/verify/``.

Superusers pass every role check, as on the pages (:mod:`yilian.accounts.permissions`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yilian.accounts import roles
from yilian.accounts.permissions import has_role
from yilian.forms.models import Application, Status

WINDOW_ROLES = (roles.CLERK, roles.EXAMINER)
#: The department that issues the license (设立登记, market regulation).
LICENSING_DEPARTMENT = "registration"


def visible_to(user) -> QuerySet[Application]:
    """The applications ``user`` may read, with what their representation needs."""
    from yilian.forms.services import application_queryset

    queryset = application_queryset()
    if user is None or not user.is_authenticated:
        return queryset.none()
    own = Q(owner=user)
    if has_role(user, *WINDOW_ROLES):
        return queryset.filter(own | ~Q(status=Status.DRAFT))
    departments = roles.departments_of(user)
    if departments:
        steps = Application.objects.filter(chain__steps__code__in=departments)
        return queryset.filter(own | Q(pk__in=steps.values("pk")))
    return queryset.filter(own)


def sees_whole_form(user, application: Application) -> bool:
    """The owner and window staff read the whole form; an officer reads a part."""
    return application.owner_id == user.pk or has_role(user, *WINDOW_ROLES)


def officer_departments(user, application: Application) -> list[str]:
    """The step codes of ``application`` that ``user`` is an officer of, in chain order."""
    chain = getattr(application, "chain", None)
    if chain is None:
        return []
    mine = roles.departments_of(user)
    return [step.code for step in chain.steps.all() if step.code in mine]


def department_view(user, application: Application) -> dict[str, dict[str, Any]]:
    """Per department of ``user`` on this application: exactly what it is sent — the
    step's payload, which the adapter's ``build_payload`` made at acceptance."""
    mine = set(officer_departments(user, application))
    return {step.code: step.payload for step in application.chain.steps.all()
            if step.code in mine}


def can_read_license(user, application: Application) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (application.owner_id == user.pk or has_role(user, *WINDOW_ROLES)
            or LICENSING_DEPARTMENT in roles.departments_of(user) or user.is_superuser)
