"""Money is kept exactly and codes have one spelling — through the API, the portal's
pages and the counter alike — and a stored application can always be read and edited."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import make_user
from yilian.accounts import roles
from yilian.accounts import services as accounts
from yilian.codes import InvalidCode, divisions, resident_id, uscc
from yilian.codes.errors import fold_width
from yilian.forms.models import Application, Employee, Investor

pytestmark = pytest.mark.django_db

API = "/api/v1/applications/"
YILIAN = str(Path(sys.executable).with_name("yilian"))
HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
EXTREMES = {"registered_capital": "99999999999999.99", "investors.0.amount": "99999999999999.99",
            "investors.1.amount": "0.01", "employees.0.monthly_wage": "9999999999.99",
            "employees.1.monthly_wage": "-9999999999.99"}


def _put(document: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value


def _get(document: dict, path: str):
    for part in path.split("."):
        document = document[int(part)] if part.isdigit() else document[part]
    return document


def _errors(response) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.json()["errors"]}


# Money


def test_sqlite_used_to_round_money_through_a_double():
    """What went wrong: the old column type on SQLite. The amount is now an integer."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's NUMERIC affinity")
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST('99999999999999.99' AS NUMERIC)")
        assert Decimal(repr(cursor.fetchone()[0])) != Decimal("99999999999999.99")
    assert Investor._meta.get_field("amount").db_type(connection) in {"integer", "bigint"}


