"""Simulated departments: real behaviour without the real systems.

Each simulated call can be slow (latency), fail (a transient error *before* the
department acted, or a lost reply *after* it acted — the case idempotency exists for),
or meet an outage window. Effects are written to the ledger (:class:`Effect`) once per
idempotency key, with reference numbers derived from the ledger row's serial, so they
are unique by construction and guarded by a unique constraint.

Configuration comes from settings (``YILIAN_SIM_*``) with what operators changed while
running over it (:mod:`yilian.departments.simconfig`: the admin, ``yilian simulate``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from yilian.db import prepared
from yilian.departments import simconfig
from yilian.departments.base import Department, Outcome, StepRequest, TransientError
from yilian.departments.models import Effect
from yilian.departments.queries import Answer, QueryService

_rng_lock = threading.Lock()
_rng = random.Random(settings.SIMULATOR.get("seed") or None)


def _draw() -> float:
    with _rng_lock:
        return _rng.random()


def reach(code: str, name_en: str) -> simconfig.SimulatorConfig:
    """The way to a simulated department, as configured now: wait its latency, raise
    ``TransientError`` inside one of its outage windows; return the configuration (the
    caller draws its failures from it)."""
    config = simconfig.current()
    low, high = config.latency
    if high > 0:
        time.sleep(low + (high - low) * _draw())
    if config.in_outage(code, timezone.now()):
        raise TransientError(f"{name_en} is down (outage window)")
    return config


class SimulatedQuery(QueryService):
    """A query (查询接口) answered in-process, on the same road as the simulated steps:
    latency, outages and transient failures from :func:`simconfig.current`. A query changes
    nothing, so a lost reply is just a failure; subclasses answer in :meth:`answer`."""

    def ask(self, payload: dict[str, Any]) -> Answer:
        config = reach(self.code, self.name_en)
        if _draw() < config.failure_rate:
            raise TransientError(f"{self.name_en}: connection reset")
        return self.answer(payload)

    def answer(self, payload: dict[str, Any]) -> Answer:
        raise NotImplementedError


# A key seen before inserts nothing (and returns no row): no error, so no savepoint.
_EFFECT_INSERT = ("INSERT INTO departments_effect (department, idempotency_key, data, calls, "
                  "created_at) VALUES (%s, %s, '{}', 1, %s) "
                  "ON CONFLICT (department, idempotency_key) DO NOTHING RETURNING id")
_EFFECT_ANSWER = "UPDATE departments_effect SET reference = %s, data = %s WHERE id = %s"

# The ledger rows of the departments asked together, in one statement each way
# (PostgreSQL): every new key's row comes back with its serial (a key seen before does
# not come back, and is then asked as ever); the answers go in at the block's end. The
# arrays are sent in binary (%b): psycopg quotes a text array's every element in Python,
# which for the answers' JSON cost more than the rest of the statement.
_EFFECTS_RESERVE = """
INSERT INTO departments_effect (department, idempotency_key, data, calls, created_at)
SELECT v.department, v.key, '{}', 1, %s
  FROM unnest(%b::text[], %b::text[]) AS v(department, key)
    ON CONFLICT (department, idempotency_key) DO NOTHING
