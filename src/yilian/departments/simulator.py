"""Simulated departments: real behaviour without the real systems.

Each simulated call can be slow (latency), fail (a transient error *before* the
department acted, or a lost reply *after* it acted — the case idempotency exists for),
or meet an outage window. Effects are written to the ledger (:class:`Effect`) once per
idempotency key, with reference numbers derived from the ledger row's serial, so they
are unique by construction and guarded by a unique constraint.

Configuration comes from settings (``YILIAN_SIM_*``), read on every call so tests and
operators can change it at run time.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yilian.departments.base import Department, Outcome, StepRequest, TransientError
from yilian.departments.models import Effect
from yilian.departments.queries import Answer, QueryService


@dataclass(frozen=True)
class SimulatorConfig:
    latency: tuple[float, float]  # seconds, uniform range
    failure_rate: float
    outages: dict[str, list[tuple[dt.time, dt.time] | None]]  # None = always down

    @classmethod
    def from_settings(cls) -> SimulatorConfig:
        raw = settings.SIMULATOR
        return cls(
            latency=_parse_latency(str(raw.get("latency_ms", "0"))),
            failure_rate=float(raw.get("failure_rate", 0)),
            outages=_parse_outages(str(raw.get("outages", ""))),
        )

    def in_outage(self, department: str, now: dt.datetime) -> bool:
        local = timezone.localtime(now).time()
        for window in self.outages.get(department, []) + self.outages.get("*", []):
            if window is None:
                return True
            start, end = window
            inside = start <= local < end if start <= end else (local >= start or local < end)
            if inside:
                return True
        return False


def _parse_latency(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    low_ms = float(low or 0)
    return low_ms / 1000, float(high or low_ms) / 1000


def _parse_outages(text: str) -> dict[str, list[tuple[dt.time, dt.time] | None]]:
    """``tax@02:00-03:30;seals@*`` → ``{"tax": [(02:00, 03:30)], "seals": [None]}``."""
    outages: dict[str, list[tuple[dt.time, dt.time] | None]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, _, window = part.partition("@")
        if window in ("", "*"):
            outages.setdefault(name, []).append(None)
            continue
        start, _, end = window.partition("-")
        outages.setdefault(name, []).append(
            (dt.time.fromisoformat(start), dt.time.fromisoformat(end))
        )
    return outages


_rng_lock = threading.Lock()
_rng = random.Random(settings.SIMULATOR.get("seed") or None)


def _draw() -> float:
    with _rng_lock:
        return _rng.random()


def reach(code: str, name_en: str) -> SimulatorConfig:
    """The way to a simulated department, as configured now: wait its latency, raise
    ``TransientError`` inside one of its outage windows; return the configuration (the
    caller draws its failures from it)."""
    config = SimulatorConfig.from_settings()
    low, high = config.latency
    if high > 0:
        time.sleep(low + (high - low) * _draw())
    if config.in_outage(code, timezone.now()):
        raise TransientError(f"{name_en} is down (outage window)")
    return config


class SimulatedQuery(QueryService):
    """A query (查询接口) answered in-process, on the same road as the simulated steps:
    latency, outages and transient failures from ``settings.SIMULATOR``. A query changes
    nothing, so a lost reply is just a failure; subclasses answer in :meth:`answer`."""

    def ask(self, payload: dict[str, Any]) -> Answer:
        config = reach(self.code, self.name_en)
        if _draw() < config.failure_rate:
            raise TransientError(f"{self.name_en}: connection reset")
        return self.answer(payload)

    def answer(self, payload: dict[str, Any]) -> Answer:
        raise NotImplementedError


class SimulatedDepartment(Department):
    """A department simulated in-process; subclasses say what the department issues."""

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

    def _act_once(self, request: StepRequest) -> Outcome:
        # Optimistic: the first call for a key is the common case, so insert first and
        # fall back to reading the earlier effect when the key's constraint says so.
        try:
            with transaction.atomic():
                effect = Effect.objects.create(department=self.code,
                                               idempotency_key=request.idempotency_key)
                reference, data = self.act(request, effect.pk)
                Effect.objects.filter(pk=effect.pk).update(reference=reference, data=data)
            return Outcome(reference, data)
        except IntegrityError:
            pass
        with transaction.atomic():
            existing = Effect.objects.select_for_update().get(
                department=self.code, idempotency_key=request.idempotency_key)
            existing.calls += 1
            existing.save(update_fields=["calls"])
        return Outcome(existing.reference, existing.data)

    def act(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        """Do the department's work once; return its reference and what it issued."""
        raise NotImplementedError


def local_today() -> dt.date:
    return timezone.localdate()


def stamp(serial: int, width: int = 8) -> str:
    return f"{serial:0{width}d}"
