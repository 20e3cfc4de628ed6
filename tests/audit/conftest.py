"""Audit-trail fixtures: a private data dir (signing key, checkpoint anchor) per test, and
a way to tamper with the tables as someone with write access to the database would."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from yilian.audit import services


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.LICENSE_SIGNING_KEY = ""


def tamper(sql: str, params: list | None = None) -> None:
    """Run ``sql`` against the audit tables. On PostgreSQL the append-only trigger is
    switched off for it, as a superuser could: the checkpoints must catch it anyway."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def write(stream: str, count: int, *, actor=None, **data) -> None:
    for i in range(count):
        services.record(stream, f"test.event{i}", actor=actor, data={"n": i, **data})
