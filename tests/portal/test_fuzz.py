"""Whatever a browser (or a script) posts to a step of the form, the answer is the page
with field errors or the next page — never a server error — and the draft survives."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yilian.forms.models import Application

STEPS = ("enterprise", "scope", "investors", "people", "employees", "choices", "parties",
         "review")
NAMES = re.compile(r'name="([^"]+)"')
# Text a person might type, and text nobody should: digits, Chinese, symbols, huge, empty.
VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789.-eE,", max_size=24),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "99999999999999999999",
                     "2030-02-30", "9999-12-31", "威海一链科技有限公司", "<script>",
                     "371002198603120110", "91371071MA0000015F", "\x00", "１２３"]),
)


def _field_names(client, url: str) -> list[str]:
    page = client.get(url).content.decode()
    return sorted({n for n in NAMES.findall(page) if n != "csrfmiddlewaretoken"})


@pytest.mark.parametrize("step", STEPS)
def test_no_step_answers_a_server_error(signed_in, draft, step):
    url = reverse("portal:step", kwargs={"pk": draft.pk, "step": step})
    names = _field_names(signed_in, url) + ["investors-7-amount", "people-99-role",
                                            "employees-0-id_number", "remove", "add"]

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dictionaries(st.sampled_from(names), VALUES, max_size=12),
           st.sampled_from(["save", "next", "back", "submit", "", "x"]))
    def post(data, go):
        response = signed_in.post(url, {**data, "go": go})
        assert response.status_code in (200, 302, 400), response.status_code
        assert Application.objects.filter(pk=draft.pk).exists()

    post()


def test_live_checks_never_answer_a_server_error(signed_in):
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(["id", "amount", "uscc", "phone", "name"]), VALUES)
    def check(kind, value):
        url = reverse("portal:check-name") if kind == "name" else \
            reverse("portal:check", kwargs={"kind": kind})
        response = signed_in.get(url, {"value": value, "name": value, "field": "f-1"})
        assert response.status_code in (200, 400, 404), response.status_code

    check()
