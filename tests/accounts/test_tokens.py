"""API tokens: only a hash in the database; they expire, can be revoked by their holder and
by an operator, and die with a password change."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from yilian.accounts import roles
from yilian.accounts.models import ApiToken

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
APPS = "/api/v1/applications/"
PASSWORD = "a-long-passphrase-for-tokens"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user():
    return get_user_model().objects.create_user("holder", password=PASSWORD)


def _token(username="holder", password=PASSWORD) -> str:
    answer = APIClient().post(TOKEN, {"username": username, "password": password},
                              format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["expires_at"]
    return answer.json()["token"]


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_the_database_keeps_only_the_hash(user):
    key = _token()
    assert _client(key).get(APPS).status_code == 200
    with connection.cursor() as cursor:  # every column of every token row
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        rows = cursor.fetchall()
    assert rows and not any(key in str(value) for row in rows for value in row)


def test_a_token_expires(user, settings):
    key = _token()
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    answer = _client(key).get(APPS)
    assert answer.status_code == 401 and answer["WWW-Authenticate"] == "Bearer"
    settings.API_TOKEN_HOURS = 2
    _token()
    newest = ApiToken.objects.first()
    assert dt.timedelta(hours=1, minutes=59) < newest.expires_at - newest.created_at \
        <= dt.timedelta(hours=2)


def test_delete_revokes_the_token_it_is_sent_with_and_no_other(user):
    first, second = _token(), _token()
    assert _client(first).delete(TOKEN).status_code == 204
    assert _client(first).get(APPS).status_code == 401
    assert _client(first).delete(TOKEN).status_code == 401
    assert _client(second).get(APPS).status_code == 200
    assert APIClient().delete(TOKEN).status_code == 401


def test_a_stale_header_does_not_block_getting_a_new_token(user):
    answer = _client("not-a-token").post(TOKEN, {"username": "holder", "password": PASSWORD},
                                         format="json")
    assert answer.status_code == 200


def test_tokens_die_with_a_password_change(user):
    key = _token()
    user.set_password("another-long-passphrase-2")
    user.save()
    assert _client(key).get(APPS).status_code == 401


def test_an_operator_revokes_every_token_of_a_user(user):
    keys = [_token(), _token()]
    out = io.StringIO()
    call_command("revoke_tokens", "holder", stdout=out)
    assert "2 token(s)" in out.getvalue()
    assert all(_client(k).get(APPS).status_code == 401 for k in keys)


def test_the_zone_admin_revokes_tokens_in_the_django_admin(user, client):
    from yilian.accounts.demo import seed_demo  # the demo admin: permissions by group

    key = _token()
    seed_demo()
    admin = get_user_model().objects.get(username="demo-admin")
    assert admin.is_staff and not admin.is_superuser
    assert roles.ADMIN in roles.roles_of(admin)
    client.force_login(admin)
    token = ApiToken.objects.get(user=user)
    answer = client.post("/admin/accounts/apitoken/",
                         {"action": "revoke", "_selected_action": [token.pk]})
    assert answer.status_code == 302
    assert _client(key).get(APPS).status_code == 401
    # What the admin's job does not need stays shut: applications and licenses.
    assert client.get("/admin/forms/application/").status_code == 403
    assert client.get("/admin/licenses/license/").status_code == 403
    assert client.get("/admin/rules/catalogueamendment/").status_code == 200
