"""熔断 — each department's circuit breaker: an outage only delays (DESIGN.md §2).

After ``YILIAN_DEPARTMENT_CIRCUIT_FAILURES`` transient failures in a row (any of the
department's steps) its circuit **opens**: its steps are no longer asked but wait
(:func:`defer_for`, called by the engine's claim), and failures while it is open never
make a step wait for a person. The sweeper's :func:`probe` asks an open department's
health check every ``YILIAN_DEPARTMENT_PROBE_SECONDS``; when it answers, the circuit
**closes** and every step waiting for it is made ready at once (dispatched on commit),
so a department back after hours resumes within a minute instead of when each step's
own back-off (up to 15 minutes) expires. Any success closes it too.

With no sweeper probing (a worker without ``--beat``), the first step claimed after a
probe was due goes through as the probe (half-open): the circuit still closes.

The engine calls :func:`succeeded` for every step, so it must cost nothing when the
department is well: each process keeps a snapshot of every department's state, read
once a second, and writes ``last_success_at`` at most once a minute.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from yilian.audit.services import record
from yilian.chain import dispatch
from yilian.chain.models import Step, StepStatus
from yilian.departments import registry
from yilian.departments.models import CircuitState, DepartmentHealth

log = logging.getLogger("yilian.departments")

SNAPSHOT_SECONDS = 1.0
SUCCESS_WRITE_SECONDS = 60.0
WELL = (CircuitState.CLOSED, 0)

_lock = threading.Lock()
_snapshot: tuple[float, dict[str, tuple[str, int]]] = (0.0, {})
_success_written: dict[str, float] = {}


def stream_for_department(code: str) -> str:
    return f"department:{code}"


def _states() -> dict[str, tuple[str, int]]:
    global _snapshot
    expires, states = _snapshot
    if expires > time.monotonic():
        return states
    states = {code: (state, failures) for code, state, failures in
              DepartmentHealth.objects.values_list("code", "state", "consecutive_failures")}
    with _lock:
        _snapshot = (time.monotonic() + SNAPSHOT_SECONDS, states)
    return states


def _note(code: str, state: str, failures: int) -> None:
    """What this process just wrote is what it reads next, without waiting a second."""
    global _snapshot
    with _lock:
        expires, states = _snapshot
        _snapshot = (expires, {**states, code: (state, failures)})


def forget() -> None:
    """Drop this process's snapshot (tests; after editing the rows by hand)."""
    global _snapshot
    with _lock:
        _snapshot = (0.0, {})
        _success_written.clear()


def is_open(code: str) -> bool:
    """Whether the department's circuit is open, as this process saw it lately."""
    return _states().get(code, WELL)[0] == CircuitState.OPEN


def any_open() -> bool:
    """Whether any department's circuit is open, as this process saw it lately (the
    claim takes its one-statement path only when none is)."""
    return any(state == CircuitState.OPEN for state, _failures in _states().values())


def _health(code: str) -> DepartmentHealth:
    DepartmentHealth.objects.get_or_create(code=code)
    return DepartmentHealth.objects.select_for_update().get(code=code)


def failed(code: str, error: str) -> bool:
    """A transient failure of one of ``code``'s steps. Returns whether the circuit is
    open now (the failure then only delays the step)."""
    now = timezone.now()
    with transaction.atomic():
        health = _health(code)
        health.consecutive_failures += 1
        health.last_error, health.last_error_at = error[:2000], now
        opened = (health.state == CircuitState.CLOSED
                  and health.consecutive_failures >= settings.DEPARTMENT_CIRCUIT_FAILURES)
        if opened:
            health.state, health.opened_at, health.last_probe_at = CircuitState.OPEN, now, now
            record(stream_for_department(code), "circuit.opened", actor_label="worker",
                   data={"failures": health.consecutive_failures, "error": health.last_error})
            log.warning("department %s: circuit open after %d failures: %s", code,
                        health.consecutive_failures, error)
        health.save()
    _note(code, health.state, health.consecutive_failures)
    return health.state == CircuitState.OPEN


def succeeded(code: str) -> None:
    """The department answered one of its steps. Free when it was well already."""
    if _states().get(code, WELL) != WELL:
        close(code, "success")
        return
    if time.monotonic() - _success_written.get(code, -SUCCESS_WRITE_SECONDS) \
            < SUCCESS_WRITE_SECONDS:
        return
    now = timezone.now()
    if not DepartmentHealth.objects.filter(code=code).update(last_success_at=now):
        DepartmentHealth.objects.get_or_create(code=code, defaults={"last_success_at": now})
    _success_written[code] = time.monotonic()


