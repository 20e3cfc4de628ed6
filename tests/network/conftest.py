"""Each test gets its own department systems and its own Yilian, all real processes on
loopback (see departments.py and service.py)."""

from __future__ import annotations

import contextlib

import pytest

from tests.network.departments import Departments
from tests.network.service import deployment


@pytest.fixture
def network(tmp_path):
    """``network(options={code: {option: value}}, faults={code: {key: value}},
    environment={name: value})`` starts the chain's departments (faults set before
    Yilian asks anything), then Yilian pointed at them, with ``environment`` added to
    its own; returns ``(yilian, departments)``. Everything is killed when the test ends."""
    with contextlib.ExitStack() as stack:

        def up(options=None, faults=None, environment=None):
            departments = Departments(tmp_path, options=options)
            stack.callback(departments.close)
            departments.start()
            for code, settings in (faults or {}).items():
                departments[code].set_faults(**settings)
            service = deployment(tmp_path, {**departments.environment(),
                                            **(environment or {})})
            stack.enter_context(service.running())
            return service, departments

        yield up
