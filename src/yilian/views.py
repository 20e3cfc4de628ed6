"""The front page (what Yilian is, for visitors; signed-in users go to their own page),
and the error pages."""

import logging
import sys

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader

from yilian.accounts.permissions import landing_url_name
from yilian.observability import DATABASE_DOWN


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(landing_url_name(request.user))
    return render(request, "yilian/home.html")


# Error pages (handler404 / handler500). Under /api/ the answer is JSON in the API's
# shape, so a client never has to parse an HTML page; elsewhere a page in the reader's
# language (LocaleMiddleware has chosen it by then).

_API = "/api/"
RETRY_AFTER_SECONDS = 30
log = logging.getLogger("yilian.availability")


def _api_error(status: int, code: str, zh: str, en: str) -> JsonResponse:
    from yilian.api.errors import field_error

    return JsonResponse({"errors": [field_error("", code, zh, en)]}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(_API):
        return _api_error(404, "not_found", "未找到", "Not found.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context processors: whatever failed (the database,
    a session) may fail again while the error page is drawn. The database being down is
    no bug: 503 (a middleware's session or user lookup that met it ends here)."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return service_unavailable(request)
    if request.path.startswith(_API):
        return _api_error(500, "server_error", "服务器内部错误，已记录",
                          "internal error; it has been logged")
    return HttpResponseServerError(loader.get_template("500.html").render())


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After while the database cannot be reached: JSON under /api/, a
    page for people (drawn without the database: no context processors)."""
    log.warning("database unavailable: %s %s answered 503", request.method, request.path)
    if request.path.startswith(_API):
        response = _api_error(503, "unavailable", "服务暂时不可用，请稍后再试",
                              "The service is temporarily unavailable; try again later.")
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged above at WARNING: an outage is not an error report (Sentry) per request.
    response._has_been_logged = True
    return response
