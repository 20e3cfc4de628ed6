"""Rotating the secret key (YILIAN_SECRET_KEY) with the old one in
YILIAN_SECRET_KEY_FALLBACKS signs nobody out: sessions, signed values, sign-in codes texted
before the switch and API tokens made under the old key are accepted — and refused once the
old key is no longer listed, which is what a rotation after a leak wants."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from rest_framework.test import APIClient

from yilian.accounts import services, tokens

pytestmark = pytest.mark.django_db

OLD = "old-secret-key-" + "o" * 40
NEW = "new-secret-key-" + "n" * 40
APPS = "/api/v1/applications/"


@pytest.fixture
def old_key(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEMO_MODE = True  # the outbox keeps the code, as the demo's does
    return settings


def _rotate(settings, keep_old: bool) -> None:
    settings.SECRET_KEY = NEW
    settings.SECRET_KEY_FALLBACKS = [OLD] if keep_old else []


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_session_made_with_the_old_key(old_key, keep_old):
    user = get_user_model().objects.create_user("rotated", password="a-long-passphrase-9")
    client = APIClient()
    client.force_login(user)  # the session and its password hash, made with OLD
    assert client.get(APPS).status_code == 200
    _rotate(old_key, keep_old)
    assert client.get(APPS).status_code == (200 if keep_old else 401)  # signed out


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_signed_value_made_with_the_old_key(old_key, keep_old):
    value = signing.dumps({"application": 7}, salt="yilian.test")
    _rotate(old_key, keep_old)
    if keep_old:
        assert signing.loads(value, salt="yilian.test") == {"application": 7}
    else:
        with pytest.raises(signing.BadSignature):
            signing.loads(value, salt="yilian.test")
    # What is signed from now on is signed with the new key alone.
    fresh = signing.dumps("x", salt="yilian.test")
    assert signing.loads(fresh, key=NEW, salt="yilian.test", fallback_keys=[]) == "x"


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_code_texted_before_the_rotation(old_key, keep_old):
    message = services.send_code("13800001234")
    _rotate(old_key, keep_old)
    if keep_old:
        assert services.check_code("13800001234", message.code) == "13800001234"
    else:
        with pytest.raises(services.CodeError):
            services.check_code("13800001234", message.code)


def test_a_code_texted_after_the_rotation_uses_the_new_key(old_key):
    _rotate(old_key, keep_old=True)
    message = services.send_code("13800005678")
    old_key.SECRET_KEY_FALLBACKS = []  # the old key plays no part in it
    assert services.check_code("13800005678", message.code) == "13800005678"


@pytest.mark.parametrize("keep_old", [True, False])
def test_an_api_token_issued_before_the_rotation(old_key, keep_old):
    user = get_user_model().objects.create_user("holder", password="a-long-passphrase-9")
    key, _ = tokens.issue(user)
    _rotate(old_key, keep_old)
    assert (tokens.find(key) is not None) is keep_old