def close(code: str, via: str) -> list[int]:
    """Close ``code``'s circuit (``via``: "probe", "success", an officer's name) and make
    every step waiting for it ready now. Returns the released step ids."""
    now = timezone.now()
    with transaction.atomic():
        # Only a circuit that was open holds steps back; a closed one with a few
        # failures has steps in their own back-off, which a success must not cut short.
        # Lock order, as everywhere: steps' rows first, then the department's row.
        was_open = DepartmentHealth.objects.filter(code=code,
                                                   state=CircuitState.OPEN).exists()
        released = release(code, now) if was_open else []
        health = _health(code)
        closing = health.state == CircuitState.OPEN  # not already closed by another
        health.state, health.consecutive_failures, health.opened_at = \
            CircuitState.CLOSED, 0, None
        if via == "success":
            health.last_success_at = now
        health.save()
        if closing:
            record(stream_for_department(code), "circuit.closed", actor_label="worker",
                   data={"via": via, "released": len(released)})
            log.warning("department %s is back (%s): circuit closed, %d steps released",
                        code, via, len(released))
    _note(code, CircuitState.CLOSED, 0)
    return released


def release(code: str, now: dt.datetime) -> list[int]:
    """Make ready now every step of ``code`` that waits for a later attempt (retrying,
    or deferred while the circuit was open); they are dispatched on commit."""
    waiting = Step.objects.filter(code=code, status__in=(StepStatus.PENDING,
                                                         StepStatus.RETRYING),
                                  next_attempt_at__gt=now)
    ids = list(waiting.values_list("pk", flat=True))
    if ids:
        Step.objects.filter(pk__in=ids, next_attempt_at__gt=now).update(next_attempt_at=now)
        dispatch.on_commit(ids)
    return ids


def _probe_due(now: dt.datetime) -> Q:
    cutoff = now - dt.timedelta(seconds=settings.DEPARTMENT_PROBE_SECONDS)
    return Q(state=CircuitState.OPEN) & (Q(last_probe_at__isnull=True)
                                         | Q(last_probe_at__lte=cutoff))


def _take_probe(code: str, now: dt.datetime) -> bool:
    """Whether this caller is the one to probe ``code`` now (one probe per period,
    whichever sweeper or worker comes first)."""
    return bool(DepartmentHealth.objects.filter(_probe_due(now), code=code)
                .update(last_probe_at=now))


def probe() -> list[str]:
    """Ask each open department whose probe is due whether it is back; close the
    circuit of those that are. Run by the sweeper. Returns the codes closed."""
    now = timezone.now()
    closed = []
    for code in DepartmentHealth.objects.filter(_probe_due(now)).values_list("code",
                                                                           flat=True):
        if not _take_probe(code, now):
            continue
        try:
            healthy = registry.get(code).health()
        except Exception:  # a probe that cannot even ask says "not yet"
            log.warning("department %s: health check failed", code, exc_info=True)
            healthy = False
        if healthy:
            close(code, "probe")
            closed.append(code)
    return closed


def defer_for(code: str, now: dt.datetime) -> float | None:
    """Called by the claim, in its transaction, when :func:`is_open` said open: the
    seconds the step should wait without being asked, or ``None`` to ask it after all
    (the circuit closed meanwhile, or this step is the due probe)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT state, opened_at FROM departments_departmenthealth "
                       "WHERE code = %s", [code])
        row = cursor.fetchone()
    if row is None or row[0] != CircuitState.OPEN:
        _note(code, CircuitState.CLOSED, 0)
        return None
    if _take_probe(code, now):
        return None
    opened_at = row[1]
    if isinstance(opened_at, str):
        opened_at = dt.datetime.fromisoformat(opened_at)
    if opened_at is not None and timezone.is_naive(opened_at):
        opened_at = timezone.make_aware(opened_at, dt.UTC)
    # The longer the outage, the longer the wait (the probe releases them anyway).
    open_for = (now - opened_at).total_seconds() if opened_at else 0.0
    return min(900.0, max(settings.DEPARTMENT_PROBE_SECONDS, open_for))
