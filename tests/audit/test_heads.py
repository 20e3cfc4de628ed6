"""The head each process remembers of the streams it appended to (``services.heads``):
the next append skips reading the head, and a guess that is wrong — another process
appended meanwhile, the transaction rolled back, the database was replaced — costs a
read, never a fork or a gap in the hash chain. Committed transactions, so that the
remembering (on commit) happens."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import transaction

from yilian.audit import services
from yilian.audit.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)

S = "application:heads"


@pytest.fixture(autouse=True)
def _fresh_heads():
    services.heads.forget()
    yield
    services.heads.forget()


def seqs(stream: str = S) -> list[int]:
    return list(Entry.objects.filter(stream=stream).order_by("seq").values_list("seq", flat=True))


def test_the_next_append_after_a_commit_is_one_statement(django_assert_num_queries):
    services.record(S, "test.first")
    with django_assert_num_queries(1):
        services.record(S, "test.second")
    assert seqs() == [1, 2]
    assert services.verify(S) == (True, "ok")


def test_an_append_by_another_process_is_read_not_forked():
    services.record(S, "test.mine")
    remembered = services.heads.get(S)
    # Another process appends: this one's memory of the head is now one behind.
    services.heads.forget()
    services.record(S, "test.theirs")
    services.heads.put(S, *remembered)
    services.record(S, "test.mine.again")
    assert seqs() == [1, 2, 3]
    assert services.verify(S) == (True, "ok")
    assert Entry.objects.get(stream=S, seq=3).action == "test.mine.again"


def test_a_rolled_back_append_is_not_shared_and_costs_its_writer_a_read(
        django_assert_num_queries):
    services.record(S, "test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record(S, "test.rolled.back")
        raise RuntimeError("the change failed")
    with ThreadPoolExecutor(1) as other:  # another thread never saw it
        assert other.submit(services.heads.get, S).result()[0] == 1
    # This thread links to it, finds it gone, reads the head: three statements.
    with django_assert_num_queries(3):
        services.record(S, "test.next")
    assert seqs() == [1, 2]
    assert services.verify(S) == (True, "ok")


def test_within_a_transaction_its_thread_links_to_what_it_wrote_others_wait_for_commit(
        django_assert_num_queries):
    with transaction.atomic():
        services.record(S, "test.first", new_stream=True)
        with django_assert_num_queries(1):
            services.record(S, "test.second")
        with ThreadPoolExecutor(1) as other:
            assert other.submit(services.heads.get, S).result() is None
    with ThreadPoolExecutor(1) as other:
        assert other.submit(services.heads.get, S).result()[0] == 2
    assert seqs() == [1, 2]
    assert services.verify(S) == (True, "ok")


def test_a_head_missing_from_the_database_is_not_linked_to():
    """A remembered head that is not in this database (restored from a dump, or a test
    database flushed) must not be linked to: the stream starts where the database is."""
    services.heads.put(S, 7, "f" * 64)
    services.record(S, "test.after.restore")
    assert seqs() == [1]
    assert services.verify(S) == (True, "ok")


def test_two_appends_in_one_transaction_chain_up():
    services.record(S, "test.first")
    with transaction.atomic():
        services.record(S, "test.second")
        services.record(S, "test.third")
    assert seqs() == [1, 2, 3]
    assert services.verify(S) == (True, "ok")
    assert services.heads.get(S)[0] == 3


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(services.heads, "LIMIT", 3)
    for n in range(5):
        services.heads.put(f"s{n}", 1, "0" * 64)
    assert [services.heads.get(f"s{n}") is not None for n in range(5)] == \
        [False, False, True, True, True]


def test_a_new_streams_first_entry_is_one_statement(django_assert_num_queries):
    with django_assert_num_queries(1):
        services.record(S, "test.first", new_stream=True)
    assert seqs() == [1]
    assert services.verify(S) == (True, "ok")


def test_a_wrong_guess_that_the_stream_is_new_reads_the_head_and_appends():
    services.record(S, "test.first")
    services.heads.forget()  # as if another process had written it
    services.record(S, "test.second", new_stream=True)
    assert seqs() == [1, 2]
    assert services.verify(S) == (True, "ok")
    assert Entry.objects.get(stream=S, seq=2).action == "test.second"
