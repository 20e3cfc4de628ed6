"""Password sign-in: lockout per account and per address (counted in the database), the
same answer for a locked account whatever the password, the Django admin through the same
page, Django's password validators, and phone sign-in never opening a staff account."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.urls import reverse

from yilian.accounts import roles, services
from yilian.accounts.models import SignInFailure

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-staff-passphrase-1"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SIGNIN_MAX_FAILURES = 3
    settings.SIGNIN_MAX_FAILURES_PER_CLIENT = 6
    settings.SIGNIN_WINDOW_MINUTES = 15


@pytest.fixture
def clerk():
    user = get_user_model().objects.create_user("clerk-li", password=PASSWORD)
    roles.grant(user, roles.CLERK)
    return user


def _login(client, username, password, addr="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=addr)


def test_the_account_locks_after_repeated_failures_and_the_right_password_is_refused_alike(
        client, clerk):
    for _ in range(3):
        assert _login(client, "clerk-li", "wrong").status_code == 200
    # Whatever the process: the count is in the database, not a process's cache.
    caches["default"].clear()
    assert SignInFailure.objects.filter(username="clerk-li").count() == 3
    right, wrong = _login(client, "clerk-li", PASSWORD), _login(client, "clerk-li", "wrong")
    for answer in (right, wrong):
        assert answer.status_code == 200 and "_auth_user_id" not in client.session
        assert "登录失败次数过多" in answer.content.decode()
    # Another address does not unlock the account.
    assert "登录失败次数过多" in _login(client, "clerk-li", PASSWORD, "10.9.9.9").content.decode()
    english = client.post(reverse("login"), {"username": "clerk-li", "password": PASSWORD},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert "too many failed sign-ins" in english.content.decode()


def test_one_address_guessing_many_accounts_is_locked(client, clerk):
    for n in range(6):
        _login(client, f"nobody{n}", "guess", addr="10.6.6.6")
    answer = _login(client, "clerk-li", PASSWORD, addr="10.6.6.6")
    assert "登录失败次数过多" in answer.content.decode()
    assert _login(client, "clerk-li", PASSWORD, addr="10.7.7.7").status_code == 302


def test_a_success_clears_the_accounts_failures(client, clerk):
    for _ in range(2):
        _login(client, "clerk-li", "wrong")
    assert _login(client, "clerk-li", PASSWORD).status_code == 302
    assert not SignInFailure.objects.filter(username="clerk-li").exists()


def test_the_token_endpoint_counts_and_locks_too(client, clerk):
    for _ in range(3):
        answer = client.post(TOKEN, {"username": "CLERK-LI", "password": "x"},
                             content_type="application/json")
        assert answer.json()["errors"][0]["code"] == "invalid_credentials"
    answer = client.post(TOKEN, {"username": "clerk-li", "password": PASSWORD},
                         content_type="application/json")
    assert answer.status_code == 400
    (error,) = answer.json()["errors"]
    assert error["code"] == "signin.locked" and error["message_zh"] and error["message_en"]
    # The page is locked by the API's failures: one count for every door.
    assert "登录失败次数过多" in _login(client, "clerk-li", PASSWORD).content.decode()


def test_the_django_admin_signs_in_through_the_same_page(client):
    answer = client.get("/admin/login/?next=/admin/rules/")
    assert answer.status_code == 302
    assert answer["Location"] == f"{reverse('login')}?next=%2Fadmin%2Frules%2F"
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 302
    assert not SignInFailure.objects.exists()  # nothing checked there, nothing counted


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901", "clerk-li-2"])
def test_django_password_validators_are_on(clerk, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=clerk)
    validate_password("tide-lantern-harbour-17", user=clerk)


@pytest.mark.parametrize("how", ["role", "is_staff", "superuser"])
def test_phone_sign_in_never_opens_a_staff_account(client, how):
    phone = "13906318888"
    user = get_user_model().objects.create_user(phone, password=PASSWORD,
                                                is_staff=how == "is_staff",
                                                is_superuser=how == "superuser")
    if how == "role":
        roles.grant(user, roles.officer_group("tax"))
    message = services.send_code(phone)
    code = message.body.split("验证码是")[1][:6]
    answer = client.post(reverse("phone-sign-in"), {"phone": phone, "code": code})
    assert answer.status_code == 400 and "_auth_user_id" not in client.session
    assert "请使用工作人员账号密码登录" in answer.content.decode()
    with pytest.raises(services.CodeError) as refused:
        services.applicant_account(phone)
    assert refused.value.code == "account.staff" and "staff sign-in" in refused.value.message_en
