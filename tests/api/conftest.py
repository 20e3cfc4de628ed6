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


@pytest.fixture(autouse=True)
def _answers_in_hand_match_a_read(monkeypatch):
    """Every submission these tests make answers from the objects in hand
    (``ApplicationViewSet._answer_in_hand``): check each such answer against what a
    fresh read of the application shows, whatever the kind, purpose or outcome."""
    from yilian.api.applications import ApplicationViewSet

    in_hand = ApplicationViewSet._answer_in_hand

    def checked(view, application, code):
        answer = in_hand(view, application, code)
        assert answer.data == view._answer(application, code).data
        return answer

    monkeypatch.setattr(ApplicationViewSet, "_answer_in_hand", checked)


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


def confirm_every_party(client: APIClient, application_id: str) -> None:
    """The README's walk-through: invite each party, read their code from the demo
    outbox, confirm with it."""
    from django.test import override_settings

    with override_settings(DEMO_MODE=True):
        base = f"/api/v1/applications/{application_id}/parties/"
        for party in client.get(base).json():
            if party["state"] == "confirmed":
                continue
            invited = client.post(f"{base}{party['id']}/invite/")
            assert invited.status_code == 200, invited.content
            phone = invited.json()["phone"]
            sent = [m for m in client.get("/api/v1/demo/outbox/").json()
                    if m["code"] and m["phone"][:3] == phone[:3]
                    and m["phone"][-4:] == phone[-4:]]
            confirmed = client.post(f"{base}{party['id']}/confirm/",
                                    {"code": sent[0]["code"]}, format="json")
            assert confirmed.status_code == 200, confirmed.content
