"""The names of things, in the reader's language (界面名称).

Domain labels stay in Chinese where they are defined — model choices, departments'
``name_zh`` — because they go into licenses, department payloads and audit entries that
must not change with a reader's language. They are marked there with ``gettext_noop`` so
that the catalogues carry them, and pages translate them through this module.
"""

from __future__ import annotations

from enum import Enum

from django.db import models
from django.utils.translation import get_language, gettext

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


def bilingual(message_zh: str, message_en: str, language: str | None = None) -> str:
    """A service's message (the API carries both texts) in the reader's language: English,
    or the Chinese — in Traditional for a zh-Hant reader, the data it quotes (a name, a
    scope entry) left as written, so it reads as the page shows it elsewhere."""
    language = (language or get_language() or "zh-hans").lower()
    if language.startswith("en"):
        return message_en
    if language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
        from yilian.i18n import to_traditional

        return to_traditional(message_zh, keep_quoted=True)
    return message_zh


def refusal(error) -> str:
    """An exception with ``message_zh`` / ``message_en`` in the reader's language."""
    return bilingual(error.message_zh, error.message_en)
