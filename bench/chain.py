"""Chain throughput and latency, embedded and on PostgreSQL + Celery, with departments
in-process or over HTTP (docs/BENCHMARKS.md).

    .venv/bin/python bench/chain.py                      # embedded and celery, default sizes
    .venv/bin/python bench/chain.py --mode embedded --chains 500
    .venv/bin/python bench/chain.py --mode celery --workers 2 --concurrency 2
    .venv/bin/python bench/chain.py --mode http          # embedded, departments over HTTP
    .venv/bin/python bench/chain.py --mode http --batch-size 1 --ports 18700-18799

Each mode runs in a child process with its own settings and a fresh database:
*embedded* is the default deployment (SQLite file, in-process worker threads); *celery*
is production (PostgreSQL, Redis, ``yilian worker`` processes). Simulators have zero
latency, so the figures are Yilian's own cost. *http* is the embedded default with every
chain department a reference department system (``yilian department-sim``, zero latency,
answering at once) in its own process, reached over loopback HTTP; a worker asks for
several ready steps of one department in one request (the batch ask,
``YILIAN_DEPARTMENT_BATCH_SIZE``, default 10; ``--batch-size 1``: one step a request).

Three figures per mode:
1. submission — applications submitted (validated, accepted, chain created) per second
   by one client, workers stopped;
2. chain throughput — the workers start on that backlog; chains completed per second
   from the workers' start to the last completion;
3. paced latency — with the workers running, submissions at half the chain throughput;
   chain latency (acceptance to last step, the database's own timestamps) p50/p95/max.

Beside them, for the throughput phase: CPU per chain of every process involved (Yilian's,
the departments', PostgreSQL's backends serving the bench's database; Redis, shared with
other users, is not counted) and the share of the workers' time spent inside department
calls (bench/costs.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import costs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "application.json"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
# The reference department systems' options in the http mode: seals, late by default,
# answer at once here.
DEPARTMENT_OPTIONS = {"seals": {"async_after": "0"}}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- child: runs inside one configured Django -----------------------------------------

def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yilian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


_named = 0


def _drafts(n: int):
    """``n`` drafts of the example, each under its own name (names may not clash)."""
    global _named
    from django.contrib.auth import get_user_model

    from yilian.forms import services
    from yilian.registry.synthetic import distinct_trade_names

    user, _ = get_user_model().objects.get_or_create(username="bench")
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    trades = distinct_trade_names(_named + n)[_named:]
    _named += n
    drafts = [services.create_draft(user, {**data, "name": f"威海{t}科技有限公司"})
              for t in trades]
    for draft in drafts:  # every party confirms (实名确认) before submission, untimed
        _confirm_parties(draft)
    return user, drafts


def _confirm_parties(draft) -> None:
    from yilian.forms import consent, parties

    for party in parties.sync(draft):
        consent._confirm(party, None, "code")


def _wait_finished(apps, timeout: float) -> None:
    from yilian.chain.models import Chain

    ids = [a.pk for a in apps]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Chain.objects.filter(application_id__in=ids, finished_at__isnull=True).exists():
            return
        time.sleep(0.05)
    raise SystemExit(f"chains did not finish within {timeout}s")


def _chain_times(apps) -> tuple[list[float], float]:
    """Each chain's latency, and the span from the first step's start to the last
    completion — both from the database's own timestamps, not the bench's clock."""
    from django.db.models import Max, Min

    from yilian.chain.models import Chain, Step

    ids = [a.pk for a in apps]
    chains = list(Chain.objects.filter(application_id__in=ids))
    latencies = [(c.finished_at - c.accepted_at).total_seconds() for c in chains]
    first = Step.objects.filter(chain__in=chains).aggregate(Min("started_at"))
    last = Chain.objects.filter(pk__in=[c.pk for c in chains]).aggregate(Max("finished_at"))
    span = (last["finished_at__max"] - first["started_at__min"]).total_seconds()
    return latencies, span


def _submit(user, apps, rate: float | None) -> None:
    from yilian.forms import services

    start = time.monotonic()
    for i, app in enumerate(apps):
        if rate:
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        services.submit_application(app, user)


def _cpu_by_process(workers=()) -> dict[str, float]:
    """CPU seconds so far: this process (in the embedded modes, Yilian's worker threads;
    under Celery, only the submitting client), the Celery workers, the departments, and
    on PostgreSQL the server backends of the bench's database."""
    departments = [int(p) for p in os.environ.get("BENCH_DEPARTMENT_PIDS", "").split(",") if p]
    return {"this process": costs.cpu_seconds(pids=[os.getpid()]),
            "celery workers": costs.cpu_seconds(sessions=workers),
            "departments": costs.cpu_seconds(sessions=departments),
            "postgres backends": _postgres_cpu()}


