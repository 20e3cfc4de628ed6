"""The one password backend: Django's, behind the lockout (:mod:`yilian.accounts.lockout`).

Every password check in Yilian goes through ``django.contrib.auth.authenticate`` — the
sign-in page, the Django admin (which sends its sign-in to that page) and the API's token
endpoint — and so through here. A locked account or address is refused before the
password is looked at (``PermissionDenied`` stops Django from trying anything else); the
refusal is left on the request for the caller to show in both languages.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from yilian.accounts import lockout


def client_of(request) -> str:
    if request is None:
        return ""
    from yilian.accounts.views import client_address  # views import this module's users

    return client_address(request)


class PasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        client = client_of(request)
        try:
            lockout.check(username, client)
        except lockout.SignInLocked as locked:
            if request is not None:
                request.sign_in_refusal = locked
            raise PermissionDenied from locked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            lockout.failed(username, client)
        return user
