"""The reference department's fault settings (故障设置): how slow, unreliable and late it is.

One :class:`Faults` value holds them all; it is set from the command line at start,
changed while running (``PUT /v1/admin/faults``, ``yilian department-sim-set``) and kept
in the department's own database, so a restart keeps what an operator set. Every setting
is written ``key=value`` in the same words everywhere:

============================  =========================================================
``latency_ms=50`` / ``20-80``  wait before answering (ms; a uniform range)
``failure_rate=0.1``           share of requests failing *before* acting (503 or reset)
``lost_reply_rate=0.1``        share of acts whose reply is lost *after* the effect
``outage=now|off|30s|<ISO>``   down until turned off / now / for 30 s / until a time
``outage_windows=02:00-03:30`` daily windows (local time, comma-separated) when down
``async_after=5``              accept and finish S seconds later (0: answer at once)
``callback_delay=1``           seconds between finishing and the first callback
``callback_duplicates=1``      extra deliveries of every callback
``callback_reorder=0.5``       share of callbacks held back a random while (reordering)
``callback_retry=1``           first back-off of a failed delivery (doubling, ≤ 60 s)
``reply_delay_ms=0``           wait after acting, before replying (a callback overtakes)
============================  =========================================================
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

#: Each department's own default for ``async_after``: seals are engraved and delivered,
#: so the seal system accepts and reports later; the others answer at once.
ASYNC_DEFAULTS = {"seals": 5.0}


class BadSetting(ValueError):
    """A setting that cannot be read; ``key`` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class Faults:
    latency_ms: tuple[float, float] = (0.0, 0.0)
    failure_rate: float = 0.0
    lost_reply_rate: float = 0.0
    outage_until: float | None = None  # epoch seconds; math.inf: until turned off
    outage_windows: tuple[tuple[dt.time, dt.time], ...] = ()
    async_after: float = 0.0
    callback_delay: float = 0.0
    callback_duplicates: int = 0
    callback_reorder: float = 0.0
    callback_retry: float = 1.0
    reply_delay_ms: tuple[float, float] = (0.0, 0.0)
    _rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @classmethod
    def for_department(cls, code: str) -> Faults:
        return cls(async_after=ASYNC_DEFAULTS.get(code, 0.0))

    # --- reading and writing -------------------------------------------------------

    def updated(self, settings: dict[str, Any]) -> Faults:
        """A copy with ``settings`` (``{key: value}``, values as text or JSON) applied;
        raises :class:`BadSetting` naming the first key it cannot read."""
        changes: dict[str, Any] = {}
        for key, value in settings.items():
            parse = _PARSERS.get(key)
            if parse is None:
                raise BadSetting(key, f"unknown setting (one of: {', '.join(_PARSERS)})")
            try:
                changes.update(parse(key, str(value).strip()))
            except (ValueError, TypeError) as error:
                raise BadSetting(key, str(error)) from None
        return dataclasses.replace(self, **changes)

    def as_settings(self) -> dict[str, str]:
        """Every setting as the text :meth:`updated` reads back (persisted, shown)."""
        return {
            "latency_ms": _range_text(self.latency_ms),
            "failure_rate": _number(self.failure_rate),
            "lost_reply_rate": _number(self.lost_reply_rate),
            "outage": _outage_text(self.outage_until),
            "outage_windows": ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.outage_windows),
            "async_after": _number(self.async_after),
            "callback_delay": _number(self.callback_delay),
            "callback_duplicates": str(self.callback_duplicates),
            "callback_reorder": _number(self.callback_reorder),
            "callback_retry": _number(self.callback_retry),
            "reply_delay_ms": _range_text(self.reply_delay_ms),
        }

    # --- what they mean now ----------------------------------------------------------

    @property
    def outages(self) -> bool:
        """Whether an outage is set at all (now, until a time, or daily windows)."""
        return self.outage_until is not None or bool(self.outage_windows)

    def down_for(self, now: dt.datetime) -> float | None:
        """Seconds until the outage that holds at ``now`` ends (``None``: up); an outage
        without end says 30, a polite Retry-After."""
        stamp = now.timestamp()
        if self.outage_until is not None and stamp < self.outage_until:
            return 30.0 if math.isinf(self.outage_until) else self.outage_until - stamp
        clock = now.time()
        for start, end in self.outage_windows:
            inside = start <= clock < end if start <= end else (clock >= start or clock < end)
            if inside:
                finish = dt.datetime.combine(now.date(), end, now.tzinfo)
                if finish <= now:
                    finish += dt.timedelta(days=1)
                return (finish - now).total_seconds()
        return None

    def chance(self, rate: float) -> bool:
        return rate > 0 and self._rng.random() < rate

    def pause(self, span: tuple[float, float]) -> None:
        """Sleep a uniform draw from a millisecond range."""
        low, high = span
        if high > 0:
            time.sleep((low + (high - low) * self._rng.random()) / 1000)

    def held_back(self) -> float:
        """Extra seconds a reordered callback waits (0 when it is not reordered)."""
        if not self.chance(self.callback_reorder):
            return 0.0
        return self._rng.uniform(0.2, 2 * self.callback_delay + 2)

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try of a delivery that failed ``attempts`` times."""
        return min(60.0, max(0.05, self.callback_retry) * 2 ** max(0, attempts - 1))


def _number(value: float) -> str:
    return f"{value:g}"


def _range_text(span: tuple[float, float]) -> str:
    low, high = span
    return _number(low) if low == high else f"{_number(low)}-{_number(high)}"


def _outage_text(until: float | None) -> str:
    if until is None:
        return "off"
    if math.isinf(until):
        return "now"
    return dt.datetime.fromtimestamp(until, dt.UTC).isoformat()


def _range(key: str, text: str) -> dict[str, Any]:
    low, _, high = text.partition("-")
    low_ms = float(low or 0)
    high_ms = float(high) if high else low_ms
    if low_ms < 0 or high_ms < low_ms:
        raise ValueError("a range in ms: 50, or 20-80")
    return {key: (low_ms, high_ms)}


def _rate(key: str, text: str) -> dict[str, Any]:
    rate = float(text)
    if not 0 <= rate <= 1:
        raise ValueError("a share between 0 and 1")
    return {key: rate}


def _seconds(key: str, text: str) -> dict[str, Any]:
    seconds = float(text.removesuffix("s"))
    if seconds < 0 or math.isnan(seconds) or math.isinf(seconds):
        raise ValueError("seconds, 0 or more")
    return {key: seconds}


def _count(key: str, text: str) -> dict[str, Any]:
    count = int(text)
    if not 0 <= count <= 10:
        raise ValueError("a whole number from 0 to 10")
    return {key: count}


def _outage(key: str, text: str) -> dict[str, Any]:
    if text in ("", "off", "none"):
        return {"outage_until": None}
    if text == "now":
        return {"outage_until": math.inf}
    if text.endswith("s") and text[:-1].replace(".", "", 1).isdigit():
        return {"outage_until": time.time() + float(text[:-1])}
    until = dt.datetime.fromisoformat(text)
    if until.tzinfo is None:
        raise ValueError("a time with its offset, e.g. 2026-11-29T10:00:00+08:00")
    return {"outage_until": until.timestamp()}


def _windows(key: str, text: str) -> dict[str, Any]:
    windows = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, sep, end = part.partition("-")
        if not sep:
            raise ValueError("windows as HH:MM-HH:MM, comma-separated")
        windows.append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
    return {"outage_windows": tuple(windows)}


_PARSERS = {
    "latency_ms": _range,
    "failure_rate": _rate,
    "lost_reply_rate": _rate,
    "outage": _outage,
    "outage_windows": _windows,
    "async_after": _seconds,
    "callback_delay": _seconds,
    "callback_duplicates": _count,
    "callback_reorder": _rate,
    "callback_retry": _seconds,
    "reply_delay_ms": _range,
}
KEYS = tuple(_PARSERS)
