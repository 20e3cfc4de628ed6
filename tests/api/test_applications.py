"""``/api/v1/applications/``: drafts, edits, submission, ownership, the schema, and
fuzzing that no JSON a client can send makes the server answer 500."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.test import override_settings
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.api.conftest import confirm_every_party
from yilian.codes import uscc
from yilian.forms.models import Application, InvestorKind, InvoiceType, OrgForm, Role, Seal, Status

URL = "/api/v1/applications/"
pytestmark = pytest.mark.django_db


def _detail(data: dict) -> str:
    return f"{URL}{data['id']}/"


def _fields(answer) -> set[tuple[str, str]]:
    body = answer.json()
    for error in body["errors"]:
        assert error["message_zh"] and error["message_en"], error
    return {(e["field"], e["code"]) for e in body["errors"]}


def test_the_example_round_trips(api_client, example):
    created = api_client.post(URL, example, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    uuid.UUID(body["id"])
    assert body["status"] == "draft" and body["steps"] == [] and body["license"] is None
    fetched = api_client.get(_detail(body)).json()
    for key, value in example.items():
        if key in ("investors", "people", "employees"):
            got = [{k: item[k] for k in sent} for item, sent in zip(fetched[key], value,
                                                                     strict=True)]
            assert got == value, key
        else:
            assert fetched[key] == value, key


def test_the_example_is_accepted_and_the_chain_runs(api_client, example):
    from yilian.chain import engine  # the lead's chain: needed, never stubbed

    draft = api_client.post(URL, example, format="json").json()
    confirm_every_party(api_client, draft["id"])
    answer = api_client.post(f"{_detail(draft)}submit/")
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "processing" and body["accepted_at"] and body["submitted_at"]
    assert {s["code"] for s in body["steps"]} >= {"registration", "seals", "tax", "bank"}
    engine.drain()
    done = api_client.get(_detail(draft)).json()
    assert done["status"] == "completed"
    uscc.validate(done["uscc"])
    assert all(s["status"] == "done" and s["reference"] for s in done["steps"])
    assert set(done["license"]) == {"pdf_url", "json_url"}
    again = api_client.post(f"{_detail(draft)}submit/")
    assert again.status_code == 409 and _fields(again) == {
        ("status", "application.not_editable")}
    edit = api_client.patch(_detail(draft), {"name": "改名科技有限公司"}, format="json")
    assert edit.status_code == 409


def test_an_empty_draft_is_saved_and_cannot_be_submitted(api_client):
    draft = api_client.post(URL, {}, format="json")
    assert draft.status_code == 201
    answer = api_client.post(f"{_detail(draft.json())}submit/")
    assert answer.status_code == 400
    fields = {field for field, _ in _fields(answer)}
    assert {"name", "org_form", "registered_capital", "investors", "people"} <= fields


def test_submission_lists_every_error_with_its_path(api_client, example):
    example["investors"][1]["amount"] = "1.00"
    number = example["people"][0]["id_number"]
    example["people"][0]["id_number"] = number[:17] + ("1" if number[17] != "1" else "2")
    example["employees"][2]["monthly_wage"] = "0"
    draft = api_client.post(URL, example, format="json").json()
    answer = api_client.post(f"{_detail(draft)}submit/")
    assert answer.status_code == 400
    assert {("investors", "investors.sum_mismatch"),
            ("employees[2].monthly_wage", "employees.monthly_wage.not_positive")} <= \
        _fields(answer)
    assert "people[0].id_number" in {f for f, _ in _fields(answer)}


@pytest.mark.parametrize(("body", "field"), [
    ({"registered_capital": "abc"}, "registered_capital"),
    ({"registered_capital": "1.005"}, "registered_capital"),
    ({"registered_capital": True}, "registered_capital"),
    ({"investors": [{"contribution_date": "2024-13-40"}]}, "investors[0].contribution_date"),
    ({"investors": [{"amount": [1]}]}, "investors[0].amount"),
    ({"org_form": "gmbh"}, "org_form"),
    ({"business_scope": "软件开发"}, "business_scope"),
    ({"seals": ["official", "stamp"]}, "seals[1]"),
    ({"people": [{"name": "张三"}]}, "people[0].role"),
    ({"invoices": {"monthly_quantity": "many"}}, "invoices.monthly_quantity"),
    ({"bank_appointment": {"date": "tomorrow"}}, "bank_appointment.date"),
    ({"employees": "three"}, "employees"),
    ({"operating_term_years": 1.5}, "operating_term_years"),
])
def test_type_errors_in_a_draft_answer_400_with_the_path(api_client, body, field):
    answer = api_client.post(URL, body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in {f for f, _ in _fields(answer)}


def test_text_that_cannot_be_stored_answers_400(api_client):
    """Lone surrogates (not UTF-8) and NUL (refused by PostgreSQL) never reach the database."""
    for body in ('{"name": "\\ud800"}', '{"org_form": "\\udfff"}',
                 '{"business_scope": ["\\ud800"]}', '{"people": [{"role": "\\ud800"}]}',
                 '{"name": "a\\u0000b"}', '{"bank_appointment": {"bank": "\\u0000"}}',
                 '{"business_scope": ["\\u0000"]}'):
        answer = api_client.generic("POST", URL, body.encode(), content_type="application/json")
        assert answer.status_code == 400, body


def test_patch_edits_a_draft_and_replaces_lists(api_client, example):
    draft = api_client.post(URL, example, format="json").json()
    answer = api_client.patch(_detail(draft), {"employees": example["employees"][:1],
                                               "registered_capital": "1000000"},
                              format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert len(body["employees"]) == 1 and len(body["investors"]) == 2
    assert body["registered_capital"] == "1000000.00"
    person = api_client.patch(_detail(draft), {"people": [{"name": "张三"}]}, format="json")
    assert person.status_code == 400 and ("people[0].role", "required") in _fields(person)


def test_others_see_404_and_staff_read_but_do_not_edit(client_for, applicant,
                                                       other_applicant, staff_user, example):
    mine = client_for(applicant)
    draft = mine.post(URL, example, format="json").json()
    other = client_for(other_applicant)
    other.post(URL, {}, format="json")
    for answer in (other.get(_detail(draft)),
                   other.patch(_detail(draft), {"name": "抢注有限公司"}, format="json"),
                   other.post(f"{_detail(draft)}submit/")):
        assert answer.status_code == 404
    assert [a["id"] for a in mine.get(URL).json()["results"]] == [draft["id"]]
    assert other.get(URL).json()["count"] == 1

    # Window staff never read a draft; a submitted application they read, not edit.
    staff = client_for(staff_user)
    assert staff.get(_detail(draft)).status_code == 404
    assert staff.get(URL).json()["count"] == 0
    Application.objects.filter(pk=draft["id"]).update(status=Status.IN_REVIEW)
    assert staff.get(_detail(draft)).status_code == 200
    assert staff.get(URL).json()["count"] == 1
    edit = staff.patch(_detail(draft), {"name": "职员改名有限公司"}, format="json")
    assert edit.status_code == 403 and _fields(edit) == {("", "permission_denied")}
    assert staff.post(f"{_detail(draft)}submit/").status_code == 403
    assert mine.get(f"{URL}not-a-uuid/").status_code == 404


def test_anonymous_is_refused(client, example):
    assert client.get(URL).status_code == 401
    assert client.post(URL, example, content_type="application/json").status_code == 401


def test_the_schema_documents_applications_without_warnings(api_client):
    answer = api_client.get("/api/v1/schema/")
    assert answer.status_code == 200
    assert "/api/v1/applications/" in answer.content.decode()
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)
    mine = [m for m in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
            if "pplication" in m]
    assert mine == []


# Fuzzing: any JSON value in any field, at the top level and inside the lists, mixed
# with well-typed values so that many drafts are saved and then submitted.
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_money = st.decimals(min_value=-10**15, max_value=10**15, places=2).map(str) | st.integers()
_day = st.dates().map(dt.date.isoformat)
_id = st.sampled_from(["371002198603120110", "371082199007230221", "11010520200101001X",
                       ""]) | st.text(max_size=19)
_TYPED = {
    "name": st.sampled_from(["威海一链科技有限公司", "一链软件开发中心", ""]),
    "org_form": st.sampled_from([*OrgForm.values, ""]),
    "registered_capital": _money, "amount": _money, "monthly_wage": _money,
    "contribution_date": _day, "start_date": _day, "date": _day,
    "division_code": st.sampled_from(["371071", "370000", "990000", "12345"]),
    "industry_code": st.from_regex(r"\A\d{3,5}\Z"),
    "business_scope": st.lists(st.text(max_size=5), max_size=3),
    "operating_term_years": st.integers(min_value=-5, max_value=40000),
    "seals": st.lists(st.sampled_from(Seal.values), max_size=5),
    "types": st.lists(st.sampled_from(InvoiceType.values), max_size=3),
    "monthly_quantity": st.integers(min_value=-5, max_value=20000),
    "kind": st.sampled_from(InvestorKind.values), "role": st.sampled_from(Role.values),
    "id_number": _id, "uscc": st.just(uscc.make("371071", 3)) | _id,
    "phone": st.from_regex(r"\A1[0-9]{10}\Z"),
}


def _value(key: str):
    return _TYPED[key] | _json if key in _TYPED else _json


def _object(keys: list[str]):
    return st.fixed_dictionaries({}, optional={k: _value(k) for k in keys})


_ITEMS = {
    "investors": ["kind", "name", "id_number", "uscc", "amount", "contribution_date",
                  "contribution_method"],
    "people": ["role", "name", "id_number", "phone", "email"],
    "employees": ["name", "id_number", "monthly_wage", "start_date"],
}
_TOP = ["name", "org_form", "registered_capital", "domicile", "division_code",
        "industry_code", "business_scope", "operating_term_years", "seals", "id", "status",
        "uscc"]
_bodies = st.fixed_dictionaries({}, optional={
    **{key: _value(key) for key in _TOP},
    "invoices": _object(["types", "monthly_quantity"]) | _json,
    "bank_appointment": _object(["bank", "branch", "date"]) | _json,
    **{key: st.lists(_object(keys) | _json, max_size=3) | _json
       for key, keys in _ITEMS.items()},
}) | _json
_FUZZ = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])


def _send(client, method: str, url: str, body) -> object:
    """Encode the body ourselves: Python writes NaN and Infinity, which a client could."""
    return client.generic(method, url, json.dumps(body).encode(),
                          content_type="application/json")


@_FUZZ
@given(body=_bodies)
def test_fuzzed_drafts_never_answer_500(api_client, body):
    answer = _send(api_client, "POST", URL, body)
    event(f"draft {answer.status_code}")
    assert answer.status_code in (201, 400), answer.content
    if answer.status_code == 201:
        submit = api_client.post(f"{_detail(answer.json())}submit/")
        assert submit.status_code in (202, 400), submit.content


@_FUZZ
@given(body=_bodies)
def test_fuzzed_edits_never_answer_500(api_client, example, body):
    with override_settings(DEBUG=False):
        draft = api_client.post(URL, example, format="json").json()
        answer = _send(api_client, "PATCH", _detail(draft), body)
        event(f"edit {answer.status_code}")
        assert answer.status_code in (200, 400), answer.content
        if answer.status_code == 200:
            submit = api_client.post(f"{_detail(draft)}submit/")
            assert submit.status_code in (202, 400), submit.content
