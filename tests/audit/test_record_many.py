"""One entry on each of several streams in one statement (``services.record_many``):
the entries are those ``record`` would write, and a stream whose head this process
guessed wrong, or does not know, is appended by ``record`` — never forked, never a gap.
Committed transactions, so that the heads are remembered."""

from __future__ import annotations

import pytest
from django.db import connection

from yilian.audit import services
from yilian.audit.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)

STREAMS = [f"application:many/{code}" for code in ("seals", "tax", "social")]
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _fresh_heads():
    services.heads.forget()
    yield
    services.heads.forget()


def _entries(action: str, new: bool = False) -> list:
    return [(stream, action, {"step": stream.rsplit("/", 1)[1], "n": 1}, new)
            for stream in STREAMS]


def _all_verify() -> bool:
    return all(services.verify(stream) == (True, "ok") for stream in STREAMS)


def test_new_streams_then_known_heads_each_in_one_statement(django_assert_num_queries):
    with django_assert_num_queries(1 if POSTGRES else 3):
        services.record_many(_entries("step.running", new=True), actor_label="worker")
    with django_assert_num_queries(1 if POSTGRES else 3):
        services.record_many(_entries("step.done"), actor_label="worker")
    for stream in STREAMS:
        assert list(Entry.objects.filter(stream=stream).order_by("seq")
                    .values_list("seq", "action", "actor_label")) == [
            (1, "step.running", "worker"), (2, "step.done", "worker")]
    assert _all_verify()


def test_the_same_entry_as_record_would_write():
    services.record_many(_entries("step.running", new=True)[:2], actor_label="worker")
    services.record("application:many/one", "step.running", actor_label="worker",
                    data={"step": "seals", "n": 1}, new_stream=True)
    many, one = (Entry.objects.get(stream=s, seq=1) for s in (STREAMS[0],
                                                               "application:many/one"))
    for field in ("action", "actor_label", "actor_id", "data", "version", "prev_hash"):
        assert getattr(many, field) == getattr(one, field)
    assert many.hash == services.entry_digest(many)


def test_a_head_moved_by_another_process_is_read_and_appended_after():
    services.record_many(_entries("step.running", new=True), actor_label="worker")
    remembered = services.heads.get(STREAMS[1])
    services.heads.forget()  # another process appends to one stream meanwhile
    services.record(STREAMS[1], "step.theirs", actor_label="worker")
    for stream in STREAMS:
        if stream != STREAMS[1]:
            services.heads.put(stream, 1, Entry.objects.get(stream=stream, seq=1).hash)
    services.heads.put(STREAMS[1], *remembered)  # one behind
    services.record_many(_entries("step.done"), actor_label="worker")
    assert list(Entry.objects.filter(stream=STREAMS[1]).order_by("seq")
                .values_list("action", flat=True)) == ["step.running", "step.theirs",
                                                       "step.done"]
    assert _all_verify()


def test_a_stream_thought_new_that_is_not_gets_its_entry_after_the_head():
    services.record(STREAMS[0], "step.earlier", actor_label="worker")
    services.heads.forget()
    services.record_many(_entries("step.running", new=True), actor_label="worker")
    assert Entry.objects.get(stream=STREAMS[0], seq=2).action == "step.running"
    assert _all_verify()


def test_one_entry_per_stream():
    with pytest.raises(ValueError, match="one entry per stream"):
        services.record_many([_entries("x")[0]] * 2, actor_label="worker")
    assert not Entry.objects.exists()
