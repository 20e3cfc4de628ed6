"""Portal fixtures: applicants signed in through the Django test client, and the example
application saved as one of their drafts (parsed the way the API parses it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from yilian.accounts import roles
from yilian.accounts.models import OutboxMessage
from yilian.api.applications import ApplicationSerializer
from yilian.forms import services

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEMO_MODE = True


def example_data() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def make_applicant(username: str):
    user = get_user_model().objects.create_user(username, password="unused-pw-1")
    roles.grant(user, roles.APPLICANT)
    return user


def latest_code(phone: str) -> str:
    return re.search(r"\d{6}", OutboxMessage.objects.filter(to=phone).first().body).group(0)


@pytest.fixture
def applicant(db):
    return make_applicant("13900000001")


@pytest.fixture
def other(db):
    return make_applicant("13900000002")


@pytest.fixture
def signed_in(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def draft(applicant):
    """The example application, complete and valid, as the applicant's draft."""
    serializer = ApplicationSerializer(data=example_data())
    assert serializer.is_valid(), serializer.errors
    return services.create_draft(applicant, serializer.validated_data)
