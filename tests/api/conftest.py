"""API fixtures: users, and clients that log in the way a real client does (a bearer
token from ``POST /api/v1/auth/token/``), plus the example application."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"
PASSWORD = "pw-for-tests-1"


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(username, password=PASSWORD, **extra)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def applicant(db):
    return make_user("applicant")


@pytest.fixture
def other_applicant(db):
    return make_user("other-applicant")


@pytest.fixture
def staff_user(db):
    """A window clerk (窗口人员): reads submitted applications, never drafts."""
    from yilian.accounts import roles

    user = make_user("staff")
    roles.grant(user, roles.CLERK)
    return user


@pytest.fixture
def client_for() -> Callable[..., APIClient]:
    """An API client holding a bearer token obtained through the token endpoint."""

    def build(user) -> APIClient:
        client = APIClient()
        answer = client.post("/api/v1/auth/token/",
                             {"username": user.get_username(), "password": PASSWORD},
                             format="json")
        assert answer.status_code == 200, answer.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['token']}")
        return client

    return build


@pytest.fixture
def api_client(applicant, client_for) -> APIClient:
    return client_for(applicant)


@pytest.fixture
def example() -> dict:
    """A fresh copy of docs/examples/application.json for each test to change at will."""
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))
