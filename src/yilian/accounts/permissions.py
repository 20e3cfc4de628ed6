"""Role checks for the web pages (the API has its own object-level checks).

A page names the roles that may open it; anyone else signed in gets 403, anyone not
signed in goes to the sign-in page. Superusers pass every check (they administer the
service), which the tests rely on only where they say so.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from yilian.accounts import roles


def has_role(user, *wanted: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    held = roles.roles_of(user)
    return any(role in held for role in wanted)


def is_officer(user, department: str | None = None) -> bool:
    if user.is_superuser:
        return True
    held = roles.departments_of(user)
    return bool(held) if department is None else department in held


def role_required(*wanted: str) -> Callable:
    """Decorate a view: only users holding one of ``wanted`` may open it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *wanted):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorator


def officer_required(view: Callable) -> Callable:
    """Only officers of some department (the view narrows to their departments)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


def landing_url_name(user) -> str:
    """Where a signed-in user starts: the page of their main role."""
    if has_role(user, roles.ADMIN):
        return "dashboard:index"
    if has_role(user, roles.CLERK, roles.EXAMINER):
        return "workbench:index"
    if is_officer(user):
        return "workbench:console"
    return "portal:index"
