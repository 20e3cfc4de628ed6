"""Writing to the audit trail, and tampering with it as someone with write access to the
database would — shared by the audit tests and the other apps' tests that show their
entries are tamper-evident."""

from __future__ import annotations

from django.db import connection, transaction

from yilian.audit import services


def tamper(sql: str, params: list | None = None) -> None:
    """Run ``sql`` against the audit tables. On PostgreSQL the append-only trigger is
    switched off for it, as a superuser could: the hashes and checkpoints must catch it
    anyway."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def write(stream: str, count: int, *, actor=None, **data) -> None:
    for i in range(count):
        services.record(stream, f"test.event{i}", actor=actor, data={"n": i, **data})
