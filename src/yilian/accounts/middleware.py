"""Staff sessions: idle timeout, and the second factor enforced on every request.

A staff member's session (:func:`yilian.accounts.roles.is_staff_member`) that has been
idle for ``settings.STAFF_IDLE_MINUTES`` is signed out — a counter PC left signed in
is not left open for the next person. With ``settings.STAFF_OTP`` on, a staff session
that did not pass the second factor (one made before it was turned on, or by any path
that skipped the step) is signed out too. Either way the request goes on as anonymous:
a page sends it to the sign-in page, the API answers 401/403.

The last-seen time is written at most once a minute, so that browsing does not turn
every request into a session write.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import auth

from yilian.accounts import roles, second_factor

SEEN_KEY = "_yilian_seen"
WRITE_EVERY = 60  # seconds


class StaffSessionMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and roles.is_staff_member(user):
            self._check(request, user)
        return self.get_response(request)

    def _check(self, request, user) -> None:
        now = time.time()
        seen = request.session.get(SEEN_KEY)
        idle = settings.STAFF_IDLE_MINUTES * 60
        verified = getattr(user, "is_verified", lambda: False)()
        if (seen is not None and now - seen > idle) or \
                (second_factor.required(user) and not verified):
            auth.logout(request)  # flushes the session; request.user becomes anonymous
            return
        if seen is None or now - seen > WRITE_EVERY:
            request.session[SEEN_KEY] = now
