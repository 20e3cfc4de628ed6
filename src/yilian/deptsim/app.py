"""``yilian department-sim CODE --port P --data-dir D``: one reference department system
in this process — its ledger, its HTTP server on 127.0.0.1:P and its background work —
until SIGTERM or Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

from yilian.deptsim.callbacks import Courier
from yilian.deptsim.client import department_secret, missing_secret
from yilian.deptsim.faults import BadSetting
from yilian.deptsim.ledger import Ledger
from yilian.deptsim.server import DepartmentServer
from yilian.deptsim.service import DepartmentSystem, NotOffered, check_code
from yilian.files import private_dir


def run(code: str, port: int, data_dir: Path, overrides: dict[str, str]) -> int:
    try:
        check_code(code)
    except NotOffered as refusal:
        print(refusal, file=sys.stderr)
        return 2
    secret = department_secret(code)
    if not secret:
        print(missing_secret(code), file=sys.stderr)
        return 2
    ledger = Ledger(private_dir(data_dir) / f"{code}.sqlite3")
    try:
        system = DepartmentSystem(code, ledger, overrides)
    except BadSetting as bad:
        print(f"--{bad.key.replace('_', '-')}: {bad}", file=sys.stderr)
        return 2
    try:
        server = DepartmentServer(port, system, secret)
    except OSError as failure:
        print(f"cannot listen on 127.0.0.1:{port}: {failure}", file=sys.stderr)
        return 1
    courier = Courier(system, secret)
    courier.start()

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    _exit_with_parent()
    faults = " ".join(f"{k}={v}" for k, v in system.faults.as_settings().items())
    print(f"department {code} (yilian-dept/1, /2) at http://127.0.0.1:{port}/  ledger "
          f"{ledger.path}\n  faults: {faults}", flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        courier.stop()
    return 0


#: Set by ``yilian demo --http-departments`` to its own pid: a department started for a
#: demo stops when the demo is gone, even killed with SIGKILL (no orphans on the ports).
PARENT_VARIABLE = "YILIAN_DEPARTMENT_SIM_PARENT"


def _exit_with_parent() -> None:
    parent = os.environ.get(PARENT_VARIABLE, "")
    if not parent.isdigit():
        return

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
