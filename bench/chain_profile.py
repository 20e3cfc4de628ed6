"""Where a production chain's worker time goes: the Celery task's body, in this process,
on PostgreSQL, without Celery or the broker (docs/BENCHMARKS.md).

    .venv/bin/python bench/chain_profile.py                 # 300 chains timed, 150 profiled
    .venv/bin/python bench/chain_profile.py --chains 600 --database yl_profile

The example application is submitted ``--chains`` times; every message the chain would
send to the broker is kept in a list instead, and handed to the task's body
(``yilian.chain.tasks.run_steps``) in the order sent, as one worker thread would. It
prints the CPU per chain of this process and of its PostgreSQL backend, the statements
one chain makes, then a cProfile of half as many chains (CPU time, not wall time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import costs  # noqa: E402

import chain as bench  # noqa: E402  (bench/chain.py: drafts, fresh database)


def child(args) -> None:
    bench._setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yilian.chain import dispatch, tasks
    from yilian.forms import services

    sent: deque[list[int]] = deque()
    dispatch.publish = lambda ids, delay=0.0: sent.append(list(ids))  # the broker, kept here

    def backend_cpu() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return costs.cpu_seconds(pids=[cursor.fetchone()[0]])

    def submitted(n: int) -> None:
        user, drafts = bench._drafts(n)
        for draft in drafts:
            services.submit_application(draft, user)

    def drain() -> int:
        messages = 0
        while sent:
            tasks.run_steps(sent.popleft())
            messages += 1
        return messages

    submitted(10)
    drain()  # imports, caches, prepared statements: not a chain's cost
    submitted(args.chains)
    cpu, pg = time.process_time(), backend_cpu()
    messages = drain()
    cpu = (time.process_time() - cpu) * 1000 / args.chains
    pg = (backend_cpu() - pg) * 1000 / args.chains
    print(f"{args.chains} chains, {messages / args.chains:.2f} messages a chain: "
          f"{cpu:.2f} ms CPU per chain in the worker, {pg:.2f} ms in its PostgreSQL backend")

    submitted(1)
    # Statements bound on the server (yilian.db.prepared) have no client-side text.
    shown = connection.ops.last_executed_query
    connection.ops.last_executed_query = lambda c, sql, params: shown(c, sql, params) or sql
    with CaptureQueriesContext(connection) as queries:
        drain()
    print(f"{len(queries)} statements in one chain:")
    for query in queries:
        print("   ", " ".join(query["sql"].split())[:150])

    submitted(args.chains // 2)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    drain()
    profile.disable()
    dump = Path(os.environ["YILIAN_DATA_DIR"]) / "chain.prof"
    profile.dump_stats(str(dump))
    print(f"profile written to {dump} (python -m pstats)")
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.lines)
    stats.sort_stats("tottime").print_stats(args.lines // 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chains", type=int, default=300)
    parser.add_argument("--database", default="yilian_bench_profile")
    parser.add_argument("--lines", type=int, default=70)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    env = {**os.environ, "YILIAN_DATA_DIR": tempfile.mkdtemp(prefix="yl-bench-profile-"),
           "YILIAN_SIM_LATENCY_MS": "0", "YILIAN_SIM_FAILURE_RATE": "0",
           "DJANGO_SETTINGS_MODULE": "yilian.settings",
           "YILIAN_MAX_NAMES_PER_ACCOUNT": "1000000",
           "YILIAN_DATABASE_URL": bench._fresh_postgres(args.database),
           "YILIAN_BROKER_URL": "redis://127.0.0.1:6379/14"}
    import secrets

    from yilian.licenses.keys import new_key_pem

    env.setdefault("YILIAN_SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("YILIAN_SIGNING_KEY", new_key_pem().decode())
    subprocess.run([sys.executable, __file__, "--child", "--chains", str(args.chains),
                    "--lines", str(args.lines)], env=env, check=True)


if __name__ == "__main__":
    main()
