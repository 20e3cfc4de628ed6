"""Who may do what: the five kinds of user, as Django groups.

申请人 applicant · 窗口人员 clerk · 审查员 examiner · 部门经办人 officer (one group per
department, ``officer:<step code>``) · 园区管理员 zone administrator.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

APPLICANT = "applicant"
CLERK = "clerk"
EXAMINER = "examiner"
ADMIN = "admin"
OFFICER_PREFIX = "officer:"

STAFF_ROLES = {CLERK, EXAMINER, ADMIN}


def officer_group(department_code: str) -> str:
    return f"{OFFICER_PREFIX}{department_code}"


def grant(user, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("_yilian_roles", None)


def roles_of(user) -> set[str]:
    """The user's roles, read once per user object (one request): the header, the page's
    permission check and its links all ask."""
    if not user.is_authenticated:
        return set()
    if "_yilian_roles" not in user.__dict__:
        user.__dict__["_yilian_roles"] = frozenset(user.groups.values_list("name", flat=True))
    return set(user.__dict__["_yilian_roles"])


def departments_of(user) -> set[str]:
    """The department step codes this user is an officer of."""
    return {r.removeprefix(OFFICER_PREFIX) for r in roles_of(user)
            if r.startswith(OFFICER_PREFIX)}
