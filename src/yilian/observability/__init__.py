"""Operating Yilian (运维观测): probes (/healthz, /readyz), JSON logs with the request id
and the step being worked, Prometheus metrics (/metrics), Sentry, and answering 503
while the database is down. See README (Operations) and DESIGN.md §5."""

from django.db import InterfaceError, OperationalError

# Errors that mean "the database cannot be reached now", not a bug: answered 503 with
# Retry-After (yilian.views.service_unavailable), never 500.
DATABASE_DOWN = (OperationalError, InterfaceError)
