"""Fixtures for the one form: the example application, parsed the way the API parses it
and saved as a draft through the services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from yilian.api.applications import ApplicationSerializer
from yilian.forms import services
from yilian.forms.models import Application

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"


def example_data() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def parse(data: dict) -> dict:
    serializer = ApplicationSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user("owner", password="unused-password")


@pytest.fixture
def draft(owner) -> Application:
    """The example application as a saved draft (valid: it passes every check)."""
    return services.create_draft(owner, parse(example_data()))
