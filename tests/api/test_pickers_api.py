"""The API keeps its contract (元, a division code) and explains what people write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from yilian.accounts import roles

API = "/api/v1/applications/"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"


@pytest.fixture
def api(db, django_user_model):
    user = django_user_model.objects.create_user("13900000009", password="unused-pw-1")
    roles.grant(user, roles.APPLICANT)
    client = APIClient()
    client.force_authenticate(user)
    return client


def _example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _errors(response) -> dict:
    return {e["field"]: e for e in response.json()["errors"]}


def test_the_example_is_still_accepted_as_is(api):
    assert api.post(API, _example(), format="json").status_code == 201


def test_100_wan_is_explained_not_a_generic_error(api):
    response = api.post(API, {**_example(), "registered_capital": "100万"}, format="json")
    assert response.status_code == 400
    error = _errors(response)["registered_capital"]
    assert error["code"] == "money_unit" and "1000000.00" in error["message_en"]
    assert "1000000.00" in error["message_zh"]


def test_a_code_for_the_city_with_a_domicile_in_the_zone_is_refused(api):
    response = api.post(API, {**_example(), "division_code": "371000"}, format="json")
    assert response.status_code == 400
    error = _errors(response)["division_code"]
    assert error["code"] == "division_code.domicile"
    assert "371071" in error["message_zh"] and "371071" in error["message_en"]


def test_a_domicile_in_the_city_only_agrees_with_the_zones_code(api):
    data = {**_example(), "domicile": "山东省威海市某路1号"}
    assert api.post(API, data, format="json").status_code == 201


def test_industry_is_derived_from_the_main_scope_entry_when_absent(api):
    data = _example()
    del data["industry_code"]
    data["business_scope"] = ["信息技术咨询服务", "软件开发"]
    created = api.post(API, data, format="json")
    assert created.status_code == 201 and created.json()["industry_code"] == "6560"


def test_a_bank_not_on_the_zones_list_is_a_field_error_at_submission(api):
    data = _example()
    data["bank_appointment"]["branch"] = "不存在的支行"
    data["employees"][0]["monthly_wage"] = "1000.00"
    created = api.post(API, data, format="json")
    answer = api.post(f"{API}{created.json()['id']}/submit/", format="json")
    assert answer.status_code == 400
    errors = _errors(answer)
    assert errors["bank_appointment.branch"]["code"] == "bank_appointment.branch.unknown"
    assert "威海高技术产业开发区支行" in errors["bank_appointment.branch"]["message_zh"]
    wage = errors["employees[0].monthly_wage"]
    assert wage["code"] == "employees.monthly_wage.floor"
    assert "4,416.00" in wage["message_zh"] and "4,416.00" in wage["message_en"]
