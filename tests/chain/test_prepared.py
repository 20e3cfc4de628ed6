"""The chain's own statements are prepared on PostgreSQL (:mod:`yilian.db.prepared`):
parsed and planned once per connection, not at every step; Django's queries are not."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from tests import factories
from yilian.chain import engine
from yilian.chain.models import Step
from yilian.chain.services import start_chain
from yilian.db import prepared

pytestmark = pytest.mark.django_db

SIM = {"latency_ms": "0", "failure_rate": 0.0, "outages": "", "seed": "7"}


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@override_settings(SIMULATOR=SIM)
def test_the_chains_statements_are_prepared_after_a_few_runs():
    chains = [start_chain(factories.application()) for _ in range(6)]
    assert engine.drain() == Step.objects.count() > len(chains)
    if connection.vendor != "postgresql":
        with prepared.cursor() as cursor:  # the ordinary cursor there
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        return
    statements = _prepared_here()
    assert any("WITH ready AS" in s for s in statements)  # the claim
    assert any("INSERT INTO audit_entry" in s for s in statements)
    assert any("UPDATE chain_step" in s and "'done'" in s for s in statements)
    assert not any('"forms_application"' in s for s in statements)  # the ORM's: never

