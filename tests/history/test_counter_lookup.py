"""At the counter, window staff open an enterprise's page by its credit code."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from yilian.accounts import roles
from yilian.codes import uscc

pytestmark = pytest.mark.django_db
URL = "/workbench/enterprises/"


@pytest.fixture
def clerk(client):
    user = get_user_model().objects.create_user("clerk-2", password="unused-pw-1")
    roles.grant(user, roles.CLERK)
    client.force_login(user)
    return client


def test_the_counter_page_offers_the_lookup(clerk):
    html = clerk.get("/workbench/counter/").content.decode()
    assert 'id="enterprise-lookup"' in html and f'action="{URL}"' in html


def test_a_registered_code_opens_the_enterprise_page(clerk, changed):
    # As read off a license: lower case, full-width digits, spaces around.
    typed = " " + changed.uscc.lower().replace("9", "９") + " "
    response = clerk.get(URL, {"uscc": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/me/enterprises/{changed.uscc}/"
    page = clerk.get(response["Location"])
    assert page.status_code == 200 and changed.name in page.content.decode()


def test_a_malformed_code_is_a_field_error(clerk):
    response = clerk.get(URL, {"uscc": "91371071MA3C7X001X"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="uscc-error"' in html and "校验码错误" in html
    english = clerk.get(URL, {"uscc": "123"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and "18" in english.content.decode()


def test_a_valid_code_not_in_the_register_says_so(clerk):
    code = uscc.make("371071", 777)
    response = clerk.get(URL, {"uscc": code})
    assert response.status_code == 404
    assert f"登记簿中没有统一社会信用代码为 {code} 的市场主体" in response.content.decode()
    english = clerk.get(URL, {"uscc": code}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not in the register" in english


def test_only_window_staff(client, enterprise):
    client.force_login(enterprise.application.owner)
    assert client.get(URL, {"uscc": enterprise.uscc}).status_code == 403


def test_the_review_page_links_the_enterprise(clerk, changed):
    for event in changed.events.all():
        html = clerk.get(f"/workbench/applications/{event.application_id}/").content.decode()
        assert f'href="/me/enterprises/{changed.uscc}/" id="enterprise-link"' in html
