"""The outermost middleware: probes and metrics answered before anything else, the
request id set for every log line, each request counted and timed (and written to the
access log in production), and a database outage answered 503 instead of 500.

It comes first in ``MIDDLEWARE`` because probes and Prometheus reach a pod by its IP over
plain HTTP: the HTTPS redirect (SecurityMiddleware) and the host check (CommonMiddleware,
``ALLOWED_HOSTS``) must not stand in their way. The probes say nothing sensitive; the
metrics are kept to the allowed networks or a bearer token (:func:`may_read_metrics`).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from yilian.observability import DATABASE_DOWN, health, logs, metrics

access_log = logging.getLogger("yilian.access")

HEALTH_PATH, READY_PATH, METRICS_PATH = "/healthz", "/readyz", "/metrics"


def healthz(request: HttpRequest) -> HttpResponse:
    """Alive: this process answers. Nothing else is asked, so a database outage does
    not get every pod restarted."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    parts = health.readiness()
    failing = sorted(name for name, state in parts.items() if state != "ok")
    body = {"status": "failing" if failing else "ok", "checks": parts, "failing": failing}
    response = JsonResponse(body, status=503 if failing else 200)
    response._has_been_logged = True  # said above at WARNING; no ERROR line per probe
    return response


def may_read_metrics(request: HttpRequest) -> bool:
    """The bearer token (``YILIAN_METRICS_TOKEN``), or a direct connection from an
    allowed network (``YILIAN_METRICS_NETWORKS``). A request that came through a proxy
    (X-Forwarded-For / Forwarded) is never "direct": behind a reverse proxy on the same
    host every visitor would otherwise look like 127.0.0.1."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_NETWORKS)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        return JsonResponse({"detail": "forbidden"}, status=403)
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)


OPERATIONS = {HEALTH_PATH: healthz, READY_PATH: readyz, METRICS_PATH: metrics_view}
_QUIET = set(OPERATIONS)  # probes every few seconds would drown the access log


class OperationsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request.id = logs.incoming_request_id(request.headers.get("X-Request-ID"))
        token = logs.request_id.set(request.id)
        try:
            operation = OPERATIONS.get(request.path_info.rstrip("/") or "/")
            if operation and request.method in ("GET", "HEAD"):
                view = operation.__name__
                response = operation(request)
                # Answered before SecurityMiddleware: its headers that matter here.
                response["X-Content-Type-Options"] = "nosniff"
                response["Cache-Control"] = "no-store"
            else:
                _tag_sentry(request.id)
                response = self.get_response(request)
                match = getattr(request, "resolver_match", None)
                view = (match.view_name if match else "") or "none"
            response["X-Request-ID"] = request.id
            seconds = time.perf_counter() - started
            metrics.observe_request(view, request.method, response.status_code, seconds)
            if settings.ACCESS_LOG and request.path_info not in _QUIET:
                _log_access(request, response, seconds)
            return response
        finally:
            logs.request_id.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A view that met the database down: 503, not 500 (nothing is logged as an
        error — the outage is logged once per request at WARNING)."""
        if isinstance(exception, DATABASE_DOWN):
            from yilian.views import service_unavailable

            return service_unavailable(request)
        return None


def _log_access(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
    ms = round(seconds * 1000, 1)
    access_log.info("%s %s %s %sms", request.method, request.path, response.status_code, ms,
                    extra={"method": request.method, "path": request.path,
                           "status": response.status_code, "duration_ms": ms,
                           "remote_addr": request.META.get("REMOTE_ADDR", "")})


def _tag_sentry(request_id: str) -> None:
    if settings.SENTRY_DSN:
        from yilian.observability import sentry

        sentry.tag("request_id", request_id)
