"""The form's pages for the kinds of issue 12, in each language (the checker of
tests/pages/test_languages.py): the kind question, and each kind's own fields, members'
columns and offices."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.pages.test_languages import _check, _data
from yilian.forms import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(settings):
    settings.KINDS_OPEN = frozenset({"individual_business", "partnership_limited",
                                     "cooperative", "branch"})


def _draft(owner, org_form: str, **extra):
    someone = factories.resident("申请人")
    investors = [] if org_form == "branch" else [{
        "kind": "natural", "name": someone.name, "id_number": someone.id_number,
        "phone": someone.phone}]
    return services.create_draft(owner, {"org_form": org_form, "division_code": "371071",
                                         "investors": investors, **extra})


def test_each_kinds_pages_in_every_language(client, applicant, opened):
    client.force_login(applicant)
    found = []
    for org_form, extra in (("individual_business", {"composition": "family"}),
                            ("partnership_limited", {}), ("cooperative", {}),
                            ("branch", {}), ("joint_stock", {})):
        application = _draft(applicant, org_form, **extra)
        data = _data(application)
        for step in ("enterprise", "investors", "people", "review"):
            url = reverse("portal:step", args=[application.pk, step]) + "?check=1"
            found += _check(client, url, data)
    assert found == [], "\n".join(found)
