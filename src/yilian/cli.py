"""The ``yilian`` command: one entry point for every process and tool (DESIGN.md §5)."""

from __future__ import annotations

import argparse
import atexit
import os
import sys

from yilian.audit.cli import add_parser as add_audit_parser
from yilian.deptsim.cli import add_parsers as add_department_parsers
from yilian.licenses.keys_cli import add_parser as add_key_parser


def _django(embedded_migrate: bool = True) -> None:
    """Set Django up; on the embedded default, bring the data dir's database up to date
    so every command works on a fresh machine with nothing run before."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yilian.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # e.g. production without its keys: say so, plainly
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    from django.conf import settings

    if embedded_migrate and settings.EMBEDDED_DATABASE:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ["YILIAN_DEMO"] = "1"
    # A simplified closing is shown end to end at once, not after a 20-day notice.
    os.environ.setdefault("YILIAN_CLOSING_NOTICE_DAYS", "0")
    if args.data_dir:
        os.environ["YILIAN_DATA_DIR"] = args.data_dir
    # Links in the demo's texts and QR codes point at the demo itself, on its own port.
    os.environ.setdefault("YILIAN_PUBLIC_URL", f"http://127.0.0.1:{args.port}")
    if args.http_departments:
        # Before Django reads its settings: they pick the departments from the environment.
        from yilian import conf
        from yilian.deptsim.launch import start_all

        departments = start_all(conf.data_dir(), args.departments_port)
        atexit.register(departments.stop)
        print("Departments over HTTP (reference systems, docs/department-protocol.md):",
              flush=True)
        for code, url in departments.urls.items():
            print(f"  {code:<18} {url}/", flush=True)
    _django()
    from yilian.runner import run_demo

    return run_demo(host="127.0.0.1", port=args.port)


def cmd_serve(args: argparse.Namespace) -> int:
    _django()
    from yilian.runner import run_server

    return run_server(host=args.host, port=args.port, workers=args.workers,
                      threads=args.threads)


def cmd_worker(args: argparse.Namespace) -> int:
    _django()
    from yilian.runner import run_worker

    return run_worker(concurrency=args.concurrency, beat=args.beat, pool=args.pool)


def cmd_manage(args: argparse.Namespace) -> int:
    _django(embedded_migrate=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yilian manage", *args.args])
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from yilian import conf

    if not conf.get_bool("YILIAN_DEMO"):
        # Demo accounts share one published password: never in a real deployment.
        print("yilian seed-demo loads demo accounts with a published password, so it runs "
              "only in demo mode: set YILIAN_DEMO=1 (staging, training)\n"
              "yilian seed-demo 只能在演示模式下运行（设置 YILIAN_DEMO=1）", file=sys.stderr)
        return 1
    _django()
    from yilian.accounts.demo import seed_demo

    for line in seed_demo():
        print(line)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    if args.kind == "name":
        _django()  # the name is checked against the register and the reservations
        from yilian.names.cli import check_name

        return check_name(args.value, args.division, args.org_form, args.parent_uscc)
    from yilian.codes.cli import check

    return check(args.kind, args.value)


def cmd_verify_license(args: argparse.Namespace) -> int:
    from yilian.licenses.cli import verify_license_file

    return verify_license_file(args.file, args.public_key)


def cmd_signing_key(args: argparse.Namespace) -> int:
    from yilian.licenses.keys_cli import run

    return run(args)


def cmd_audit(args: argparse.Namespace) -> int:
    _django()
    from yilian.audit.cli import run

    return run(args)


def cmd_restore_check(args: argparse.Namespace) -> int:
    _django(embedded_migrate=False)  # unapplied migrations are a finding, not a fix
    from yilian.restore_check import main

    return main(sample=args.sample)


def cmd_import_registry(args: argparse.Namespace) -> int:
    _django()
    from yilian.registry.importer import ImportFailed, import_file

    try:
        report = import_file(args.file, show_progress=not args.quiet)
    except (ImportFailed, OSError) as error:
        print(f"cannot import {args.file}: {error}", file=sys.stderr)
        return 2
    print(f"{args.file}: {report.rows} rows ({report.encoding}), {report.imported} imported, "
          f"{len(report.bad)} bad / 共{report.rows}行，导入{report.imported}行，"
          f"错误{len(report.bad)}行")
    for line, reason in report.bad[:args.show]:
        print(f"  line {line}: {reason}")
    if len(report.bad) > args.show:
        print(f"  … and {len(report.bad) - args.show} more bad rows (--show N lists more)")
    _refresh_name_index()
    return 1 if report.bad else 0


def _refresh_name_index() -> None:
    """After a bulk change to the register, write the name index snapshot, so the
    processes that start next load it instead of reading the register."""
    import time

    from yilian.names.services import refresh_snapshot

    started = time.perf_counter()
    built, path = refresh_snapshot()
    print(f"name index: {len(built)} names written to {path} in "
          f"{time.perf_counter() - started:.1f} s / 名称比对索引已更新")


def cmd_gen_registry(args: argparse.Namespace) -> int:
    from yilian.registry import synthetic

    rows = synthetic.generate(args.count, seed=args.seed)
    if args.csv:
        with open(args.csv, "w", encoding="utf-8", newline="") as out:
            count = synthetic.write_csv(rows, out)
        print(f"wrote {count} enterprises to {args.csv}")
        return 0
    _django()
    from yilian.progress import Progress
    from yilian.registry.store import upsert

    progress = Progress(args.count, "generating")
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 5000:
            progress.advance(upsert(batch, source="synthetic"))
            batch = []
    if batch:
        progress.advance(upsert(batch, source="synthetic"))
    progress.close()
    print(f"{args.count} synthetic enterprises in the register")
    _refresh_name_index()
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    _django()
    from yilian.departments.cli import reconcile

    return reconcile(args.code, show=args.show)


def cmd_simulate(args: argparse.Namespace) -> int:
    _django()
    from yilian.departments.cli import simulate

    return simulate(args.latency_ms, args.failure_rate, args.outages, args.reset)


def cmd_config(args: argparse.Namespace) -> int:
    from yilian import conf

    print(conf.describe())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yilian", description="Yilian (一链) — "
                                     "one form, one chain: start a company in one go.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="demo data + web + embedded worker on 127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--data-dir", default="")
    p.add_argument("--http-departments", action="store_true",
                   help="run every department as its own reference system over HTTP")
    p.add_argument("--departments-port", type=int, default=9101,
                   help="first of the departments' consecutive ports (default 9101)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="production web server (gunicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=0,
                   help="web processes (default: 2 x cores + 1; 1 on the embedded database)")
    p.add_argument("--threads", type=int, default=0,
                   help="threads per web process (default: 8)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="production chain worker (Celery)")
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--pool", choices=["threads", "prefork"], default="threads",
                   help="threads (default): the slots are threads of one process, a step "
                   "waits on its department and database, not the CPU; prefork: a process "
                   "per slot, dearer per step (docs/DECISIONS.md)")
    p.add_argument("--beat", action="store_true",
                   help="accepted for old unit files, changes nothing: every worker runs "
                   "the sweeper, one at a time under a lease")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("manage", help="Django management commands")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    p = sub.add_parser("seed-demo", help="load demo data and accounts into the database")
    p.set_defaults(func=cmd_seed_demo)

    p = sub.add_parser("check", help="check: uscc CODE | id NUMBER | name NAME [--division] "
                       "[--org-form] [--parent-uscc]")
    p.add_argument("kind", choices=["uscc", "id", "name"])
    p.add_argument("value")
    p.add_argument("--division", default="371071",
                   help="division code of the registration authority (names only)")
    p.add_argument("--org-form", default=None,
                   help="kind of market entity (kinds.json code) whose name rules apply "
                        "(names only)")
    p.add_argument("--parent-uscc", default="",
                   help="a branch's parent company, by credit code (names only)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("verify-license", help="verify a signed license JSON offline")
    p.add_argument("file")
    p.add_argument("--public-key", help="trust this PEM public key instead of the data dir's")
    p.set_defaults(func=cmd_verify_license)

    add_audit_parser(sub).set_defaults(func=cmd_audit)
    add_key_parser(sub).set_defaults(func=cmd_signing_key)

    p = sub.add_parser("restore-check", help="after restoring a backup: the keys verify the "
                       "stored licenses, the audit trail verifies, migrations are applied "
                       "(exit 0 ok, 1 problems, 2 database unreadable)")
    p.add_argument("--sample", type=int, default=20,
                   help="licenses of each signing key verified in full (default 20)")
    p.set_defaults(func=cmd_restore_check)

    p = sub.add_parser("import-registry", help="import existing enterprises from CSV")
    p.add_argument("file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--show", type=int, default=50, help="bad rows to list (default 50)")
    p.set_defaults(func=cmd_import_registry)

    p = sub.add_parser("gen-registry", help="generate N synthetic enterprises")
    p.add_argument("count", type=int)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--csv", help="write a CSV file instead of the database")
    p.set_defaults(func=cmd_gen_registry)

    p = sub.add_parser("reconcile", help="compare steps with the departments' effects "
                       "(exit 0 agree, 1 differences, 2 unreachable)")
    p.add_argument("code", nargs="?", help="one department (default: every one)")
    p.add_argument("--show", type=int, default=50, help="differences to list per department")
    p.set_defaults(func=cmd_reconcile)

    p = sub.add_parser("simulate", help="change the in-process simulators while running")
    p.add_argument("--latency-ms", help="e.g. 0, 50 or 20-80")
    p.add_argument("--failure-rate", type=float, help="0..1")
    p.add_argument("--outages", help="e.g. 'tax@02:00-03:30;seals@*' ('' for none)")
    p.add_argument("--reset", action="store_true", help="back to the YILIAN_SIM_* values")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("config", help="list every YILIAN_* setting")
    p.set_defaults(func=cmd_config)

    add_department_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse cannot take positionals after an option (`CODE --port P key=value…`):
    # a command that wants them says so with ``more``.
    if extra and not hasattr(args, "more"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if hasattr(args, "more"):
        args.more = [*args.more, *extra]
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
