"""Content-Security-Policy (内容安全策略) on every answer.

The pages load script and style from our own origin only and carry no inline script,
no inline event handler and no inline style, so the policy can forbid all three: text
that ever slipped into a page unescaped (an enterprise name, a review comment) could
not run, load from elsewhere, or post a form to another site. Django 5.2 has no CSP of
its own (6.0 will); this is the whole of it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
