"""Load test of the submit API on PostgreSQL, with a real load generator (docs/BENCHMARKS.md).

    .venv/bin/python bench/load.py                  # 50, 100, 200 submissions/s, 20 s each
    .venv/bin/python bench/load.py --rates 200 --duration 60
    .venv/bin/python bench/load.py --profile 300    # cProfile of the submit view, in-process

Yilian runs as production runs it: ``yilian serve`` (gunicorn, its default number of
worker processes for this machine) on PostgreSQL with the Celery broker on Redis, the
shared keys given. The chain workers are not started: each submission's first step waits
in Redis, so the figures are the submission's own (validate, names check and
reservation, admission rules, acceptance, chain creation, audit, the queue message).

The load generator is Debian's ``wrk`` with bench/load_submit.lua, which keeps a constant
rate (wrk alone sends as fast as its connections allow). Each request submits a
different application (``POST /api/v1/applications/{id}/submit/``) with its applicant's
bearer token (``accounts.tokens.issue``, what ``POST /api/v1/auth/token/`` answers after
the password check). The applications are prepared once, untimed, into
``<database>_prepared`` — complete drafts of docs/examples/application.json, each under
its own name, every party confirmed, three to an applicant (an account holds three names
at most) — and each run starts from a copy of that database.

Per rate: the rate wrk reached, latency p50/p90/p99/max, answers other than 202 and
socket errors, the submissions the database holds as accepted afterwards, CPU ms per
submission (the web server's processes, and the PostgreSQL backends serving them;
Redis not counted) and the machine's load (what every other process used meanwhile).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import costs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "application.json"
SCRIPT = Path(__file__).resolve().parent / "load_submit.lua"
YILIAN = ROOT / ".venv" / "bin" / "yilian"
PG = "postgres://postgres:postgres@127.0.0.1:5432"


# --- the environment: production settings on our own database and Redis db -------------

def environment(args, work: Path, database: str) -> dict[str, str]:
    """Production settings on our own database and Redis db; the keys are kept in
    ``work`` so that a prepared database serves any number of runs."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key_file, secret_file = work / "signing-key.pem", work / "secret-key"
    if not key_file.exists():
        key_file.write_bytes(ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        secret_file.write_text(secrets.token_urlsafe(50))
    data_dir = Path(tempfile.mkdtemp(prefix="data-", dir=work))
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yilian.settings",
        "YILIAN_DATA_DIR": str(data_dir),
        "YILIAN_DATABASE_URL": f"{PG}/{database}",
        "YILIAN_BROKER_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "YILIAN_SECRET_KEY_FILE": str(secret_file),
        "YILIAN_SIGNING_KEY_FILE": str(key_file),
        "YILIAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def fresh_database(name: str, template: str | None = None) -> None:
    create = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', create):
        subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True)


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(YILIAN), "manage", "migrate", "--noinput", "-v", "0"], env=env,
                   check=True)


