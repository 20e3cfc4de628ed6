"""Where a benchmark's time goes (bench/chain.py): CPU seconds of whole processes, read
from /proc (no extra dependency), and wall time spent inside department calls."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids=(), sessions=()) -> float:
    """User + system CPU of the processes ``pids`` and of every live process in the
    sessions ``sessions`` (a process started with ``start_new_session`` leads its own:
    a Celery worker with its pool, a department system)."""
    pids, sessions = set(pids), set(sessions)
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command may hold spaces and parentheses: fields start after the last ')'.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        # state ppid pgrp session … utime (14th field overall) stime (15th)
        if int(entry.name) in pids or int(fields[3]) in sessions:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / TICK


class DepartmentCalls:
    """Wall time inside every department's ``submit`` and ``submit_batch`` in this
    process (the simulator's ledger write in-process; the HTTP round trip and the
    department's work over the network), summed over the worker threads; ``count`` is
    steps asked, ``requests`` the calls that asked them."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self.requests = 0
        self._lock = threading.Lock()

    def install(self) -> DepartmentCalls:
        from yilian.departments import registry

        for department in registry.departments().values():
            department.submit = self._timed(department.submit)
            # A batch ask (several steps, one request) counts once per step it carries.
            department.submit_batch = self._timed(department.submit_batch, len)
        return self

    def reset(self) -> None:
        with self._lock:
            self.seconds, self.count, self.requests = 0.0, 0, 0

    def _timed(self, submit, steps=lambda request: 1):
        def timed(request):
            started = time.perf_counter()
            try:
                return submit(request)
            finally:
                spent = time.perf_counter() - started
                with self._lock:
                    self.seconds += spent
                    self.count += steps(request)
                    self.requests += 1

        return timed
