"""A chain's per-step cost without workers, queues or load: ``engine.drain()`` of N
submitted chains in this one thread, on the configured database (docs/BENCHMARKS.md).

    .venv/bin/python bench/drain.py 150                   # CPU ms per chain (SQLite)
    .venv/bin/python bench/drain.py 30 --statements       # and the statements per chain
    .venv/bin/python bench/drain.py 100 --profile out.prof  # and a cProfile of the drain

Run it with a fresh ``YILIAN_DATA_DIR`` (and ``YILIAN_DATABASE_URL`` for PostgreSQL, with
the shared keys a shared database needs); zero-latency simulators. Process CPU time is
robust to other work on the machine in a way that chains per second is not.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import chain as bench  # noqa: E402  (the bench's helpers: drafts, submission)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chains", type=int)
    parser.add_argument("--statements", action="store_true",
                        help="count the SQL statements per chain, by kind")
    parser.add_argument("--profile", help="write a cProfile of the drain to this file")
    args = parser.parse_args()
    os.environ.setdefault("YILIAN_SIM_LATENCY_MS", "0")
    os.environ.setdefault("YILIAN_SIM_FAILURE_RATE", "0")
    os.environ.setdefault("YILIAN_MAX_NAMES_PER_ACCOUNT", "1000000")
    bench._setup_django()
    from django.conf import settings
    from django.db import connection, reset_queries

    from yilian.chain import engine

    user, drafts = bench._drafts(args.chains)
    bench._submit(user, drafts, None)
    settings.DEBUG = args.statements  # Django keeps the statements only with DEBUG
    reset_queries()
    # A CPU-time clock: waiting for PostgreSQL is not what the profile is after.
    profile = cProfile.Profile(time.process_time) if args.profile else None
    backend = _backend_cpu()
    cpu, wall = time.process_time(), time.perf_counter()
    if profile:
        profile.enable()
    steps = engine.drain()
    if profile:
        profile.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    backend = _backend_cpu() - backend
    n = args.chains
    print(f"{connection.vendor}: {n} chains, {steps} steps, {cpu * 1000 / n:.2f} ms CPU per "
          f"chain ({wall * 1000 / n:.2f} ms wall), load average {os.getloadavg()[0]:.1f}"
          + (f"; its PostgreSQL backend {backend * 1000 / n:.2f} ms CPU per chain"
             if connection.vendor == "postgresql" else ""))
    if args.statements:
        kinds = Counter(re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]).strip().split("\n")[0][:100]
                        for q in connection.queries)
        print(f"{len(connection.queries) / n:.1f} statements per chain")
        for kind, count in kinds.most_common():
            print(f"{count / n:6.2f}  {kind}")
    if profile:
        profile.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(40)
    return 0


def _backend_cpu() -> float:
    """CPU seconds of the PostgreSQL server process serving this one (0 on SQLite)."""
    import costs
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return costs.cpu_seconds(pids=[cursor.fetchone()[0]])


if __name__ == "__main__":
    sys.exit(main())
