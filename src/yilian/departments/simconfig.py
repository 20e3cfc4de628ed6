"""The in-process simulators' settings (模拟器设置): latency, failure rate, outage windows.

The environment (``YILIAN_SIM_*``, read into ``settings.SIMULATOR``) gives the defaults;
operators and trainers change them while Yilian runs, in the admin or with ``yilian
simulate`` (:class:`yilian.departments.models.SimulatorSettings`). Every simulated call
reads :func:`current`, which holds the merged configuration for :data:`CACHE_SECONDS`:
one small query a second rather than one per call, and a change reaches every process
within that second.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone

CACHE_SECONDS = 1.0

Outages = dict[str, list[tuple[dt.time, dt.time] | None]]  # None = always down


@dataclass(frozen=True)
class SimulatorConfig:
    latency: tuple[float, float]  # seconds, uniform range
    failure_rate: float
    outages: Outages

    @classmethod
    def from_settings(cls, override=None) -> SimulatorConfig:
        """The environment's configuration, with ``override``'s non-empty fields over it."""
        raw = dict(settings.SIMULATOR)
        for name in ("latency_ms", "failure_rate", "outages"):
            value = getattr(override, name, None)
            if value is not None:
                raw[name] = value
        return cls(
            latency=_parse_latency(str(raw.get("latency_ms") or "0")),
            failure_rate=float(raw.get("failure_rate") or 0),
            outages=_parse_outages(str(raw.get("outages") or "")),
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
    low, _, high = text.strip().partition("-")
    low_ms = float(low or 0)
    return low_ms / 1000, float(high or low_ms) / 1000


def _parse_outages(text: str) -> Outages:
    """``tax@02:00-03:30;seals@*`` → ``{"tax": [(02:00, 03:30)], "seals": [None]}``;
    ``-`` (or nothing) is no outage at all."""
    outages: Outages = {}
    if text.strip() == "-":
        return outages
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, _, window = part.partition("@")
        if window in ("", "*"):
            outages.setdefault(name.strip(), []).append(None)
            continue
        start, _, end = window.partition("-")
        outages.setdefault(name.strip(), []).append(
            (dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip()))
        )
    return outages


def validate_latency(text: str) -> None:
    try:
        low, high = _parse_latency(text)
    except ValueError:
        low, high = -1, -1
    if not (0 <= low <= high <= 60):
        raise ValidationError(
            "时延应为毫秒数或“最小-最大”，如 50 或 20-80（不超过60000） / latency is "
            "milliseconds or min-max, e.g. 50 or 20-80 (at most 60000)", code="latency")


def validate_failure_rate(value: float) -> None:
    if not 0 <= value <= 1:
        raise ValidationError("故障率应在0到1之间 / the failure rate is between 0 and 1",
                              code="failure_rate")


def validate_outages(text: str) -> None:
    try:
        outages = _parse_outages(text)
    except ValueError:
        outages = {"": []}
    if any(not name for name in outages):
        raise ValidationError(
            "停机时段格式：部门@HH:MM-HH:MM 或 部门@*，以分号分隔，“-”表示无 / outages are "
            "department@HH:MM-HH:MM or department@*, separated by ';', '-' for none",
            code="outages")


_lock = threading.Lock()
_cached: tuple[float, dict, SimulatorConfig] | None = None


def current() -> SimulatorConfig:
    """The configuration now: the environment's, with the saved override over it.

    Cached for :data:`CACHE_SECONDS`, and recomputed at once when ``settings.SIMULATOR``
    itself changes (the tests' ``override_settings``)."""
    global _cached
    now = time.monotonic()
    held = _cached
    if held is not None and held[0] > now and held[1] == settings.SIMULATOR:
        return held[2]
    from yilian.departments.models import SimulatorSettings

    try:
        override = SimulatorSettings.objects.filter(pk=1).first()
    except DatabaseError:  # not migrated yet: the environment's settings hold
        override = None
    config = SimulatorConfig.from_settings(override)
    with _lock:
        _cached = (now + CACHE_SECONDS, dict(settings.SIMULATOR), config)
    return config


def forget() -> None:
    """Drop the cached configuration (after a change, and between tests)."""
    global _cached
    with _lock:
        _cached = None
