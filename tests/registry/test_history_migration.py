"""registry/0002_enterprise_history: every enterprise registered through Yilian before
histories were kept gets its establishment, dated by its license; imported ones get none
(their history before Yilian is the source register's)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.migrating import migrate, to_latest

BEFORE = [("registry", "0001_initial"), ("licenses", "0001_initial")]
AFTER = [("registry", "0002_enterprise_history")]


@pytest.mark.django_db(transaction=True)
def test_registered_enterprises_get_their_establishment_imported_ones_none():
    app = factories.application(accepted=False)  # forms' tables stay at the latest
    old = migrate(BEFORE)
    Enterprise = old.get_model("registry", "Enterprise")
    License = old.get_model("licenses", "License")
    ours = Enterprise.objects.create(uscc="91371071MA0000001X", name=app.name,
                                     established=dt.date(2026, 3, 2),
                                     application_id=app.pk)
    issued = dt.datetime(2026, 3, 2, 1, 2, 3, tzinfo=dt.UTC)
    License.objects.create(application_id=app.pk, enterprise=ours, uscc=ours.uscc, fields={},
                           signed={}, key_id="k", issued_at=issued)
    Enterprise.objects.create(uscc="91371071MA0000002X", name="威海导入有限公司",
                              source="import", established=dt.date(2001, 1, 1))
    try:
        new = migrate(AFTER)
        Event = new.get_model("registry", "RegistrationEvent")
        events = list(Event.objects.values_list("enterprise__uscc", "kind", "at",
                                                "application_id"))
        assert events == [(ours.uscc, "established", issued, app.pk)]
        assert set(new.get_model("registry", "Enterprise").objects
                   .values_list("status", flat=True)) == {"active"}
    finally:
        to_latest()  # later tests of this worker need every later column
