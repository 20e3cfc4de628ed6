"""Reference departments as real processes, stopped after each test."""

import pytest

from tests.deptsim.harness import CallbackReceiver, DepartmentProcess


@pytest.fixture
def department(tmp_path):
    """``department(code, **options)`` starts ``yilian department-sim`` and returns it."""
    started: list[DepartmentProcess] = []

    def start(code: str, **options) -> DepartmentProcess:
        process = DepartmentProcess(code, tmp_path / code, options)
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.kill()


@pytest.fixture
def receiver():
    """``receiver(secret)`` a callback endpoint checking signatures with ``secret``."""
    made: list[CallbackReceiver] = []

    def make(secret: str, answers: list[int] | None = None) -> CallbackReceiver:
        made.append(CallbackReceiver(secret, list(answers or [])))
        return made[-1]

    yield make
    for one in made:
        one.close()