def prepare(args, work: Path, total: int) -> list[str]:
    """``total`` applications ready to submit in the database ``<database>_prepared``,
    kept with their "id token" lines in ``work``: each run starts from a copy of it
    (``CREATE DATABASE … TEMPLATE``), so runs compare on the same applications and the
    slow preparation is paid once. ``--prepare`` makes it afresh."""
    lines_file = work / "drafts.txt"
    prepared = f"{args.database}_prepared"
    exists = subprocess.run(["psql", f"{PG}/postgres", "-Atc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{prepared}'"],
                            check=True, capture_output=True, text=True).stdout.strip()
    if exists and lines_file.exists() and not args.prepare:
        lines = lines_file.read_text().splitlines()
        if len(lines) >= total:
            return lines
    env = environment(args, work, prepared)
    fresh_database(prepared)
    migrate(env)
    print(f"preparing {total} applications in {prepared} ...", flush=True)
    # Slices of whole applicants, one process each.
    size = -(-total // args.prepare_processes // args.per_applicant) * args.per_applicant
    slices = [(first, min(size, total - first)) for first in range(0, total, size)]
    children = [subprocess.Popen([sys.executable, __file__, "--child-prepare", str(first),
                                  str(count), str(args.per_applicant),
                                  str(work / f"drafts-{first}.txt")], env=env)
                for first, count in slices]
    if any([child.wait() for child in children]):
        raise SystemExit("preparing the applications failed")
    lines = [line for first, _ in slices
             for line in (work / f"drafts-{first}.txt").read_text().splitlines()]
    lines_file.write_text("".join(f"{line}\n" for line in lines))
    return lines


# --- child: prepares the applications inside a configured Django ----------------------

# Sixteen characters of sixteen readings (yilian.registry.synthetic.DISTINCT): four of
# them make 65,536 trade names (字号) that clash with none of the others by any name rule.
def trade_name(i: int) -> str:
    from yilian.registry.synthetic import DISTINCT

    return "".join(DISTINCT[(i // len(DISTINCT) ** k) % len(DISTINCT)] for k in (3, 2, 1, 0))


def child_prepare(first: int, count: int, per_applicant: int, out: Path) -> None:
    """Applications ``first`` .. ``first + count - 1``: complete drafts, each under its own
    name, every party confirmed, ``per_applicant`` to an applicant (an account may hold
    three names at once), with a bearer token for each applicant (``tokens.issue``, what
    the token endpoint calls after checking the password); one "id token" line each."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from yilian.accounts import tokens
    from yilian.forms import consent, parties, services

    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    started = time.monotonic()
    user = key = None
    with out.open("w") as lines:
        for done, i in enumerate(range(first, first + count), start=1):
            if user is None or i % per_applicant == 0:
                user = get_user_model().objects.create_user(
                    f"load-applicant-{i // per_applicant}", password=None)
                key, _ = tokens.issue(user)
            name = f"威海{trade_name(i)}科技有限公司"
            draft = services.create_draft(user, {**data, "name": name})
            for party in parties.sync(draft):
                consent._confirm(party, None, "code")
            lines.write(f"{draft.pk} {key}\n")
            if done % 500 == 0 or done == count:
                print(f"  {done}/{count} drafts ({done / (time.monotonic() - started):.0f}/s)",
                      flush=True)


def child_profile(count: int, out: Path) -> None:
    """The submit view under cProfile, in this process (Django's test client, the same
    middleware and view as over HTTP): ``count`` submissions of prepared drafts."""
    import cProfile
    import pstats

    import django

    django.setup()
    from django.test import Client

    child_prepare(0, count, 3, out)
    client = Client(HTTP_HOST="127.0.0.1")
    targets = [line.split() for line in out.read_text().splitlines()]

    def submit(pk: str, key: str) -> None:
        answer = client.post(f"/api/v1/applications/{pk}/submit/", b'{"pledge": true}',
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert answer.status_code == 202, answer.content.decode()

    for pk, key in targets[:10]:  # imports, caches, the name index: not a submission's cost
        submit(pk, key)
    cpu = time.process_time()
    for pk, key in targets[10:-count // 2]:
        submit(pk, key)
    cpu = (time.process_time() - cpu) * 1000 / len(targets[10:-count // 2])
    print(f"{cpu:.1f} ms CPU per submission without the profiler")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        submit(*targets[-1])
    print(f"{len(queries)} queries in one submission:")
    for query in queries:
        print("   ", (query["sql"] or "(prepared)")[:160])
    # CPU time, not wall time: on a shared machine waiting says little.
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for pk, key in targets[-count // 2:-1]:
        submit(pk, key)
    profile.disable()
    profile.dump_stats(str(out.with_suffix(".prof")))
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)


# --- parent: the server, wrk, what it cost -------------------------------------------

def start_server(args, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [str(YILIAN), "serve", "--host", "127.0.0.1", "--port", str(args.port)]
    if args.web_workers:
        command += ["--workers", str(args.web_workers)]
    if args.web_threads:
        command += ["--threads", str(args.web_threads)]
    server = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"yilian serve exited: see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/readyz", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"yilian serve not ready in 120 s: see {log}")


def postgres_backends(database: str) -> list[int]:
    out = subprocess.run(["psql", f"{PG}/postgres", "-Atc",
                          f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'"],
                         check=True, capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of every CPU since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def submitted_count(database: str, ids: list[str]) -> int:
    return sum(n for status, n in count_accepted(database, ids).items() if status != "draft")


def count_accepted(database: str, ids: list[str]) -> dict[str, int]:
    values = ",".join(f"'{pk}'" for pk in ids) or "NULL"
    out = subprocess.run(
        ["psql", f"{PG}/{database}", "-Atc",
         f"SELECT status, count(*) FROM forms_application WHERE id::text IN ({values}) "
         "GROUP BY status"], check=True, capture_output=True, text=True).stdout
    return {line.split("|")[0]: int(line.split("|")[1]) for line in out.split()}


def run_rate(args, rate: int, duration: int, targets: list[str], work: Path,
             server: subprocess.Popen) -> dict:
    path = work / f"targets-{rate}-{duration}.txt"
    path.write_text("".join(f"{line}\n" for line in targets))
    connections = max(args.threads, rate // 2)
    command = ["wrk", "-t", str(args.threads), "-c", str(connections), "-d", f"{duration}s",
               "--timeout", "10s", "-s", str(SCRIPT), f"http://127.0.0.1:{args.port}",
               "--", str(rate), str(path), str(args.threads)]
    load_before = os.getloadavg()
    backends_before = {pid: costs.cpu_seconds(pids=[pid])
                       for pid in postgres_backends(args.database)}
    web_before = costs.cpu_seconds(sessions=[server.pid])
    busy_before, total_before = machine_ticks()
    wall = time.monotonic()
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Requests still in the server when wrk stopped finish (their answers are not
    # timed); their cost is counted, so they count as submissions too.
    ids = [t.split()[0] for t in targets]
    submitted, settled = submitted_count(args.database, ids), time.monotonic() + 60
    while time.monotonic() < settled:
        time.sleep(1)
        now = submitted_count(args.database, ids)
        if now == submitted:
            break
        submitted = now
    busy_after, total_after = machine_ticks()
    wall = time.monotonic() - wall
    web = costs.cpu_seconds(sessions=[server.pid]) - web_before
    # A backend opened during the run counts from zero; none closes meanwhile
    # (CONN_MAX_AGE 60 keeps a thread's connection).
    backends = sum(costs.cpu_seconds(pids=[pid]) - backends_before.get(pid, 0.0)
                   for pid in postgres_backends(args.database))
    line = next(x for x in result.stdout.splitlines() if x.startswith("WRK-JSON "))
    wrk = json.loads(line.removeprefix("WRK-JSON "))
    sent = wrk["requests"]
    accepted = count_accepted(args.database, ids)
    submitted = sum(n for status, n in accepted.items() if status != "draft")
    ok = wrk["statuses"].get("202", 0)
    done = max(submitted, 1)
    cores = os.cpu_count() or 1
    machine = (busy_after - busy_before) / costs.TICK
    generator = (wrk_after.ru_utime + wrk_after.ru_stime
                 - wrk_before.ru_utime - wrk_before.ru_stime)
    lat = wrk["latency_us"]
    return {
        "rate": rate, "duration_s": duration, "connections": connections,
        "achieved_per_s": round(sent / (wrk["duration_us"] / 1e6), 1),
        "requests": sent, "answers_202": ok,
        "other_answers": {k: v for k, v in wrk["statuses"].items() if k != "202"},
        "socket_errors": {k: v for k, v in wrk["errors"].items() if v},
        "after_targets": wrk["after_targets"],
        "accepted_in_database": accepted.get("accepted", 0),
        "latency_ms": {k: round(v / 1000, 1) for k, v in lat.items()},
        "submitted_in_database": submitted,
        "cpu_ms_per_submission": {
            "web": round(web * 1000 / done, 2),
            "postgres": round(backends * 1000 / done, 2),
            "total": round((web + backends) * 1000 / done, 2),
            "load generator": round(generator * 1000 / done, 2),
        },
        "machine": {
            "load_average_before": [round(x, 2) for x in load_before],
            "cpu_busy_share": round(machine / ((total_after - total_before) / costs.TICK), 3),
            # Whatever else ran meanwhile (other sessions, Redis, PostgreSQL's own
            # background work), in cores.
            "others_cores": round(max(0.0, machine - web - backends - generator) / wall, 2),
            "cores": cores,
        },
        "samples": wrk["samples"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="50,100,200", help="submissions/s, comma-separated")
    parser.add_argument("--duration", type=int, default=20, help="seconds per rate")
    parser.add_argument("--warmup", type=int, default=5,
                        help="seconds before measuring (not reported): each server "
                             "process's first requests load what it imports lazily")
    parser.add_argument("--warmup-rate", type=int, default=0,
                        help="submissions/s while warming up (default: the first rate)")
    parser.add_argument("--web-workers", type=int, default=0,
                        help="gunicorn processes (default: yilian serve's, 2 x cores + 1)")
    parser.add_argument("--web-threads", type=int, default=0,
                        help="threads per gunicorn process (default: yilian serve's)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--per-applicant", type=int, default=3,
                        help="applications per applicant (an account holds 3 names at most)")
    parser.add_argument("--prepare-processes", type=int, default=2)
    parser.add_argument("--port", type=int, default=18600)
    parser.add_argument("--database", default="yl_submitload")
    parser.add_argument("--redis-db", type=int, default=6)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead: profile N submissions in-process (cProfile)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--work", help="keys, prepared lines (default /tmp/yilian-load-DB)")
    parser.add_argument("--prepare", action="store_true",
                        help="prepare the applications afresh even if a prepared copy exists")
    parser.add_argument("--prepare-only", action="store_true",
                        help="prepare (or check) the applications for these rates, run nothing")
    parser.add_argument("--child-prepare", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        first, count, per_applicant, out = args.child_prepare
        return child_prepare(int(first), int(count), int(per_applicant), Path(out))
    if args.child_profile:
        return child_profile(int(args.child_profile[0]), Path(args.child_profile[1]))
    if not shutil.which("wrk") and not args.profile:
        raise SystemExit("wrk is needed: apt-get install wrk")

    rates = [int(r) for r in args.rates.split(",")]
    work = Path(args.work or f"/tmp/yilian-load-{args.database}")
    work.mkdir(exist_ok=True)
    if args.profile:
        env = environment(args, work, args.database)
        fresh_database(args.database)
        migrate(env)
        subprocess.run([sys.executable, __file__, "--child-profile", str(args.profile + 10),
                        str(work / "profiled.txt")], env=env, check=True)
        return
    # Enough for every phase at its rate, and some to spare for wrk's last slots.
    warmup = [(args.warmup_rate or rates[0], args.warmup)] if args.warmup else []
    phases = warmup + [(r, args.duration) for r in rates]
    need = [int(rate * duration * 1.02) + 20 for rate, duration in phases]
    lines = prepare(args, work, sum(need))
    if args.prepare_only:
        return
    fresh_database(args.database, template=f"{args.database}_prepared")
    env = environment(args, work, args.database)
    # A database prepared by an older checkout lacks the newer tables (every submission
    # answered 500 when the closing app came): bring the copy up to this code first.
    migrate(env)
    server = start_server(args, env, Path(env["YILIAN_DATA_DIR"]) / "server.log")
    results = []
    try:
        for (rate, duration), n in zip(phases, need, strict=True):
            targets, lines = lines[:n], lines[n:]
            result = run_rate(args, rate, duration, targets, Path(env["YILIAN_DATA_DIR"]),
                              server)
            result["phase"] = "warmup" if args.warmup and not results else "measured"
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            time.sleep(3)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        subprocess.run(["redis-cli", "-n", str(args.redis_db), "flushdb"],
                       capture_output=True, check=False)
    measured = [r for r in results if r["phase"] == "measured"]
    print("\n| rate/s | reached/s | p50 ms | p90 ms | p99 ms | max ms | errors | accepted/"
          "submitted | CPU ms/submission: web | PostgreSQL | total | load avg | others' cores |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in measured:
        lat, cpu = r["latency_ms"], r["cpu_ms_per_submission"]
        errors = sum(r["other_answers"].values()) + sum(r["socket_errors"].values())
        print(f"| {r['rate']} | {r['achieved_per_s']} | {lat['p50']} | {lat['p90']} | "
              f"{lat['p99']} | {lat['max']} | {errors} | {r['accepted_in_database']}"
              f"/{r['submitted_in_database']} | {cpu['web']} | {cpu['postgres']} | "
              f"{cpu['total']} | "
              f"{r['machine']['load_average_before'][0]} | {r['machine']['others_cores']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    shutil.rmtree(env["YILIAN_DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
