"""Live checks: the name as it is typed, single fields as they are left, scope search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from yilian.codes import uscc
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db

NAME = reverse("portal:check-name")
WHERE = {"division_code": "371071", "org_form": "llc_multi", "industry_code": "6513"}


def _check(client, kind: str, field: str, value: str) -> str:
    answer = client.get(reverse("portal:check", kwargs={"kind": kind}),
                        {"for": field, field: value})
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_free_name_can_be_used(signed_in):
    page = signed_in.get(NAME, {"name": "威海澄溪科技有限公司", **WHERE}).content.decode()
    assert "可以使用" in page and 'data-invalid="false"' in page


def test_a_clashing_name_says_with_which_enterprise_and_under_which_rule(signed_in):
    code = uscc.make("371071", 4242)
    Enterprise.objects.create(uscc=code, name="威海澄溪科技有限公司", division_code="371071",
                              industry_code="6513", established=dt.date(2020, 1, 1))
    page = signed_in.get(NAME, {"name": "威海澄溪科技有限公司", **WHERE}).content.decode()
    assert 'data-invalid="true"' in page
    assert "威海澄溪科技有限公司" in page and code in page and "名称相同" in page
    homophone = signed_in.get(NAME, {"name": "威海橙溪科技有限公司", **WHERE})
    assert "同行业字号同音" in homophone.content.decode()


def test_a_malformed_name_lists_its_problems(signed_in):
    page = signed_in.get(NAME, {"name": "威海有限公司", **WHERE}).content.decode()
    assert 'data-invalid="true"' in page and "<li>" in page


def test_resident_id_numbers_are_checked_as_the_field_is_left(signed_in):
    good = _check(signed_in, "id", "investors-0-id_number", "371002198603120110")
    assert 'data-invalid="false"' in good and 'data-for="investors-0-id_number"' in good
    bad = _check(signed_in, "id", "investors-0-id_number", "371002198603120111")
    assert 'data-invalid="true"' in bad and "校验" in bad


def test_amounts_uscc_and_phones(signed_in):
    assert 'data-invalid="true"' in _check(signed_in, "amount", "registered_capital", "abc")
    assert 'data-invalid="true"' in _check(signed_in, "amount", "registered_capital", "-5")
    assert 'data-invalid="true"' in _check(signed_in, "amount", "registered_capital", "1.001")
    assert 'data-invalid="false"' in _check(signed_in, "amount", "registered_capital", "100")
    assert 'data-invalid="true"' in _check(signed_in, "uscc", "investors-1-uscc", "91371")
    ok = uscc.make("371071", 77)
    # Well formed is not enough: a corporate investor is in the register (issue 12).
    unknown = _check(signed_in, "uscc", "investors-1-uscc", ok)
    assert 'data-invalid="true"' in unknown and "登记簿" in unknown
    Enterprise.objects.create(uscc=ok, name="威海登记科技有限公司", division_code="371071",
                              org_form="llc_multi")
    assert 'data-invalid="false"' in _check(signed_in, "uscc", "investors-1-uscc", ok)
    assert 'data-invalid="true"' in _check(signed_in, "phone", "people-0-phone", "123")
    assert 'data-invalid="false"' in _check(signed_in, "phone", "people-0-phone",
                                            "13906310001")


def test_unknown_checks_and_odd_field_ids_are_404s(signed_in):
    assert signed_in.get(reverse("portal:check", kwargs={"kind": "nope"})).status_code == 404
    answer = signed_in.get(reverse("portal:check", kwargs={"kind": "id"}),
                           {"for": '"><script>'})
    assert answer.status_code == 404


def test_scope_search_shows_each_entrys_flags(signed_in):
    general = signed_in.get(reverse("portal:scope-search"), {"q": "软件开发"}).content.decode()
    assert "软件开发" in general and "一般项目" in general
    assert 'name="add_scope" value="软件开发"' in general and 'form="step-form"' in general
    licensed = signed_in.get(reverse("portal:scope-search"), {"q": "烟草"}).content.decode()
    assert "许可项目（登记前审批）" in licensed and "烟草专卖行政主管部门" in licensed


def test_the_scope_picker_adds_removes_and_keeps_permits(signed_in, draft):
    from yilian.refdata import scope

    step = reverse("portal:step", kwargs={"pk": draft.pk, "step": "scope"})
    chosen = list(draft.business_scope)
    signed_in.post(step, {"business_scope": chosen, "add_scope": "烟草制品批发", "q": "烟草"})
    draft.refresh_from_db()
    assert draft.business_scope == [*chosen, "烟草制品批发"]
    entry = scope.by_text("烟草制品批发")
    page = signed_in.get(step).content.decode()
    assert f'id="permit-{entry.id}"' in page and "烟草专卖批发企业许可证" in page
    signed_in.post(step, {"business_scope": draft.business_scope, "scope_id": entry.id,
                          f"permit-{entry.id}": "YC13710000001"})
    draft.refresh_from_db()
    assert draft.permits == {entry.id: "YC13710000001"}
    signed_in.post(step, {"business_scope": draft.business_scope, "scope_id": entry.id,
                          f"permit-{entry.id}": "YC13710000001", "remove": "0"})
    draft.refresh_from_db()
    assert draft.business_scope == [*chosen[1:], "烟草制品批发"]
    assert draft.permits == {entry.id: "YC13710000001"}
    assert 'id="scope-results"' in signed_in.get(step + "?q=软件").content.decode()
