"""PostgreSQL: the audit tables refuse UPDATE, DELETE and TRUNCATE — through the ORM and in
plain SQL, for entries and for checkpoints. (SQLite has no such trigger; the checkpoints
are its defence, tested in test_trail.py on both databases.)"""

from __future__ import annotations

import os

import pytest
from django.db import DatabaseError, connection, transaction

from tests.audit.tampering import write
from yilian.audit.checkpoints import make_checkpoint
from yilian.audit.models import Checkpoint, Entry

ON_POSTGRES = os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL suite"),
]


@pytest.fixture
def written():
    write("application:1", 3)
    assert make_checkpoint() is not None


def refused(run) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        run()
    return str(caught.value)


def sql(statement: str):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    return run


def test_the_trigger_is_there():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'audit_%%'")
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"audit_entry_append_only", "audit_entry_no_truncate",
                     "audit_checkpoint_append_only", "audit_checkpoint_no_truncate"}


@pytest.mark.parametrize("table", ["audit_entry", "audit_checkpoint"])
def test_update_and_delete_are_refused_in_sql(written, table):
    for statement in (f"UPDATE {table} SET hash = repeat('0', 64)", f"DELETE FROM {table}"):
        message = refused(sql(statement))
        assert "append-only" in message and table in message
    assert Entry.objects.count() == 3 and Checkpoint.objects.count() == 1


def test_update_and_delete_are_refused_through_the_orm(written):
    assert "append-only" in refused(lambda: Entry.objects.filter(seq=2).update(action="x"))
    assert "append-only" in refused(lambda: Entry.objects.filter(seq=3).delete())
    assert "append-only" in refused(lambda: Checkpoint.objects.all().delete())
    entry = Entry.objects.get(seq=1)
    entry.data = {"changed": True}
    assert "append-only" in refused(entry.save)
    assert Entry.objects.get(seq=1).data == {"n": 0}


@pytest.mark.parametrize("table", ["audit_entry", "audit_checkpoint"])
def test_truncate_is_refused_unless_the_session_allows_it(written, table):
    """The test settings allow TRUNCATE (Django empties tables with it between tests);
    with that switch off — as in production, where nothing sets it — it is refused."""
    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL yilian.allow_audit_truncate = 'off'")
            # The rows written above leave deferred foreign-key checks, which PostgreSQL
            # would name as its reason before ever reaching the trigger.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table} CASCADE")

    assert "append-only" in refused(truncate)
    assert Entry.objects.count() == 3 and Checkpoint.objects.count() == 1


def test_appending_still_works(written):
    write("application:1", 1)
    write("application:2", 1)
    assert Entry.objects.count() == 5
    assert make_checkpoint() is not None
