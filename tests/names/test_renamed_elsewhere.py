"""变更名称 seen by every process (issue 13 with issue 11's many hosts): a rename
committed by another process reaches this process's name index at its next catch-up,
from the change event, not only at its next rebuild. In a test transaction the
committing process's own on-commit hook never runs: what is found here is found by the
catch-up alone, as on any other host."""

from __future__ import annotations

import pytest

from tests import kindapps
from tests.history.conftest import (
    _quick_departments,  # noqa: F401  (autouse)
    run,
)
from yilian.forms import afterwards
from yilian.names import index
from yilian.names import services as names
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db


def test_a_rename_elsewhere_clashes_here_at_the_next_check():
    app = kindapps.company()
    run(app)
    app.refresh_from_db()
    enterprise = Enterprise.objects.get(uscc=app.uscc)
    new_name = "威海澜汐网络科技有限公司"
    assert not names.registered_conflicts(new_name, app.division_code, app.industry_code)
    before = len(index.get())

    change = afterwards.open_change(enterprise, app.owner)
    change.name = new_name
    change.save()
    run(change)
    assert Enterprise.objects.get(pk=enterprise.pk).name == new_name

    found = names.registered_conflicts(new_name, app.division_code, app.industry_code)
    assert [c.uscc for c in found] == [enterprise.uscc]
    assert len(index.get()) == before + 1
    # Read again (the look-back re-reads recent events): indexed once, not twice.
    names.registered_conflicts(new_name, app.division_code, app.industry_code)
    assert len(index.get()) == before + 1
