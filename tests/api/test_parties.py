"""Parties' consent over the API (DESIGN §5): list, invite, confirm, and no submission
until every party confirmed; the demo outbox; identity checks and text-message limits
as a client sees them."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.api.conftest import confirm_every_party
from yilian.accounts.models import OutboxMessage

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"


def _parties(client, draft) -> list[dict]:
    answer = client.get(f"{URL}{draft['id']}/parties/")
    assert answer.status_code == 200, answer.content
    return answer.json()


def _by_name(client, draft) -> dict[str, dict]:
    return {p["name"]: p for p in _parties(client, draft)}


@pytest.fixture
def draft(api_client, example) -> dict:
    answer = api_client.post(URL, example, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_each_natural_person_is_listed_once_with_all_their_roles(api_client, draft):
    parties = _by_name(api_client, draft)
    assert set(parties) == {"张伟", "李娜", "王强", "刘洋", "陈静"}
    assert parties["张伟"]["roles"] == ["investor", "legal_representative", "director"]
    assert parties["陈静"]["roles"] == ["tax_handler", "contact"]
    assert all(p["confirmed_at"] is None and p["state"] == "pending"
               for p in parties.values())
    assert parties["李娜"]["phone"] == "135****0003"  # masked: the client knows it anyway


def test_submission_names_every_party_who_has_not_confirmed(api_client, draft):
    answer = api_client.post(f"{URL}{draft['id']}/submit/")
    assert answer.status_code == 400
    errors = [e for e in answer.json()["errors"] if e["code"] == "parties.unconfirmed"]
    assert len(errors) == 5
    for name in ("张伟", "李娜", "王强", "刘洋", "陈静"):
        assert any(name in e["message_zh"] and name in e["message_en"] for e in errors)


@override_settings(DEMO_MODE=True)
def test_invite_read_the_outbox_confirm_then_submit(api_client, draft):
    lina = _by_name(api_client, draft)["李娜"]
    base = f"{URL}{draft['id']}/parties/{lina['id']}/"
    assert api_client.post(f"{base}invite/").status_code == 200
    outbox = api_client.get("/api/v1/demo/outbox/").json()
    newest = outbox[0]
    assert newest["phone"] == "13506310003" and newest["code"] in newest["text"]
    assert set(newest) == {"phone", "text", "code", "sent_at"}
    wrong = "000000" if newest["code"] != "000000" else "111111"
    refused = api_client.post(f"{base}confirm/", {"code": wrong}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "code.invalid"
    done = api_client.post(f"{base}confirm/", {"code": newest["code"]}, format="json")
    assert done.status_code == 200 and done.json()["confirmed_at"]
    assert done.json()["confirmed_via"] == "code"
    # The others still hold the submission.
    answer = api_client.post(f"{URL}{draft['id']}/submit/")
    names = " ".join(e["message_zh"] for e in answer.json()["errors"])
    assert "李娜" not in names and "张伟" in names
    confirm_every_party(api_client, draft["id"])
    assert api_client.post(f"{URL}{draft['id']}/submit/").status_code == 202


def test_changing_the_form_voids_confirmations(api_client, draft):
    confirm_every_party(api_client, draft["id"])
    api_client.patch(f"{URL}{draft['id']}/", {"domicile": "威海市另一条路2号"}, format="json")
    parties = _parties(api_client, draft)
    assert {p["state"] for p in parties} == {"stale"}
    assert all(p["confirmed_at"] is None for p in parties)
    assert api_client.post(f"{URL}{draft['id']}/submit/").status_code == 400


def test_a_party_cannot_be_dropped_while_in_the_form(api_client, draft, example):
    """Parties follow the form: there is no way to remove one but to remove the person."""
    lina = _by_name(api_client, draft)["李娜"]
    assert api_client.delete(f"{URL}{draft['id']}/parties/{lina['id']}/").status_code in (
        404, 405)
    assert "李娜" in _by_name(api_client, draft)
    # Replacing her as supervisor leaves her an investor, still a party.
    people = [p for p in example["people"] if p["role"] != "supervisor"]
    people.append({**example["people"][3], "name": "王芳",
                   "id_number": "371002198001010010", "phone": "13906310088"})
    api_client.patch(f"{URL}{draft['id']}/", {"people": people}, format="json")
    parties = _by_name(api_client, draft)
    assert parties["李娜"]["roles"] == ["investor"] and parties["王芳"]["roles"] == [
        "supervisor"]
    # Out of the form altogether: no longer a party.
    api_client.patch(f"{URL}{draft['id']}/", {"investors": example["investors"][:1]},
                     format="json")
    assert "李娜" not in _by_name(api_client, draft)


def test_an_identity_mismatch_is_a_field_error_naming_the_person(api_client, example):
    example["people"][3]["phone"] = "13906319999"  # 李娜's supervisor row
    example["investors"][1]["phone"] = "13906319999"
    draft = api_client.post(URL, example, format="json").json()
    lina = _by_name(api_client, draft)["李娜"]
    answer = api_client.post(f"{URL}{draft['id']}/parties/{lina['id']}/invite/")
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert error["field"] == "investors[1].phone"
    assert error["code"] == "identity.phone_mismatch"
    assert error["message_zh"] == "身份核验未通过：李娜的身份证号码与手机号码不属于同一人"
    assert not OutboxMessage.objects.filter(to="13906319999").exists()


def test_when_the_identity_service_is_down_nobody_passes(api_client, draft, settings):
    settings.SIMULATOR = {**settings.SIMULATOR, "outages": "identity@*"}
    lina = _by_name(api_client, draft)["李娜"]
    answer = api_client.post(f"{URL}{draft['id']}/parties/{lina['id']}/invite/")
    assert answer.status_code == 503
    assert answer.json()["errors"][0]["code"] == "identity.unavailable"
    assert "稍后再试" in answer.json()["errors"][0]["message_zh"]
    assert not OutboxMessage.objects.exists()


def test_submission_checks_identity_again_and_says_when_it_cannot(api_client, draft,
                                                                  settings):
    confirm_every_party(api_client, draft["id"])
    settings.SIMULATOR = {**settings.SIMULATOR, "outages": "identity@*"}
    answer = api_client.post(f"{URL}{draft['id']}/submit/")
    assert answer.status_code == 400
    assert [e["code"] for e in answer.json()["errors"]] == ["identity.unavailable"]
    assert api_client.get(f"{URL}{draft['id']}/").json()["status"] == "draft"


def test_only_the_owner_invites_and_confirms(api_client, draft, other_applicant, staff_user,
                                             client_for):
    lina = _by_name(api_client, draft)["李娜"]
    base = f"{URL}{draft['id']}/parties/"
    other = client_for(other_applicant)
    assert other.get(base).status_code == 404
    assert other.post(f"{base}{lina['id']}/invite/").status_code == 404
    # Window staff never see a draft (issue 8 §4): its parties are as hidden as it is.
    staff = client_for(staff_user)
    assert staff.get(base).status_code == 404
    assert staff.post(f"{base}{lina['id']}/invite/").status_code == 404
    assert api_client.post(f"{base}999999/invite/").status_code == 404
    # Without a code, only the party themselves (signed in with their phone) confirms.
    refused = api_client.post(f"{base}{lina['id']}/confirm/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == \
        "parties.not_you"


def test_the_outbox_exists_in_demo_mode_only(client, settings):
    settings.DEMO_MODE = False
    assert client.get("/api/v1/demo/outbox/").status_code == 404
    settings.DEMO_MODE = True
    assert client.get("/api/v1/demo/outbox/").json() == []


def test_codes_are_not_kept_outside_demo_mode(api_client, draft, settings):
    settings.DEMO_MODE = False
    lina = _by_name(api_client, draft)["李娜"]
    api_client.post(f"{URL}{draft['id']}/parties/{lina['id']}/invite/")
    assert OutboxMessage.objects.get(to="13506310003").code == ""
