"""Shared test set-up. The environment (data dir, simulators) is fixed in
``yilian.settings_test``, which pytest-django loads before any conftest."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_name_index():
    """The name index lives in memory while each test's rows are rolled back: start every
    test from the register as that test sees it."""
    from yilian.names import index

    index.reset()
    yield


@pytest.fixture(autouse=True)
def _identity_population():
    """People a test enrols in the identity simulator's population stay in that test."""
    from yilian.departments import identity

    yield
    identity.forget()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a page fetched in English leaves the
    language active in its thread (Django does not reset it after a test client's
    request), and code called directly afterwards would speak English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_department_state():
    """Each process caches the departments' circuits and the simulators' settings for a
    second; a test's rows are rolled back, so no test sees another's."""
    from yilian.departments import circuit, simconfig

    circuit.forget()
    simconfig.forget()
    yield
    circuit.forget()
    simconfig.forget()


@pytest.fixture
def inbox(monkeypatch):
    """The embedded worker's inbox, active and this test's own: what was dispatched."""
    from yilian.chain import dispatch

    box = dispatch.Inbox()
    box.active = True
    monkeypatch.setattr(dispatch, "inbox", box)
    return box


@pytest.fixture
def close_kind(monkeypatch):
    """Takes one kind of market entity off the online form for one test: what its
    catalogue flag ``available: false`` does (a kind a zone handles at the window only)."""
    import dataclasses

    from yilian.refdata import kinds

    def close(code: str) -> None:
        monkeypatch.setitem(kinds.all_kinds(), code,
                            dataclasses.replace(kinds.get(code), available=False))
    return close
