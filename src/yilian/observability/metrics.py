"""Prometheus metrics (监控指标) at ``/metrics``.

Two kinds:

* Counted where they happen, in the process that does the work: requests by view and
  status and their latency (the web processes), department calls by outcome and their
  duration, retries (whoever runs steps: the embedded worker or Celery). Several
  processes (gunicorn workers, Celery's pool) are added up by prometheus_client's
  multiprocess mode when ``PROMETHEUS_MULTIPROC_DIR`` names a directory they share.
* Read from the database at scrape time (:class:`ChainCollector`): steps by department
  and status, steps past the SLA, chains finished late, and the queue lag — the age of
  the oldest step that is ready and not yet taken. These are true in any process and
  need no sharing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger("yilian.metrics")

REQUESTS = Counter("yilian_http_requests", "HTTP requests answered, by view and status.",
                   ["view", "method", "status"])
REQUEST_SECONDS = Histogram(
    "yilian_http_request_duration_seconds", "Time to answer an HTTP request, by view.",
    ["view"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
ATTEMPTS = Counter("yilian_step_attempts", "Attempts of chain steps, by department and "
                   "outcome (done, transient, permanent, error).", ["department", "outcome"])
RETRIES = Counter("yilian_step_retries", "Attempts that were not a step's first, by "
                  "department.", ["department"])
DEPARTMENT_SECONDS = Histogram(
    "yilian_department_call_duration_seconds", "Time waiting for a department's answer.",
    ["department", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))


def _outcome(error: BaseException | None) -> str:
    from yilian.departments.base import PermanentError, TransientError

    if error is None:
        return "done"
    if isinstance(error, PermanentError):
        return "permanent"
    return "transient" if isinstance(error, TransientError) else "error"


def call_department(code: str, attempt: int, call, *args):
    """``call(*args)`` — a department's answer — counted and timed by outcome; whatever
    it raises is raised on, for the engine to decide."""
    if attempt > 1:
        RETRIES.labels(code).inc()
    started = time.perf_counter()
    error: BaseException | None = None
    try:
        return call(*args)
    except BaseException as exc:
        error = exc
        raise
    finally:
        outcome = _outcome(error)
        ATTEMPTS.labels(code, outcome).inc()
        DEPARTMENT_SECONDS.labels(code, outcome).observe(time.perf_counter() - started)


def count_batch(code: str, attempts: list[int], answers: list, seconds: float) -> None:
    """A batch ask (yilian.chain.batch) counted as :func:`call_department` counts single
    ones: an attempt per step, by its own outcome; each step waited the whole request."""
    for attempt, answer in zip(attempts, answers, strict=True):
        if attempt > 1:
            RETRIES.labels(code).inc()
        outcome = _outcome(answer if isinstance(answer, BaseException) else None)
        ATTEMPTS.labels(code, outcome).inc()
        DEPARTMENT_SECONDS.labels(code, outcome).observe(seconds)


# Labels stay few: a client inventing methods must not invent time series.
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def observe_request(view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view, method if method in _METHODS else "other", str(status)).inc()
    REQUEST_SECONDS.labels(view).observe(seconds)


class ChainCollector:
    """Gauges read from the database when scraped: a few indexed aggregate queries."""

    def collect(self):
        from django.db.models import Count, F, Min, Q
        from django.utils import timezone

        from yilian.chain.models import READY_STATUSES, Chain, Step, StepStatus

        steps = GaugeMetricFamily("yilian_steps", "Chain steps now, by department and "
                                  "status.", labels=["department", "status"])
        overdue = GaugeMetricFamily("yilian_steps_overdue", "Unfinished steps whose chain "
                                    "is past the SLA, by department.", labels=["department"])
        late = GaugeMetricFamily("yilian_chains_overdue", "Chains past the SLA: finished "
                                 "late, or still running after the deadline.",
                                 labels=["state"])
        lag = GaugeMetricFamily("yilian_queue_lag_seconds", "Age of the oldest step that "
                                "is ready and not taken by a worker (0 when none).")
        now = timezone.now()
        try:
            rows = Step.objects.values_list("code", "status").annotate(n=Count("id"))
            for code, status, n in rows.order_by():
                steps.add_metric([code, status], n)
            for code, n in (Step.objects.filter(overdue_at__isnull=False)
                            .exclude(status=StepStatus.DONE).values_list("code")
                            .annotate(n=Count("id")).order_by()):
                overdue.add_metric([code], n)
            counts = Chain.objects.aggregate(
                finished=Count("id", filter=Q(finished_at__gt=F("deadline_at"))),
                running=Count("id", filter=Q(finished_at__isnull=True,
                                             deadline_at__lt=now)))
            late.add_metric(["finished_late"], counts["finished"])
            late.add_metric(["running_late"], counts["running"])
            oldest = Step.objects.filter(status__in=READY_STATUSES,
                                         next_attempt_at__lte=now) \
                .aggregate(oldest=Min("next_attempt_at"))["oldest"]
            lag.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        except Exception:  # a scrape during an outage: the counters still answer
            log.warning("metrics: the database could not be read", exc_info=True)
            return
        yield from (steps, overdue, late, lag)


def registry() -> CollectorRegistry:
    """This process's metrics, or every process's (multiprocess mode), and the
    database's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        MultiProcessCollector(collected)
    else:
        from prometheus_client import REGISTRY

        collected = CollectorRegistry()
        collected.register(_Delegate(REGISTRY))
    collected.register(ChainCollector())
    return collected


class _Delegate:
    """The default registry's metrics, inside a registry of our own (so the database's
    collector is added per scrape, not once per process)."""

    def __init__(self, source) -> None:
        self.source = source

    def collect(self):
        return self.source.collect()


def exposition() -> tuple[bytes, str]:
    return generate_latest(registry()), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """gunicorn's ``child_exit``: a dead worker's live gauges no longer count."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        with contextlib.suppress(Exception):
            multiprocess.mark_process_dead(pid)
