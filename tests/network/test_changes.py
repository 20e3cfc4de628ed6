"""A change of registration over real HTTP (issue 13): the company registered through the
reference departments moves and changes its name; its change asks registration and then
exactly the departments that must know, each once — even when replies are lost — and the
seal and tax systems act on the change (new set, old retired; the new invoice title)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from tests.e2e.processes import wait_for
from tests.network.checks import assert_exactly_once
from yilian.registry.synthetic import trade_name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


# Acts, then the reply is lost: Yilian must ask again with the same key.
LOSSY = ("tax", "social_security")


@contextmanager
def replies_lost(systems):
    """Every reply lost until each system has acted once more (so that a loss surely
    happens), then 30 %: at a steady 50 % the step's own back-off grows past any bound
    a test may wait one time in a few dozen (six losses in a row wait 95 s)."""
    before = [len(system.effects()) for system in systems]
    for system in systems:
        system.set_faults(lost_reply_rate="1")
    yield
    wait_for(lambda: all(len(s.effects()) > n for s, n in zip(systems, before, strict=True)),
             60, interval=0.05, what="the lossy departments to have acted")
    for system in systems:
        system.set_faults(lost_reply_rate="0.3")


def test_a_change_asks_each_department_that_must_know_exactly_once(network):
    yilian, departments = network(options={"seals": {"async_after": "0.5"}})
    lossy = [departments[code] for code in LOSSY]
    with replies_lost(lossy):
        [established] = yilian.submit(1)
    yilian.wait_completed([established], 90)
    company = yilian.application(established)
    client = yilian.client

    status, change = client.call("POST", f"/api/v1/enterprises/{company['uscc']}/changes/")
    assert status == 201, change
    new_name = f"威海{trade_name(3777)}信息技术有限公司"
    status, change = client.call("PATCH", f"/api/v1/applications/{change['id']}/", {
        "name": new_name, "domicile": company["domicile"].replace("火炬路213号", "文化西路180号")})
    assert status == 200, change
    assert set(change["changes"]) == {"name", "domicile"}
    with replies_lost(lossy):
        status, body = client.call("POST", f"/api/v1/applications/{change['id']}/submit/")
        assert status == 202, body
    yilian.wait_completed([change["id"]], 90)

    done = yilian.application(change["id"])
    asked = [step["code"] for step in done["steps"]]
    assert asked[0] == "registration" and len(asked) == len(set(asked))
    assert {"seals", "tax", "social_security", "medical_insurance", "housing_fund",
            "bank"} == set(asked) - {"registration"}
    assert_exactly_once(yilian, departments)
    for system in lossy:
        # Both chains' acts were asked again with their key, and acted on once.
        assert [e["calls"] > 1 for e in system.effects()] == [True, True], system.code
    seal_effects = departments["seals"].effects()
    assert len(seal_effects) == 2  # the establishment's set, and the renamed one's
    status, enterprise = client.call("GET", f"/api/v1/enterprises/{company['uscc']}/")
    assert enterprise["name"] == new_name
    assert [(lic["version"], lic["status"]) for lic in enterprise["licenses"]] == [
        (2, "current"), (1, "superseded")]