def test_extreme_amounts_are_stored_exactly_and_the_application_stays_usable(
        api_client, example, applicant, client):
    for path, value in EXTREMES.items():
        _put(example, path, value)
    created = api_client.post(API, example, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    for path, value in EXTREMES.items():
        assert _get(body, path) == value
    stored = Application.objects.get(pk=body["id"])
    assert stored.registered_capital == Decimal("99999999999999.99")
    with connection.cursor() as cursor:  # integer cents in the column, on either database
        cursor.execute("SELECT registered_capital FROM forms_application WHERE id = %s",
                       [stored.pk.hex if connection.vendor == "sqlite" else stored.pk])
        assert cursor.fetchone()[0] == 9999999999999999
    url = f"{API}{body['id']}/"
    assert api_client.get(url).json()["investors"][0]["amount"] == "99999999999999.99"
    assert api_client.patch(url, {"domicile": "威海市"}, format="json").status_code == 200
    assert api_client.get(API).status_code == 200
    roles.grant(applicant, roles.APPLICANT)
    client.force_login(applicant)
    for step in ("enterprise", "investors", "employees", "review"):
        page = client.get(f"/me/applications/{body['id']}/{step}/")
        assert page.status_code == 200, step
    # The page shows capital in 万元, exactly: 99 999 999 999 999.99 元.
    assert 'value="9,999,999,999.999999"' in client.get(
        f"/me/applications/{body['id']}/enterprise/").content.decode()
    assert client.post(f"/me/applications/{body['id']}/review/").status_code in (302, 400)
    assert client.get(f"/me/applications/{body['id']}/").status_code in (200, 302)


@HYPOTHESIS
@given(cents=st.integers(-(10**16) + 1, 10**16 - 1))
def test_any_amount_in_range_round_trips_exactly(api_client, cents):
    amount = str(Decimal(cents).scaleb(-2))
    created = api_client.post(API, {"registered_capital": amount}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["registered_capital"] == amount
    assert Application.objects.get(pk=created.json()["id"]).registered_capital == Decimal(amount)


@pytest.mark.parametrize(("field", "value"), [
    ("registered_capital", "100000000000000.00"),  # 17 digits: more than the field keeps
    ("registered_capital", "1.005"),
    ("registered_capital", 1000000),  # a JSON number: a float to most clients
    ("registered_capital", "1e5"),
    ("registered_capital", "NaN"),
    ("investors.0.amount", "999999999999999999999"),
    ("employees.0.monthly_wage", "10000000000.00"),
])
def test_amounts_beyond_what_is_kept_exactly_are_field_errors(api_client, example, field,
                                                              value):
    _put(example, field, value)
    before = Application.objects.count()
    response = api_client.post(API, example, format="json")
    assert response.status_code == 400
    path = field.replace(".0.", "[0].")
    (error,) = [e for e in response.json()["errors"] if e["field"] == path]
    assert error["message_zh"] and error["message_en"]
    assert Application.objects.count() == before


def test_too_large_an_amount_is_a_field_error_on_the_pages_and_at_the_counter(client,
                                                                             applicant):
    roles.grant(applicant, roles.APPLICANT)
    clerk = make_user("clerk-1")
    roles.grant(clerk, roles.CLERK)
    draft = Application.objects.create(owner=applicant)
    for user, url in ((applicant, f"/me/applications/{draft.pk}/enterprise/"),
                      (clerk, f"/workbench/counter/{draft.pk}/enterprise/")):
        client.force_login(user)
        response = client.post(url, {"registered_capital": "100000000000000", "go": "save"},
                               HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, url
        assert 'id="registered_capital"' in response.content.decode()
        assert "aria-invalid" in response.content.decode()
        draft.refresh_from_db()
        assert draft.registered_capital is None


def test_the_live_amount_check_says_so_too(client, applicant):
    roles.grant(applicant, roles.APPLICANT)
    client.force_login(applicant)
    response = client.get("/me/check/amount/", {"for": "registered_capital",
                                                "registered_capital": "1e400"})
    assert response.status_code == 200 and 'data-invalid="true"' in response.content.decode()


# Codes: one spelling


def _wide(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


IDS = st.builds(resident_id.make, st.sampled_from(["371002", "110105", "440305"]),
                st.dates(dt.date(1930, 1, 1), dt.date(2005, 12, 31)), st.integers(0, 999))
NON_ASCII_DIGITS = st.characters(categories=["Nd", "No"]).filter(
    lambda c: not c.isascii() and not fold_width(c).isascii())


@HYPOTHESIS
@given(number=IDS, mask=st.lists(st.booleans(), min_size=18, max_size=18))
def test_full_width_digits_are_the_same_id(number, mask):
    typed = "".join(_wide(c) if wide else c for c, wide in zip(number, mask, strict=True))
    assert resident_id.validate(typed.lower()).number == number


@HYPOTHESIS
@given(serial=st.integers(0, 31**6 - 1), mask=st.lists(st.booleans(), min_size=18,
                                                        max_size=18))
def test_full_width_uscc_is_the_same_code(serial, mask):
    code = uscc.make("371071", serial)
    typed = "".join(_wide(c) if wide else c for c, wide in zip(code, mask, strict=True))
    assert uscc.validate(typed).code == code


@HYPOTHESIS
@given(number=IDS, position=st.integers(0, 17), digit=NON_ASCII_DIGITS)
def test_any_other_unicode_digit_is_a_reason_not_a_crash(number, position, digit):
    typed = number[:position] + digit + number[position + 1:]
    for check, value in ((resident_id.validate, typed), (uscc.validate, typed),
                         (divisions.validate, typed[position // 3 * 3:][:6])):
        with pytest.raises(InvalidCode) as raised:
            check(value)
        assert raised.value.message_zh and raised.value.message_en


@pytest.mark.parametrize("typed", ["１３８００１３８０００", "138-0013-8000", "+86 13800138000"])
def test_phone_numbers_have_one_spelling(typed):
    assert accounts.normalize_phone(typed) == "13800138000"


@pytest.mark.parametrize("typed", ["١٣٨٠٠١٣٨٠٠٠", "1380013800²", "①3800138000"])
def test_other_digits_in_a_phone_number_are_refused(typed):
    with pytest.raises(accounts.CodeError):
        accounts.normalize_phone(typed)


def test_the_api_stores_one_spelling_and_finds_the_duplicate(api_client, example):
    first = example["investors"][0]["id_number"]
    example["investors"][1]["id_number"] = _wide(first)
    example["people"][0]["phone"] = _wide(example["people"][0]["phone"])
    example["division_code"] = _wide(example["division_code"])
    created = api_client.post(API, example, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["investors"][1]["id_number"] == first
    assert body["people"][0]["phone"].isascii() and body["division_code"] == "371071"
    submitted = api_client.post(f"{API}{body['id']}/submit/", format="json")
    assert submitted.status_code == 400
    assert _errors(submitted).get("investors[1].id_number") == "investors.duplicate"


CODE_FIELDS = ["investors.0.id_number", "investors.0.uscc", "people.0.id_number",
               "people.0.phone", "employees.0.id_number", "division_code", "industry_code"]
DIGITS = st.text(st.one_of(st.characters(categories=["Nd", "No"]),
                           st.sampled_from("0123456789Xx０１２３４５６７８９Ｘｘ ")),
                 max_size=18)


@HYPOTHESIS
@given(field=st.sampled_from(CODE_FIELDS), value=DIGITS)
def test_every_code_field_folds_or_refuses_never_crashes(api_client, example, field, value):
    _put(example, field, value)
    before = Application.objects.count()
    response = api_client.post(API, example, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert Application.objects.count() == before
        return
    stored = _get(response.json(), field)
    assert stored.isascii()
    folded = fold_width(value).strip()
    assert stored == (folded.upper() if field.endswith(("id_number", "uscc")) else folded)
    submitted = api_client.post(f"{API}{response.json()['id']}/submit/", format="json")
    assert submitted.status_code in (202, 400)


def test_a_superscript_is_a_field_error_in_the_api(api_client, example):
    example["employees"][0]["id_number"] = "²" + example["employees"][0]["id_number"][1:]
    response = api_client.post(API, example, format="json")
    assert response.status_code == 400
    assert _errors(response) == {"employees[0].id_number": "charset"}
    assert not Employee.objects.exists()


@pytest.mark.parametrize("typed", ["²10105194912310026", "١10105194912310026",
                                   "１１０１０５１９４９１２３１００２Ｘ"])
def test_the_cli_folds_or_explains(typed):
    result = subprocess.run([YILIAN, "check", "id", typed], capture_output=True, text=True,
                            timeout=60)
    if typed.startswith("１"):
        assert result.returncode == 0 and "11010519491231002X" in result.stdout
    else:
        assert result.returncode == 1 and "[id.charset]" in result.stdout
        assert "Traceback" not in result.stderr


def test_the_cli_survives_bytes_that_are_not_text():
    result = subprocess.run([YILIAN.encode(), b"check", b"uscc", b"\xff\xfe91371071"],
                            capture_output=True, timeout=60)
    assert result.returncode == 1 and b"Traceback" not in result.stderr


def test_permit_numbers_are_folded(api_client, example):
    example["permits"] = {"any-entry": "鲁食药（２０２６）０１２３"}
    response = api_client.post(API, example, format="json")
    assert response.status_code == 201
    assert response.json()["permits"] == {"any-entry": "鲁食药(2026)0123"}


def test_json_numbers_as_money_were_floats():
    """Why money is a string: a JSON number reaches Python (and JavaScript) as a float."""
    assert json.loads("99999999999999.99") != Decimal("99999999999999.99")
