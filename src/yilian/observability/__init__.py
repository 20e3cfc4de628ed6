"""Operating Yilian (运维观测): probes (/healthz, /readyz), JSON logs with the request id
and the step being worked, Prometheus metrics (/metrics), Sentry, and answering 503
while the database is down. See README (Operations) and DESIGN.md §5."""
