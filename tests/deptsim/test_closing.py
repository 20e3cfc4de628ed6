"""The reference department systems act on a closing (注销, issue 13): a payload with
``"purpose": "close"`` is a request to clear or close, not to register — tax clears the
enterprise (清税), the insurance and fund accounts are closed, the seals retired, the bank
told — each over HTTP in a real department process."""

import pytest

from tests import factories
from tests.deptsim.harness import step_request, wait_for
from yilian.departments import registry

pytestmark = pytest.mark.django_db

USCC = "91371071MA0000015F"


@pytest.mark.parametrize(("code", "prefix", "act"), [
    ("tax", "QS", "清税"), ("seals", "YZ", "印章缴销"),
    ("social_security", "SB", "社会保险登记注销"), ("bank", "YH", "告知银行销户")])
def test_a_department_acts_on_a_closing(department, code, prefix, act):
    process = department(code)
    app = factories.application(bank=True)
    payload = {**registry.get(code).build_payload(app), "purpose": "close", "uscc": USCC}
    status, answer = process.call("POST", "/v1/requests",
                                  step_request(code, f"close-{code}", payload))
    assert status in (200, 202), answer
    wait_for(lambda: process.call("GET", f"/v1/requests/close-{code}")[1]["status"] == "done",
             10, what="the closing acted on")
    done = process.call("GET", f"/v1/requests/close-{code}")[1]
    assert done["reference"].startswith(prefix)
    assert (done["data"]["act"], done["data"]["uscc"]) == (act, USCC)
    if code == "seals":
        assert done["data"]["retired"] == app.seals
    # The same department, asked to register, still registers.
    status, answer = process.call("POST", "/v1/requests",
                                  step_request(code, f"open-{code}",
                                               registry.get(code).build_payload(app)))
    assert status in (200, 202), answer
