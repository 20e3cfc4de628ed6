"""The live name check takes the kind applied for (issue 12): its form words, a branch's
parent, an individual business's county, and 多音字 in any common reading."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from yilian.codes import uscc
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db

NAME = reverse("portal:check-name")


def _page(client, name: str, org_form: str, **extra) -> str:
    answer = client.get(NAME, {"name": name, "division_code": "371002", "org_form": org_form,
                               **extra})
    assert answer.status_code == 200
    return answer.content.decode()


def _register(name: str, serial: int) -> Enterprise:
    return Enterprise.objects.create(uscc=uscc.make("371002", serial), name=name,
                                     division_code="371002", industry_code="6513",
                                     established=dt.date(2020, 1, 1))


def test_a_partnership_name_must_say_it_is_one(signed_in):
    page = _page(signed_in, "威海澄溪咨询有限公司", "partnership_limited")
    assert 'data-invalid="true"' in page and "（有限合伙）" in page
    assert 'data-invalid="false"' in _page(signed_in, "威海澄溪咨询（有限合伙）",
                                           "partnership_limited")


def test_an_individual_business_names_its_county(signed_in):
    page = _page(signed_in, "威海市澄溪餐饮店", "individual_business")
    assert 'data-invalid="true"' in page and "县（市、区）" in page
    assert 'data-invalid="false"' in _page(signed_in, "环翠区澄溪餐饮店", "individual_business")


def test_a_branch_is_checked_against_its_parents_name(signed_in):
    parent = _register("威海澄溪科技有限公司", 5151)
    ok = _page(signed_in, "威海澄溪科技有限公司环翠分公司", "branch", parent_uscc=parent.uscc)
    assert 'data-invalid="false"' in ok
    wrong = _page(signed_in, "威海橙溪科技有限公司环翠分公司", "branch", parent_uscc=parent.uscc)
    assert 'data-invalid="true"' in wrong and "威海澄溪科技有限公司" in wrong


def test_a_polyphone_clashes_in_its_other_reading(signed_in):
    _register("威海长青科技有限公司", 5252)
    page = _page(signed_in, "威海常青科技有限公司", "llc_multi", industry_code="6513")
    assert 'data-invalid="true"' in page and "同行业字号同音" in page
