"""Read the package's data files; one place so every loader decodes them the same way."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any


def _text(name: str) -> str:
    return resources.files("yilian.refdata").joinpath("data", name).read_text(encoding="utf-8")


def read_json(name: str) -> Any:
    """A JSON data file, parsed."""
    return json.loads(_text(name))


def read_csv(name: str) -> list[dict[str, str]]:
    """A CSV data file (header row first) as a list of dicts."""
    return list(csv.DictReader(io.StringIO(_text(name))))
