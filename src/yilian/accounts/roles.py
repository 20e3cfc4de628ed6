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


# What a zone administrator's job needs in the Django admin (园区管理员): the catalogue
# amendments they maintain, the register and the admission decisions to look at, and the
# API tokens to revoke. Not the applications, their parties or the licenses: their work
# with applications is the dashboard's aggregates (docs/DECISIONS.md).
ADMIN_PERMISSIONS = (
    "rules.view_catalogueamendment", "rules.add_catalogueamendment",
    "rules.change_catalogueamendment",
    "rules.view_negativelistamendment", "rules.add_negativelistamendment",
    "rules.change_negativelistamendment",
    "registry.view_enterprise",
    "accounts.view_apitoken", "accounts.change_apitoken",
)


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


def is_staff_member(user) -> bool:
    """Staff of any kind (clerk, examiner, officer, administrator) or a Django staff or
    superuser account: who signs in with a password (and, in production, a second
    factor), never with a phone code, and whose idle sessions time out."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    held = roles_of(user)
    return bool(held & STAFF_ROLES) or any(r.startswith(OFFICER_PREFIX) for r in held)


def grant_admin_permissions() -> None:
    """Give the administrators' group its Django-admin permissions (idempotent)."""
    from django.contrib.auth.models import Permission

    group, _ = Group.objects.get_or_create(name=ADMIN)
    for dotted in ADMIN_PERMISSIONS:
        app_label, codename = dotted.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label,
                                               codename=codename).first()
        if permission is not None:
            group.permissions.add(permission)
