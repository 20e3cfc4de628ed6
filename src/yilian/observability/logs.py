"""Log lines (日志) that say which request and which step they belong to.

Three context variables are set where the work is known — the request id by
:class:`yilian.observability.middleware.RequestContextMiddleware`, the application and
the step by the chain engine around an attempt (:func:`step_context`) — and every record
carries them. In production the records are JSON lines (one object per line, for the log
collector); on the embedded default they stay readable text.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
application_id: contextvars.ContextVar[str] = contextvars.ContextVar("application_id",
                                                                     default="")
step: contextvars.ContextVar[str] = contextvars.ContextVar("step", default="")

# A caller's id is kept when it looks like one (a load balancer's, another agency's
# system's); anything else — too long, spaces, quotes — could forge log lines.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def incoming_request_id(header: str | None) -> str:
    """The id a request is known by: the caller's X-Request-ID when sane, else a new one."""
    if header and _SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def bind_step(application: object, code: str) -> None:
    """Records logged from here on carry the application id and the step (department)
    code, until :func:`unbind_step` (the chain engine: around each attempt)."""
    application_id.set(str(application))
    step.set(code)


def unbind_step() -> None:
    application_id.set("")
    step.set("")


def carried() -> dict[str, str]:
    """Message headers for a queued step: the request that made it ready (submission,
    or a previous step's worker carrying it on), so a chain's log lines share its id."""
    return {"request_id": request_id.get()} if request_id.get() else {}


def received(headers: dict | None) -> None:
    """A worker's task takes on the request id its message carried (or none)."""
    request_id.set(str((headers or {}).get("request_id") or ""))


class ContextFilter(logging.Filter):
    """Copies the context variables onto every record (text formats may use them too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.application_id = application_id.get()
        record.step = step.get()
        return True


# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id",
                                                     "application_id", "step"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the
    request id, application id and step when known; ``extra=`` fields and the traceback
    beside them."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, var in (("request_id", request_id), ("application_id", application_id),
                         ("step", step)):
            value = getattr(record, key, "") or var.get()
            if value:
                line[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def logging_config(json_lines: bool) -> dict:
    """Django's LOGGING: the ``yilian`` loggers at INFO (the access log among them), the
    rest at WARNING, all through one console handler in the chosen format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                                 "formatter": "json" if json_lines else "text"}},
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "yilian": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "celery": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # A line for every task received and every task done cost a worker more than
            # a step's own statements (docs/BENCHMARKS.md); the steps' own log lines and
            # their audit trail say what happened. Failures still log (ERROR).
            "celery.worker.strategy": {"level": "WARNING"},
            "celery.app.trace": {"level": "WARNING"},
        },
    }


def gunicorn_logger_class():
    """gunicorn's logger with our JSON lines on its error log (master and workers alike;
    set up again when gunicorn reopens its logs)."""
    from gunicorn.glogging import Logger

    class JsonLogger(Logger):
        def setup(self, cfg) -> None:
            super().setup(cfg)
            for handler in self.error_log.handlers + self.access_log.handlers:
                handler.setFormatter(JsonFormatter())
                handler.addFilter(ContextFilter())

    return JsonLogger