_backends_at_start: dict[int, float] | None = None


def _postgres_cpu() -> float:
    """CPU seconds of this database's server backends since the first reading, backend
    by backend: one that started later counts from its start; one gone by the second
    reading is lost (the workers keep theirs: CELERY_DB_REUSE_MAX)."""
    global _backends_at_start
    now = {pid: costs.cpu_seconds(pids=[pid]) for pid in _postgres_backends()}
    if _backends_at_start is None:
        _backends_at_start = now
        return 0.0
    return sum(cpu - _backends_at_start.get(pid, 0.0) for pid, cpu in now.items())


def _postgres_backends() -> list[int]:
    """The server processes serving this database now; none on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [pid for (pid,) in cursor.fetchall()]


def _phases(args, start_workers, cpu=_cpu_by_process, threads: int = 1) -> dict:
    user, backlog = _drafts(args.chains)
    _, paced = _drafts(args.paced)
    started = time.monotonic()
    _submit(user, backlog, None)
    submit_seconds = time.monotonic() - started

    calls = costs.DepartmentCalls().install()
    before = cpu()
    start_workers()
    _wait_finished(backlog, timeout=600)
    after = cpu()
    call_seconds, call_count, call_requests = calls.seconds, calls.count, calls.requests
    span = _chain_times(backlog)[1]
    throughput = len(backlog) / span
    cpu_ms = {label: round((after[label] - before[label]) * 1000 / len(backlog), 2)
              for label in after if after[label] - before[label] > 0}

    rate = max(1.0, throughput * 0.5)
    _submit(user, paced, rate)
    _wait_finished(paced, timeout=600)
    latencies, _ = _chain_times(paced)
    return {
        "chains": len(backlog),
        "submissions_per_second": round(len(backlog) / submit_seconds, 1),
        "chains_per_second": round(throughput, 1),
        "paced_rate_per_s": round(rate, 1),
        "paced_chains": len(paced),
        "latency_p50_s": round(percentile(latencies, 50), 3),
        "latency_p95_s": round(percentile(latencies, 95), 3),
        "latency_max_s": round(max(latencies), 3),
        "cpu_ms_per_chain": {**cpu_ms, "total": round(sum(cpu_ms.values()), 2)},
        **({  # in this process only: the embedded modes
            "department_call_ms": round(call_seconds * 1000 / call_count, 3),
            # Steps asked per department request (over HTTP, batches: §3a).
            "steps_per_request": round(call_count / call_requests, 2),
            # Of the worker threads' time while draining the backlog, the part inside
            # department calls (waiting on the network, or in-process the simulator's
            # ledger write) — the rest is the engine and its database.
            "department_calls_share": round(call_seconds / (threads * span), 3),
        } if call_count else {}),
    }


def child_embedded(args) -> dict:
    _setup_django()
    from django.conf import settings

    from yilian.runner import EmbeddedWorker

    worker = EmbeddedWorker(settings.EMBEDDED_WORKERS, settings.SWEEP_SECONDS)
    mode = "http" if getattr(settings, "DEPARTMENT_URLS", None) else "embedded"
    return {"mode": mode, "threads": settings.EMBEDDED_WORKERS,
            **_phases(args, worker.start, threads=settings.EMBEDDED_WORKERS)}


def child_celery(args) -> dict:
    _setup_django()
    env = dict(os.environ)
    logs = [Path(env["YILIAN_DATA_DIR"]) / f"worker-{i}.log" for i in range(args.workers)]
    workers: list[subprocess.Popen] = []
    # Each worker's CPU until it said it was ready (Python, Django and Celery starting):
    # a cost per start, not per chain, left out of the throughput phase's figures.
    started: dict[int, float] = {}

    def start_workers() -> None:
        for log in logs:
            cmd = [str(Path(sys.executable).with_name("yilian")), "worker",
                   f"--concurrency={args.concurrency}", f"--pool={args.pool}"]
            workers.append(subprocess.Popen(cmd, env=env, stdout=log.open("ab"),
                                            stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 120
        while len(started) < len(workers) and time.monotonic() < deadline:
            for proc, log in zip(workers, logs, strict=True):
                if proc.pid not in started and b" ready." in log.read_bytes():
                    started[proc.pid] = costs.cpu_seconds(sessions=[proc.pid])
            time.sleep(0.01)

    def cpu() -> dict[str, float]:
        spent = _cpu_by_process([w.pid for w in workers])
        spent["celery workers"] -= sum(started.values())
        return spent

    try:
        result = _phases(args, start_workers, cpu=cpu)
    finally:
        for proc in workers:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=30)
    return {"mode": "celery", "workers": args.workers, "concurrency": args.concurrency,
            "pool": args.pool, **result,
            "worker_start_cpu_s": [round(seconds, 2) for seconds in started.values()]}


# --- parent: one child per mode with its own environment -------------------------------

def _fresh_postgres(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _departments(data_dir: str):
    """Every chain department's reference system on loopback, zero latency, answering at
    once (the bench's embedded Yilian serves no callback endpoint), each with its own
    data dir and secret — the same launcher the network tests use."""
    sys.path.insert(0, str(ROOT))
    from tests.network.departments import Departments

    return Departments(Path(data_dir) / "departments", options=DEPARTMENT_OPTIONS).start()


def run_mode(mode: str, args) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"yl-bench-{mode}-")
    env = {**os.environ, "YILIAN_DATA_DIR": data_dir,
           "YILIAN_SIM_LATENCY_MS": "0", "YILIAN_SIM_FAILURE_RATE": "0",
           "YILIAN_SWEEP_SECONDS": "1", "DJANGO_SETTINGS_MODULE": "yilian.settings",
           # One bench account submits every chain: lift the anti-squatting limit.
           "YILIAN_MAX_NAMES_PER_ACCOUNT": "1000000"}
    departments = None
    if mode in ("embedded", "http"):
        env.update(YILIAN_DATABASE_URL="", YILIAN_BROKER_URL="",
                   YILIAN_EMBEDDED_WORKERS=str(args.threads))
    if args.batch_size is not None:
        env["YILIAN_DEPARTMENT_BATCH_SIZE"] = str(args.batch_size)
    if mode == "http":
        if args.ports:  # free_port() (the departments' launcher) keeps to this range
            os.environ["YILIAN_TEST_PORTS"] = args.ports
        departments = _departments(data_dir)
        env.update(departments.environment(), BENCH_DEPARTMENT_PIDS=",".join(
            str(system.proc.pid) for system in departments.values()))
    if mode == "celery":
        import redis

        redis.Redis.from_url(args.broker).flushdb()
        env.update(YILIAN_DATABASE_URL=_fresh_postgres(args.database),
                   YILIAN_BROKER_URL=args.broker)
        # A shared database needs the shared keys (yilian.production); one pair per run.
        import secrets

        from yilian.licenses.keys import new_key_pem

        env.setdefault("YILIAN_SECRET_KEY", secrets.token_urlsafe(50))
        env.setdefault("YILIAN_SIGNING_KEY", new_key_pem().decode())
    cmd = [sys.executable, __file__, "--child", "celery" if mode == "celery" else "embedded",
           "--chains", str(args.chains), "--paced", str(args.paced),
           "--workers", str(args.workers), "--concurrency", str(args.concurrency),
           "--pool", args.pool]
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    finally:
        if departments is not None:
            departments.close()
    if out.returncode:
        raise SystemExit(f"the {mode} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["embedded", "celery", "http", "both", "all"],
                        default="both", help="both: embedded and celery; all: and http")
    parser.add_argument("--chains", type=int, default=500)
    parser.add_argument("--paced", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2, help="embedded worker threads")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--concurrency", type=int, default=2, help="per Celery worker")
    parser.add_argument("--pool", choices=["threads", "prefork"], default="threads",
                        help="the Celery workers' pool (yilian worker --pool)")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--database", default="yilian_bench",
                        help="PostgreSQL database the celery mode drops and creates")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="steps of one department per request over HTTP "
                             "(YILIAN_DEPARTMENT_BATCH_SIZE; 1: the single ask)")
    parser.add_argument("--ports", default=os.environ.get("YILIAN_TEST_PORTS", ""),
                        help="LOW-HIGH: the http mode's departments listen there "
                             "(machines shared by several runs); default any free port")
    parser.add_argument("--child", choices=["embedded", "celery"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = (child_embedded if args.child == "embedded" else child_celery)(args)
        print(json.dumps(result), flush=True)
        os._exit(0)  # the embedded worker's daemon threads need no goodbye

    modes = {"both": ["embedded", "celery"],
             "all": ["embedded", "celery", "http"]}.get(args.mode, [args.mode])
    for mode in modes:
        result = run_mode(mode, args)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
