"""Warming up in gunicorn's master: a worker forked afterwards answers its first
submission without importing or building what the warm-up covers."""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.django_db

PROBE = textwrap.dedent("""
    import sys
    import django
    django.setup()
    from django.urls import get_resolver
    {warm}
    print("pypinyin" in sys.modules, "yilian.api.applications" in sys.modules,
          bool(get_resolver()._populated), "reportlab.pdfgen.canvas" in sys.modules)
""")


def _probe(warm: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(warm=warm)],
                          capture_output=True, text=True, check=True, timeout=120)
    return done.stdout.split()


def test_without_the_warm_up_a_fresh_process_has_loaded_none_of_it():
    # The control: were these loaded at start-up anyway, the test below proves nothing.
    assert _probe("") == ["False", "False", "False", "False"]


def test_the_warm_up_loads_the_views_the_reverse_table_and_the_readings():
    assert _probe("from yilian import warmup; warmup.before_fork()")[:3] == ["True"] * 3


def test_a_chain_worker_warms_up_what_its_first_chains_would_load_too():
    # The texts' links, the register's name check, the license's and texts' modules.
    assert _probe("from yilian import warmup; warmup.chain_worker()") == ["True"] * 4


def test_a_failing_warm_up_does_not_stop_the_server(monkeypatch, caplog):
    from yilian import warmup

    def broken():
        raise RuntimeError("no URLconf")

    monkeypatch.setattr("django.urls.get_resolver", broken)
    warmup.before_fork()  # logs and returns
    assert "warming up before fork failed" in caplog.text
