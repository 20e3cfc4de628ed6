"""The reference departments' commands: ``department-sim`` and ``department-sim-set``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from yilian.deptsim.faults import KEYS


def _setup_django(data_dir: Path) -> None:
    """Django for the department modules' imports and the zone's time, pointed away from
    Yilian's own data: the department never opens Yilian's database, and anything
    Django might write (its secret key) lands in the department's own data dir."""
    os.environ["YILIAN_DATA_DIR"] = str(data_dir)
    os.environ["YILIAN_DATABASE_URL"] = ""
    os.environ.pop("YILIAN_BROKER_URL", None)
    os.environ.pop("YILIAN_DEPARTMENTS", None)  # the department is not Yilian's client
    from yilian.cli import _django

    _django(embedded_migrate=False)


def cmd_department_sim(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).expanduser().resolve()
    _setup_django(data_dir)
    from yilian.deptsim.app import run

    overrides = {key: getattr(args, key) for key in KEYS if getattr(args, key) is not None}
    return run(args.code, args.port, data_dir, overrides)


def cmd_department_sim_set(args: argparse.Namespace) -> int:
    from yilian.deptsim.client import set_faults

    return set_faults(args.code, args.port, args.more)


def add_parsers(sub) -> None:
    p = sub.add_parser("department-sim", help="run one reference department system "
                       "(docs/department-protocol.md) on 127.0.0.1:PORT")
    p.add_argument("code", help="tax, seals, social_security, medical_insurance, "
                   "housing_fund, bank (steps); identity, permits (queries)")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--data-dir", required=True, help="its own ledger (SQLite) lives here")
    helps = {
        "latency_ms": "wait before answering, ms or MIN-MAX (default 0)",
        "failure_rate": "share of requests failing before acting: 503 or reset (0)",
        "lost_reply_rate": "share of acts whose reply is lost after acting (0)",
        "outage": "now | off | 30s | ISO time: down until then (off)",
        "outage_windows": "daily HH:MM-HH:MM windows, comma-separated, zone time",
        "async_after": "accept, finish S seconds later, report by callback "
                       "(seals 5, others 0: at once)",
        "callback_delay": "seconds from finishing to the first callback (0)",
        "callback_duplicates": "extra deliveries of each callback (0)",
        "callback_reorder": "share of callbacks held back a random while (0)",
        "callback_retry": "first back-off of a failed delivery, seconds, doubling (1)",
        "reply_delay_ms": "wait after acting before replying, ms or MIN-MAX (0)",
    }
    for key in KEYS:
        p.add_argument(f"--{key.replace('_', '-')}", dest=key, default=None, help=helps[key])
    p.set_defaults(func=cmd_department_sim)

    p = sub.add_parser("department-sim-set", help="change a running reference "
                       "department's faults: key=value … (none: show them)")
    p.add_argument("code")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("more", nargs="*", metavar="key=value", help=f"keys: {', '.join(KEYS)}")
    p.set_defaults(func=cmd_department_sim_set)
