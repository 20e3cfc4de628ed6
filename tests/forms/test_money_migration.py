"""forms 0006_exact_money: amounts already stored as decimals become integer cents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("forms", "0005_application_status_withdrawn_expired")]
AFTER = [("forms", "0006_exact_money")]


@pytest.mark.django_db(transaction=True)
def test_existing_amounts_become_cents():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="before-migration")
    app = old.get_model("forms", "Application").objects.create(
        owner=user, registered_capital=Decimal("1234567.89"))
    old.get_model("forms", "Investor").objects.create(application=app,
                                                       amount=Decimal("0.01"))
    old.get_model("forms", "Employee").objects.create(application=app,
                                                       monthly_wage=Decimal("8000.50"))
    old.get_model("forms", "Application").objects.create(owner=user)  # no amount
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    migrated = new.get_model("forms", "Application").objects.get(pk=app.pk)
    assert migrated.registered_capital == Decimal("1234567.89")
    assert new.get_model("forms", "Investor").objects.get().amount == Decimal("0.01")
    assert new.get_model("forms", "Employee").objects.get().monthly_wage == Decimal("8000.50")
    assert new.get_model("forms", "Application").objects.exclude(pk=app.pk).get() \
        .registered_capital is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT amount FROM forms_investor")
        assert cursor.fetchone()[0] == 1
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
