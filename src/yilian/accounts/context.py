"""What every page's header needs: the links the signed-in user may follow."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from yilian.accounts import roles
from yilian.accounts.permissions import has_role, is_officer


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    links: list[tuple[str, str]] = []
    if user is not None and user.is_authenticated:
        if has_role(user, roles.APPLICANT) or not roles.is_staff_member(user):
            links.append((reverse("portal:index"), _("我的办件")))
        if has_role(user, roles.CLERK, roles.EXAMINER):
            links.append((reverse("workbench:index"), _("窗口工作台")))
        if is_officer(user):
            links.append((reverse("workbench:console"), _("部门工作台")))
        if has_role(user, roles.ADMIN):
            links.append((reverse("dashboard:index"), _("双创统计")))
    return {"nav_links": links, "demo_mode": settings.DEMO_MODE}
