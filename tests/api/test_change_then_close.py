"""Issue 13's "done when", through the API alone: the owner registers the example
enterprise (docs/examples/application.json), changes its domicile and capital, then closes
it by the simplified route with the notice period at 0 days (as the demo runs), and reads
every step — each chain's steps, the register's history, and both license versions, the
first superseded by the change, the second revoked by the closing."""

from __future__ import annotations

import pytest

from tests.api import test_enterprises
from tests.api.conftest import confirm_every_party
from yilian.chain import engine
from yilian.licenses import signing
from yilian.licenses.models import License

pytestmark = pytest.mark.django_db
URL = "/api/v1/applications/"
registered = test_enterprises.registered  # the example, registered through the API
NEW_HOME = "山东省威海市火炬高技术产业开发区文化西路180号创业大厦B座1203室"


def _submitted_and_done(client, application: dict) -> dict:
    confirm_every_party(client, application["id"])
    answer = client.post(f"{URL}{application['id']}/submit/")
    assert answer.status_code == 202, answer.content
    engine.drain()
    done = client.get(f"{URL}{application['id']}/").json()
    assert done["status"] == "completed", done["steps"]
    assert all(step["status"] == "done" for step in done["steps"])
    return done


def _verified(client, lic: License) -> str:
    body = client.post("/api/v1/licenses/verify/", signing.canonical(lic.signed),
                       content_type="application/json").json()
    assert body["valid"] is True
    return body["status"]


def test_the_example_is_changed_then_closed_and_every_step_shows(api_client, registered,
                                                                  settings):
    settings.CLOSING_NOTICE_DAYS = 0
    uscc = registered["uscc"]

    change = api_client.post(f"/api/v1/enterprises/{uscc}/changes/").json()
    investors = change["investors"]
    investors[0]["amount"], investors[1]["amount"] = "1200000.00", "800000.00"
    answer = api_client.patch(f"{URL}{change['id']}/", {
        "domicile": NEW_HOME, "registered_capital": "2000000.00", "investors": investors,
    }, format="json")
    assert answer.status_code == 200, answer.content
    assert set(answer.json()["changes"]) == {"domicile", "registered_capital", "investors"}
    changed = _submitted_and_done(api_client, change)
    assert changed["steps"][0]["code"] == "registration"
    assert "seals" not in {step["code"] for step in changed["steps"]}  # the name stayed

    closing = api_client.post(f"/api/v1/enterprises/{uscc}/closures/",
                              {"route": "simplified", "debts": "none"}, format="json")
    assert closing.status_code == 201, closing.content
    closed = _submitted_and_done(api_client, closing.json())
    codes = [step["code"] for step in closed["steps"]]
    assert "tax" in codes and "registration" in codes

    enterprise = api_client.get(f"/api/v1/enterprises/{uscc}/").json()
    assert enterprise["status"] == "closed"
    assert [event["kind"] for event in enterprise["history"]] == [
        "established", "changed", "closed"]
    assert enterprise["history"][1]["changes"]["domicile"][1] == NEW_HOME
    assert [(lic["version"], lic["status"]) for lic in enterprise["licenses"]] == [
        (2, "revoked"), (1, "superseded")]
    first, second = License.objects.filter(uscc=uscc).order_by("version")
    assert second.fields["domicile"] == NEW_HOME
    assert (_verified(api_client, first), _verified(api_client, second)) == (
        "superseded", "revoked")
