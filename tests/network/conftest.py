"""Each test gets its own department systems and its own Yilian, all real processes on
loopback (see departments.py and service.py)."""

from __future__ import annotations

import contextlib
import os

import pytest

from tests.network.departments import Departments
from tests.network.service import deployment


@pytest.fixture
def network(tmp_path):
    """``network(args={code: options}, faults={code: settings})`` starts the chain's
    departments (faults set before Yilian asks anything), then Yilian pointed at them;
    returns ``(yilian, departments)``. Everything is killed when the test ends."""
    with contextlib.ExitStack() as stack:

        def up(args=None, faults=None):
            # The departments' processes never see Yilian's database or data dir.
            env = {**os.environ, "YILIAN_DATABASE_URL": "", "YILIAN_BROKER_URL": "",
                   "YILIAN_DATA_DIR": str(tmp_path / "departments-home")}
            departments = Departments(tmp_path, env, args=args)
            stack.callback(departments.close)
            departments.start()
            for code, settings in (faults or {}).items():
                departments[code].set_faults(**settings)
            service = deployment(tmp_path, departments.environment())
            stack.enter_context(service.running())
            return service, departments

        yield up