RETURNING id, department, idempotency_key"""
_EFFECTS_ANSWER = """
UPDATE departments_effect e SET reference = v.reference, data = v.data::jsonb
  FROM unnest(%b::bigint[], %b::text[], %b::text[]) AS v(id, reference, data)
 WHERE e.id = v.id"""

_acting = threading.local()


class _Together:
    """The ledger of one :func:`acting_together` block: the rows taken for its keys at
    the start, and the answers written into them at the end."""

    def __init__(self) -> None:
        self.reserved: dict[tuple[str, str], int] = {}
        self.answers: list[tuple[int, str, str]] = []

    def reserve(self, keys: list[tuple[str, str]]) -> None:
        from yilian.departments import registry  # it imports every department

        keys = [(code, key) for code, key in keys
                if isinstance(registry.get(code), SimulatedDepartment)]
        if len(keys) < 2 or connection.vendor != "postgresql":
            return
        with prepared.cursor() as cursor:
            cursor.execute(_EFFECTS_RESERVE, [timezone.now(), [code for code, _ in keys],
                                              [key for _, key in keys]])
            self.reserved = {(code, key): serial for serial, code, key in cursor.fetchall()}

    def take(self, code: str, key: str) -> int | None:
        return self.reserved.pop((code, key), None)

    def write(self) -> None:
        with prepared.cursor() as cursor:
            if self.answers:
                ids, references, data = zip(*self.answers, strict=True)
                cursor.execute(_EFFECTS_ANSWER, [list(ids), list(references), list(data)])
            if self.reserved:  # taken for a department that did not act (an outage)
                cursor.execute("DELETE FROM departments_effect WHERE id = ANY(%b)",
                               [list(self.reserved.values())])


@contextmanager
def acting_together(keys: list[tuple[str, str]] = ()) -> Iterator[None]:
    """The simulated departments asked within this block write their ledgers in one
    transaction (one commit for a chain's six followers, not six: docs/BENCHMARKS.md) —
    what a real department's batch interface does on its side. Given the (department,
    idempotency key) pairs to be asked, their rows are taken in one statement and
    answered in one. A department whose act fails dooms the whole transaction
    (``transaction.get_rollback()``): the caller then lets it roll back and asks each
    again on its own. Nested, the outer block holds."""
    if getattr(_acting, "together", None) is not None:
        yield
        return
    _acting.together = together = _Together()
    try:
        # Inside the caller's transaction, no savepoint: a failed act dooms it all.
        with transaction.atomic(savepoint=False):
            together.reserve(list(keys))
            yield
            together.write()
    finally:
        _acting.together = None


def take_rows(keys: list[tuple[str, str]]) -> None:
    """Inside :func:`acting_together` opened before its keys were known: take their
    ledger rows now (see there)."""
    _acting.together.reserve(keys)


class SimulatedDepartment(Department):
    """A department simulated in-process; subclasses say what the department issues."""

    in_process = True

    def answers_at_once(self) -> bool:
        """Not while configured to take its time (``YILIAN_SIM_LATENCY_MS``): steps
        claimed ahead would wait through every earlier one's latency, their leases
        running out (tests/e2e/test_worker_kill.py, at 100–300 ms a call)."""
        return self.in_process and simconfig.current().latency[1] == 0

    def submit(self, request: StepRequest) -> Outcome:
        config = reach(self.code, self.name_en)
        # Half the failures happen before the department acts, half after it acted but
        # before the reply arrived; a retry with the same key must not act again.
        failure = _draw() < config.failure_rate
        if failure and _draw() < 0.5:
            raise TransientError(f"{self.name_en}: connection reset")
        outcome = self._act_once(request)
        if failure:
            raise TransientError(f"{self.name_en}: reply lost after the request was handled")
        return outcome

    def health(self) -> bool:
        """Up unless inside one of its outage windows (the circuit breaker's probe)."""
        return not simconfig.current().in_outage(self.code, timezone.now())

    def effects(self) -> list[dict[str, Any]]:
        """The ledger's effects of this department, oldest first (对账); like any
        call, it waits the latency and fails in an outage."""
        reach(self.code, self.name_en)
        rows = (Effect.objects.filter(department=self.code).order_by("pk")
                .values_list("idempotency_key", "reference", "created_at", "calls"))
        return [{"key": key, "reference": reference or "", "status": "done",
                 "created_at": created.isoformat(), "calls": calls}
                for key, reference, created, calls in rows.iterator()]

    def _act_once(self, request: StepRequest) -> Outcome:
        # Optimistic: the first call for a key is the common case, so insert first and
        # read the earlier effect when the key's constraint says it exists.
        # In SQL: every step of every chain passes here (docs/BENCHMARKS.md).
        together = getattr(_acting, "together", None)
        serial = together.take(self.code, request.idempotency_key) if together else None
        if serial is not None:
            return self._act_reserved(together, request, serial)
        with transaction.atomic(savepoint=together is None), prepared.cursor() as cursor:
            cursor.execute(_EFFECT_INSERT, [self.code, request.idempotency_key,
                                            connection.ops.adapt_datetimefield_value(
                                                timezone.now())])
            row = cursor.fetchone()
            if row is not None:
                reference, data = self.perform(request, row[0])
                cursor.execute(_EFFECT_ANSWER, [reference, json.dumps(data), row[0]])
                return Outcome(reference, data)
            existing = Effect.objects.select_for_update().get(
                department=self.code, idempotency_key=request.idempotency_key)
            existing.calls += 1
            existing.save(update_fields=["calls"])
        return Outcome(existing.reference, existing.data)

    def _act_reserved(self, together: _Together, request: StepRequest,
                      serial: int) -> Outcome:
        """Act on a new key whose ledger row the block took; the answer is written with
        the others' at its end."""
        try:
            reference, data = self.perform(request, serial)
            together.answers.append((serial, reference, json.dumps(data)))
        except BaseException:
            transaction.set_rollback(True)  # as a failed act in the block's transaction
            raise
        return Outcome(reference, data)

    def act(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        """Do the department's work once; return its reference and what it issued."""
        raise NotImplementedError

    def perform(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        """Act on the request as its ``purpose`` asks: an establishment's :meth:`act`;
        for a change (变更) the department's ``act_change`` when it has one; for a closing
        (注销) its closing act (:mod:`yilian.closing.acts`) where it has one — the same in
        process and behind HTTP (:mod:`yilian.deptsim.service`)."""
        purpose = request.payload.get("purpose") or "establish"
        if purpose == "close":
            from yilian.closing import acts

            done = acts.act(self.code, request, serial)
            if done is not None:
                return done
        # A purpose the department has no act of its own for: it acts as it always did.
        return getattr(self, f"act_{purpose}", self.act)(request, serial)

    def act_change(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        """变更: the department updates its record of the enterprise (单位信息变更)
        with the changed particulars it holds (``payload["changes"]``: each
        ``[before, after]``); a department that issues something anew for a change
        overrides this."""
        changes = request.payload.get("changes") or {}
        if not isinstance(changes, dict) or not changes:
            raise ValueError("changes: the changed particulars this department holds")
        return f"BG{local_today():%Y%m%d}{serial:08d}", {
            "uscc": request.uscc, "updated": sorted(changes),
            "name": request.payload.get("name", "")}


def local_today() -> dt.date:
    return timezone.localdate()


def stamp(serial: int, width: int = 8) -> str:
    return f"{serial:0{width}d}"
