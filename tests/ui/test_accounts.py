"""Signing in by phone: codes through the outbox, hashed, limited, spent once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from yilian.accounts import roles, services
from yilian.accounts.models import OutboxMessage, PhoneCode

pytestmark = pytest.mark.django_db


def _code(phone: str) -> str:
    return re.search(r"\d{6}", OutboxMessage.objects.filter(to=phone).first().body).group(0)


def test_a_code_goes_through_the_outbox_and_only_its_hash_is_kept():
    services.send_code("138 0013 8000")
    code = _code("13800138000")
    assert code not in PhoneCode.objects.get().code_hash


def test_first_sign_in_creates_an_applicant_and_the_code_is_spent():
    services.send_code("13800138000")
    code = _code("13800138000")
    user = services.sign_in_with_code("13800138000", code)
    assert roles.APPLICANT in roles.roles_of(user)
    with pytest.raises(services.CodeError):
        services.sign_in_with_code("13800138000", code)


@pytest.mark.parametrize("phone", ["12345", "23800138000", "1380013800a", ""])
def test_not_a_mobile_number(phone):
    with pytest.raises(services.CodeError) as error:
        services.send_code(phone)
    assert error.value.code == "phone.invalid"


def test_resend_waits_and_guessing_stops_after_five_tries():
    services.send_code("13800138001")
    with pytest.raises(services.CodeError, match="again"):
        services.send_code("13800138001")
    right = _code("13800138001")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(services.MAX_ATTEMPTS):
        with pytest.raises(services.CodeError):
            services.sign_in_with_code("13800138001", wrong)
    with pytest.raises(services.CodeError):
        services.sign_in_with_code("13800138001", right)


def test_phone_page_shows_the_error_beside_the_field(client):
    response = client.post(reverse("phone-sign-in"), {"phone": "123"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_outbox_exists_only_in_demo_mode(client, settings):
    settings.DEMO_MODE = False
    assert client.get(reverse("outbox")).status_code == 404
    settings.DEMO_MODE = True
    assert client.get(reverse("outbox")).status_code == 200


@pytest.mark.parametrize(("role", "allowed"), [
    (roles.APPLICANT, {"portal:index"}),
    (roles.CLERK, {"workbench:index"}),
    (roles.EXAMINER, {"workbench:index"}),
    (roles.officer_group("tax"), {"workbench:console"}),
    (roles.ADMIN, {"dashboard:index"}),
])
def test_each_page_opens_only_for_its_roles(client, django_user_model, role, allowed):
    user = django_user_model.objects.create_user(f"u-{role}", password="pw-12345678")
    roles.grant(user, role)
    client.force_login(user)
    for name in ("portal:index", "workbench:index", "workbench:console", "dashboard:index"):
        status = client.get(reverse(name)).status_code
        assert status == (200 if name in allowed else 403), (role, name, status)


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("workbench:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_number_gets_only_so_many_codes_a_day(monkeypatch):
    monkeypatch.setattr(services, "RESEND_INTERVAL", dt.timedelta(0))
    for _ in range(services.DAILY_CODES_PER_PHONE):
        services.send_code("13800138009")
    with pytest.raises(services.CodeError) as error:
        services.send_code("13800138009")
    assert error.value.code == "phone.daily_limit"
    services.send_code("13800138010")  # another number is not affected


def test_one_address_cannot_flood_many_numbers(client, settings):
    settings.CODES_PER_CLIENT = 3
    url = reverse("phone-sign-in")
    for i in range(3):
        assert client.post(url, {"phone": f"1380013810{i}"}, REMOTE_ADDR="10.0.0.9"
                           ).status_code == 200
    refused = client.post(url, {"phone": "13800138109"}, REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 400 and "请求过于频繁" in refused.content.decode()
    assert client.post(url, {"phone": "13800138109"}, REMOTE_ADDR="10.0.0.10"
                       ).status_code == 200


def test_behind_the_proxy_the_address_it_saw_is_counted(rf, settings):
    from yilian.accounts.views import client_address

    request = rf.post("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    settings.HTTPS = False
    assert client_address(request) == "10.0.0.1"
    settings.HTTPS = True
    assert client_address(request) == "203.0.113.7"
