"""The reference departments act on the payloads of every kind (issue 12): the members a
kind adds are optional (docs/department-protocol.md §3), and a real department process
takes each kind's payload, as the adapters build it, over HTTP."""

import pytest

from tests import kindapps
from tests.deptsim.harness import step_request, wait_for
from yilian.departments import registry

pytestmark = pytest.mark.django_db


def test_each_kinds_tax_seals_and_social_security_payloads_are_acted_on(department):
    # Seals answer late (accepted, then acted on): soon, here.
    running = {code: department(code, **({"async_after": "0.1"} if code == "seals" else {}))
               for code in ("tax", "seals", "social_security")}
    apps = {"individual": kindapps.individual(employees=True, seals=True),
            "partnership": kindapps.partnership(), "branch": kindapps.branch(),
            "cooperative": kindapps.cooperative(), "joint_stock": kindapps.joint_stock()}
    for family, app in apps.items():
        for code, process in running.items():
            adapter = registry.get(code)
            if not adapter.applies_to(app):
                continue
            payload = adapter.build_payload(app)
            key = f"{family}-{code}"
            status, answer = process.call("POST", "/v1/requests",
                                          step_request(code, key, payload))
            assert status in (200, 202), (family, code, answer)
            wait_for(lambda p=process, k=key: p.call("GET", f"/v1/requests/{k}")[1]
                     ["status"] == "done", 10, what=f"{key} acted on")
    tax = apps["individual"]
    assert registry.get("tax").build_payload(tax)["responsible"] == "孙经营"
