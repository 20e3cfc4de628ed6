"""The claim's SQL and the sweeper's query say the same thing about when a step is
ready: checked over every status and every placement of its two clocks."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.utils import timezone

from tests import factories
from yilian.chain import engine
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain

pytestmark = pytest.mark.django_db


def test_claim_sql_and_ready_query_agree():
    chain = start_chain(factories.application())
    template = chain.steps.first()
    now = timezone.now()
    moments = [None, now - dt.timedelta(seconds=5), now + dt.timedelta(seconds=5)]
    Step.objects.filter(chain=chain).delete()
    for i, (status, due, lease) in enumerate(
            itertools.product(StepStatus.values, moments, moments)):
        Step.objects.create(chain=chain, code=f"{template.code}-{i}", status=status,
                            next_attempt_at=due, lease_expires_at=lease,
                            idempotency_key=f"k-{i}", payload={})
    at = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.id FROM chain_step s WHERE s.chain_id = %s "
                       f"AND {engine._READY_SQL}", [chain.pk, at(now), at(now)])
        by_sql = {row[0] for row in cursor.fetchall()}
    by_query = set(Step.objects.filter(engine._ready(now), chain=chain)
                   .values_list("pk", flat=True))
    assert by_sql == by_query
    # pending/retrying/waiting due (×3 leases), running expired (×3)
    assert len(by_sql) == len(engine.READY_STATUSES) * 3 + 3
