"""The names of things, in the reader's language (界面名称).

Domain labels stay in Chinese where they are defined — model choices, departments'
``name_zh`` — because they go into licenses, department payloads and audit entries that
must not change with a reader's language. They are marked there with ``gettext_noop`` so
that the catalogues carry them, and pages translate them through this module.
"""

from __future__ import annotations

from enum import Enum

from django.db import models
from django.utils.translation import gettext

from yilian.departments import registry


def step_name(code: str) -> str:
    """设立登记 / Registration … for a chain step's code."""
    department = registry.departments().get(code)
    return gettext(department.name_zh) if department else code


def choice(enum: type[models.TextChoices], value: str | Enum | None) -> str:
    """The translated label of one value of a model's choices ('' for none)."""
    if not value:
        return ""
    try:
        return gettext(enum(value).label)
    except ValueError:  # a value from an older form version: show it as it is
        return str(value)


def choices(enum: type[models.TextChoices]) -> dict[str, str]:
    """Every value of a model's choices with its translated label, in order."""
    return {value: gettext(label) for value, label in enum.choices}
