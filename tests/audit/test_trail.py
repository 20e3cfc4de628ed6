"""Each way of tampering with the audit trail is detected by ``verify_all`` (and so by
``yilian audit verify``): a deleted tail, a deleted stream, any changed field — the
actor's id included — and a stream rewritten with recomputed hashes. Runs on SQLite and,
in the PostgreSQL suite, on PostgreSQL (with the trigger switched off to tamper)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import ProtectedError
from django.utils import timezone

from tests.audit.tampering import tamper, write
from yilian.audit import services
from yilian.audit.checkpoints import make_checkpoint
from yilian.audit.models import Entry
from yilian.audit.verification import verify_all

pytestmark = pytest.mark.django_db

S = "application:1"
T = "application:1/tax"
U = "application:2"


def breaks() -> list[str]:
    return [str(b) for b in verify_all().breaks]


def only_break(where: str) -> str:
    found = verify_all().breaks
    assert [b.where for b in found] == [where], found
    return str(found[0])


@pytest.fixture
def trail():
    """Three streams, checkpointed, then one more entry each (not yet sealed)."""
    write(S, 3)
    write(T, 2)
    write(U, 1)
    assert make_checkpoint() is not None
    write(S, 1)
    write(U, 1)


def test_an_intact_trail_verifies(trail):
    report = verify_all()
    assert report.ok, report.breaks
    assert (report.streams, report.entries, report.checkpoints) == (3, 8, 1)
    assert report.unsealed_streams == 2
    make_checkpoint()
    report = verify_all()
    assert report.ok and report.checkpoints == 2 and report.unsealed_streams == 0


def test_a_deleted_tail_is_detected(trail):
    make_checkpoint()
    tamper("DELETE FROM audit_entry WHERE stream = %s AND seq >= 3", [S])
    assert services.verify(S) == (True, "ok")  # the hash chain alone cannot tell
    message = only_break(S)
    assert "entries 3 to 4 were deleted" in message and "checkpoint 2" in message


def test_deleting_the_last_sealed_entry_is_detected(trail):
    """The tail after the checkpoint may be cut with the last sealed entry too."""
    tamper("DELETE FROM audit_entry WHERE stream = %s AND seq >= 3", [S])
    assert "entries 3 to 3 were deleted" in only_break(S)


def test_a_deleted_stream_is_detected(trail):
    tamper("DELETE FROM audit_entry WHERE stream = %s", [T])
    assert "the whole stream was deleted (checkpoint 1 recorded 2 entries)" in only_break(T)


def test_a_changed_actor_id_is_detected(trail):
    users = get_user_model().objects
    clerk, other = users.create_user("clerk-a"), users.create_user("clerk-b")
    services.record(S, "test.by_clerk", actor=clerk, data={"x": 1})
    make_checkpoint()
    tamper("UPDATE audit_entry SET actor_id = %s WHERE stream = %s AND seq = 5",
           [other.pk, S])
    assert "entry 5 (test.by_clerk) does not match its hash" in only_break(S)
    tamper("UPDATE audit_entry SET actor_id = NULL WHERE stream = %s AND seq = 5", [S])
    assert "entry 5" in only_break(S)


@pytest.mark.parametrize(("column", "value"), [
    ("data", json.dumps({"n": 99})), ("action", "test.other"), ("actor_label", "someone"),
    ("stream", "application:1/seals"), ("seq", 7), ("prev_hash", "1" * 64),
    ("hash", "f" * 64), ("version", 1), ("at", "2020-01-01 00:00:00+00:00"),
])
def test_any_changed_field_is_detected(trail, column, value):
    tamper(f"UPDATE audit_entry SET {column} = %s WHERE stream = %s AND seq = 2",
           [value, S])
    assert S in [b.where for b in verify_all().breaks], column


def test_a_stream_rewritten_with_recomputed_hashes_is_detected(trail):
    make_checkpoint()
    prev = services.GENESIS
    for entry in Entry.objects.filter(stream=S).order_by("seq"):
        data = {**entry.data, "n": 1000 + entry.seq}
        digest = services._digest_v2(prev, S, entry.seq, entry.at.isoformat(),
                                     entry.actor_id, entry.actor_label, entry.action, data)
        tamper("UPDATE audit_entry SET data = %s, prev_hash = %s, hash = %s WHERE id = %s",
               [json.dumps(data), prev, digest, entry.pk])
        prev = digest
    assert services.verify(S) == (True, "ok")  # a consistent chain, and a false one
    assert "differs from checkpoint 2: the stream was rewritten" in only_break(S)


def test_a_back_dated_stream_inserted_later_is_detected(trail):
    """A whole invented history, correctly hashed, dated before the last checkpoint."""
    make_checkpoint()
    at = timezone.now() - dt.timedelta(days=1)
    digest = services._digest_v2(services.GENESIS, "application:9", 1, at.isoformat(), None,
                                 "system", "application.created", {})
    tamper("INSERT INTO audit_entry (stream, seq, at, actor_label, action, data, prev_hash,"
           " hash, version) VALUES (%s, 1, %s, 'system', 'application.created', '{}', %s,"
           " %s, 2)", ["application:9", connection.ops.adapt_datetimefield_value(at),
                       services.GENESIS, digest])
    assert services.verify("application:9") == (True, "ok")
    assert "older than the last checkpoint but no checkpoint has them" in only_break(
        "application:9")


def test_old_entries_keep_their_digest_and_the_chain_continues(db):
    """Entries written before the actor's id was hashed (digest version 1) verify as
    they are; new entries chain on from them with version 2."""
    at = timezone.now() - dt.timedelta(minutes=1)
    prev = services.GENESIS
    for seq in (1, 2):
        digest = services._digest_v1(prev, S, seq, at.isoformat(), "system", "old.event",
                                     {"seq": seq})
        tamper("INSERT INTO audit_entry (stream, seq, at, actor_label, action, data, "
               "prev_hash, hash, version) VALUES (%s, %s, %s, 'system', 'old.event', %s, "
               "%s, %s, 1)", [S, seq, connection.ops.adapt_datetimefield_value(at),
                              json.dumps({"seq": seq}), prev, digest])
        prev = digest
    write(S, 1)
    assert list(Entry.objects.filter(stream=S).values_list("version", flat=True)) == [1, 1, 2]
    make_checkpoint()
    assert verify_all().ok
    # A version-2 entry relabelled as version 1 (to escape the actor check) fails.
    tamper("UPDATE audit_entry SET version = 1 WHERE stream = %s AND seq = 3", [S])
    assert "entry 3" in only_break(S)


def test_values_read_back_from_the_database_hash_the_same(db):
    """Whatever a caller passes, the entry verifies after the database's JSON column gave
    it back (PostgreSQL's jsonb reorders keys and rewrites numbers)."""
    import decimal
    import uuid

    services.record(S, "test.mixed", data={
        "z": 1, "a": [1.5, 0.1, 1e-7, 2**60, float("nan"), True, None], "金额": decimal.Decimal(
            "12.30"), "day": dt.date(2026, 11, 29), "id": uuid.UUID(int=7), "𠀀": {"b": "é"},
        3: "int key"})
    assert services.verify(S) == (True, "ok")


def test_an_account_named_in_the_trail_cannot_be_deleted(db):
    user = get_user_model().objects.create_user("actor")
    services.record(S, "test.by_user", actor=user)
    with pytest.raises(ProtectedError):
        user.delete()
    assert Entry.objects.get(stream=S).actor_id == user.pk


def test_record_costs_two_statements(db, django_assert_num_queries):
    """The hot path is unchanged by checkpoints: read the head, insert — only insert,
    after an entry this thread wrote."""
    write(S, 1)
    services.heads.forget()  # as if another process had written it
    with django_assert_num_queries(2):
        services.record(S, "test.next", data={"k": "v"})
    with django_assert_num_queries(1):
        services.record(S, "test.after", data={"k": "v"})
