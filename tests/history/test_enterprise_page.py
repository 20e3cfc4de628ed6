"""The enterprise's page (企业档案): its standing, every registration event with what
changed, each license version, the chain of each application; the owner's and window
staff's, nobody else's."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from tests.history.conftest import NEW_DOMICILE, close
from yilian.accounts import roles
from yilian.licenses.models import License

pytestmark = pytest.mark.django_db


def page(client, enterprise, language="zh-hans"):
    response = client.get(f"/me/enterprises/{enterprise.uscc}/",
                          HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _user(name: str, *grants: str):
    user = get_user_model().objects.create_user(name, password="unused-pw-1")
    for role in grants:
        roles.grant(user, role)
    return user


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start:html.index("</ol>" if section_id == "history" else "</ul>", start)]


def test_the_history_shows_each_event_with_what_changed(client, changed):
    client.force_login(changed.application.owner)
    html = page(client, changed)
    history = _section(html, "history")
    # Newest first: the filing, the change, the establishment.
    assert re.findall(r'data-kind="(\w+)"', history) == ["filed", "changed", "established"]
    assert "变更登记" in history and "备案" in history and "设立登记" in history
    domicile = re.search(r'data-particular="domicile">(.*?)</tr>', history, re.S).group(1)
    before, after = re.findall(r'<td class="(?:before|after)">(.*?)</td>', domicile)
    assert after == NEW_DOMICILE and before == changed.application.domicile
    capital = re.search(r'data-particular="registered_capital">(.*?)</tr>', history, re.S)
    assert "200万元" in capital.group(1)
    assert re.search(r'data-particular="people.contact">.*?新联络员', history, re.S)
    # The change issued version 2; each event links its application's progress page.
    assert "签发营业执照 第 1 版" in history.split('data-kind="established"')[1]
    changed_part = history.split('data-kind="changed"')[1].split('data-kind="established"')[0]
    assert "换发营业执照 第 2 版" in changed_part
    assert "营业执照" not in history.split('data-kind="filed"')[1].split('data-kind=')[0]
    for app_id in {str(e.application_id) for e in changed.events.all()}:
        assert f"/me/applications/{app_id}/" in history
    # Each event shows its chain: the change asked registration and tax, not seals.
    changed_event = history.split('data-kind="changed"')[1].split('data-kind="established"')[0]
    assert 'class="chain-steps' in changed_event
    assert "涉税事项" in changed_event and "印章刻制" not in changed_event
    established = history.split('data-kind="established"')[1]
    assert "印章刻制" in established


def test_license_versions_with_their_status_and_files(client, changed):
    client.force_login(changed.application.owner)
    licenses = _section(page(client, changed), "licenses")
    assert re.findall(r'data-version="(\d)" data-status="(\w+)"', licenses) == [
        ("2", "current"), ("1", "superseded")]
    assert f"/api/v1/licenses/{changed.uscc}/v1/pdf/" in licenses
    assert f"/api/v1/licenses/{changed.uscc}/v2/json/" in licenses
    assert f"/verify/{changed.uscc}/v1/" in licenses
    assert "现行有效" in licenses and "已换发" in licenses


def test_change_and_closing_are_offered_only_while_active(client, enterprise):
    client.force_login(enterprise.application.owner)
    html = page(client, enterprise)
    assert 'data-status="active"' in html and "存续" in html
    assert f'action="/me/enterprises/{enterprise.uscc}/change/"' in html
    assert f'href="/me/enterprises/{enterprise.uscc}/close/"' in html
    close(enterprise)
    html = page(client, enterprise)
    assert 'data-status="closed"' in html and "已注销" in html
    assert "/change/" not in html and "/close/" not in html
    assert enterprise.closed_on.isoformat() in html
    history = _section(html, "history")
    assert re.findall(r'data-kind="(\w+)"', history) == ["closed", "established"]
    licenses = _section(html, "licenses")
    assert re.findall(r'data-status="(\w+)"', licenses) == ["revoked"]


def test_in_english(client, changed):
    client.force_login(changed.application.owner)
    html = page(client, changed, "en")
    assert "Change of registration" in html and "Domicile" in html
    assert "Active" in html


def test_window_staff_read_it_and_link_their_own_pages(client, changed):
    clerk = _user("clerk-1", roles.CLERK)
    client.force_login(clerk)
    html = page(client, changed)
    assert f"/workbench/applications/{changed.application_id}/" in html
    assert "/me/applications/" not in html


@pytest.mark.parametrize("grants", [(roles.APPLICANT,), (roles.ADMIN,)])
def test_anyone_else_gets_404_as_for_no_such_code(client, enterprise, grants):
    client.force_login(_user("someone", *grants))
    assert client.get(f"/me/enterprises/{enterprise.uscc}/").status_code == 404
    assert client.get("/me/enterprises/91371071MA3C7X0012/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, enterprise):
    response = client.get(f"/me/enterprises/{enterprise.uscc}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_enterprises_on_the_portal_index_link_the_page(client, changed):
    client.force_login(changed.application.owner)
    html = client.get("/me/").content.decode()
    mine = html[html.index('id="enterprises"'):]
    assert f"/me/enterprises/{changed.uscc}/" in mine
    assert changed.name in mine and "存续" in mine
    # The download is the license in force (v2), not the first one.
    assert License.objects.filter(uscc=changed.uscc).count() == 2


def test_a_change_under_way_is_linked_instead_of_the_buttons(client, enterprise):
    from yilian.forms import afterwards

    opened = afterwards.open_change(enterprise, enterprise.application.owner)
    client.force_login(enterprise.application.owner)
    html = page(client, enterprise)
    under_way = html[html.index('id="open-application"'):]
    assert f"/me/applications/{opened.pk}/" in under_way.split("</p>")[0]
    assert "正在办理的变更申请" in under_way.split("</p>")[0]
    assert 'id="start-change"' not in html and 'id="start-closing"' not in html
