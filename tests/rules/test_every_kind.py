"""Admission (准入) applies to every kind of market entity alike (issue 12): an individual
business, a partnership or a cooperative with a licensed activity needs its permit as a
company does, and a prohibited activity is refused whoever applies. Decided on the
application directly, since kinds not yet open online are refused before admission."""

from __future__ import annotations

import pytest

from tests import factories
from yilian.refdata import kinds
from yilian.rules.services import decide_application

pytestmark = pytest.mark.django_db

EVERY_KIND = sorted(kinds.all_kinds())


def _decide(org_form: str, *scope: str):
    app = factories.application(accepted=False)
    app.org_form = org_form
    app.business_scope = ["软件开发", *scope]
    app.save()
    decision = decide_application(app)
    return decision.outcome, {f.rule for f in decision.findings}


@pytest.mark.parametrize("org_form", EVERY_KIND)
def test_a_licensed_activity_needs_its_prior_permit_whatever_the_kind(org_form):
    # 保安服务 needs public security's permit before registration (前置审批).
    assert _decide(org_form, "保安服务") == ("wait_permit", {"R-PRE-PERMIT"})


@pytest.mark.parametrize("org_form", EVERY_KIND)
def test_a_prohibited_activity_is_refused_whatever_the_kind(org_form):
    outcome, found = _decide(org_form, "虚拟货币交易服务")  # NL2022-P04
    assert outcome == "refuse" and "R-PROHIBITED" in found


@pytest.mark.parametrize("org_form", EVERY_KIND)
def test_general_activities_are_admitted_whatever_the_kind(org_form):
    assert _decide(org_form) == ("approve", {"R-GENERAL"})
