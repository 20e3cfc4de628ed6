"""The name index on disk (names/snapshot.py): it answers as a fresh build does, a stale
one catches up, a damaged or foreign one is ignored, and the process start warms it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from tests.names.conftest import enterprise
from tests.names.test_index_scale import as_tuples, probes, rows
from yilian.names import index, services, snapshot


@pytest.fixture(autouse=True)
def snapshot_path(tmp_path, monkeypatch):
    """Each test's own data-dir file (the suite's data dir is shared by its workers)."""
    target = tmp_path / "data" / snapshot.FILENAME
    monkeypatch.setattr(snapshot, "path", lambda: target)
    return target


STAMP = snapshot.Stamp(mark=7, rows=7, last_uscc="91371002MA0000007X", database="x")


@pytest.fixture(scope="module")
def register():
    data = rows(2000, seed=13)
    return data + [("某某某", "91370602MA0000000X", "370602", ""),
                   ("威海一链科技（威海）有限公司", "91371071MA0000002X", "371071", "6513"),
                   ("威海" + "远达" * 140 + "科技有限公司", "91371002MA0000004X", "371002", "")]


def test_a_snapshot_answers_as_the_index_it_was_written_from(register, snapshot_path):
    built = index.build(register)
    snapshot.save(built, STAMP)
    loaded, stamp = snapshot.load()
    assert stamp == STAMP
    assert len(loaded) == len(built)
    for name in ("_blob", "_offsets", "_uscc", "_authority", "_industry", "_split",
                 "_buckets", "_industry_codes", "_industry_numbers"):
        assert getattr(loaded, name) == getattr(built, name), name
    checked = 0
    for name, division, code in probes(register, 150):
        expected = as_tuples(built.conflicts(name, division, code))
        assert as_tuples(loaded.conflicts(name, division, code)) == expected, name
        checked += bool(expected)
    assert checked > 100
    # It stays an ordinary index: adds after loading are found too.
    loaded.add("威海蓝峰远达科技有限公司", "91371002MA0000009X", "371002", "6513")
    assert [c.rule for c in loaded.conflicts("威海兰峰远达信息技术有限公司", "371002")] == [
        "homophone"]


def test_keys_are_the_same_in_every_process():
    """Python's own ``hash`` is salted per process; a snapshot needs keys that are not."""
    code = ("from yilian.names import index, parse; n = '威海一链科技有限公司'; "
            "print(sorted(index.keys(parse.parse(n), n, '3710', '6513')))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
               for seed in ("1", "2")}
    assert len(outputs) == 1 and outputs.pop().startswith("[")


def _damaged(path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["byte in the arrays", "truncated", "trailing bytes",
                                    "not a snapshot", "old format", "other word tables",
                                    "header"])
def test_a_damaged_or_foreign_snapshot_is_ignored(register, snapshot_path, damage,
                                                  monkeypatch, caplog):
    snapshot.save(index.build(register[:300]), STAMP)
    size = snapshot_path.stat().st_size
    if damage == "byte in the arrays":
        _damaged(snapshot_path, size - 1000)
    elif damage == "truncated":
        snapshot_path.write_bytes(snapshot_path.read_bytes()[:size - 8])
    elif damage == "trailing bytes":
        snapshot_path.write_bytes(snapshot_path.read_bytes() + b"\0")
    elif damage == "not a snapshot":
        snapshot_path.write_bytes(b"PK\x03\x04" + bytes(100))
    elif damage == "old format":
        monkeypatch.setattr(snapshot, "FORMAT", snapshot.FORMAT + 1)
    elif damage == "other word tables":
        monkeypatch.setattr(snapshot, "keying", lambda: "0" * 64)
    else:
        _damaged(snapshot_path, len(snapshot.MAGIC) + 6)
    assert snapshot.load() is None
    assert "not used" in caplog.text


def test_no_file_is_no_snapshot_and_no_warning(snapshot_path, caplog):
    assert snapshot.load() is None
    assert caplog.text == ""


def test_writing_replaces_the_file_whole_and_leaves_no_temporary(register, snapshot_path):
    snapshot.save(index.build(register[:10]), STAMP)
    snapshot.save(index.build(register[:20]), STAMP)
    assert len(snapshot.load()[0]) == 20
    assert [p.name for p in snapshot_path.parent.iterdir()] == [snapshot.FILENAME]


# With the register in the database.


def _same_answers(names: list[str], division: str = "371002") -> None:
    """The current index (as loaded) answers as one read from the register now."""
    got = {n: as_tuples(services.current_index().conflicts(n, division)) for n in names}
    fresh = index.read_register()
    assert got == {n: as_tuples(fresh.conflicts(n, division)) for n in names}


@pytest.mark.django_db
def test_a_stale_snapshot_is_loaded_then_catches_up_with_the_register(snapshot_path):
    enterprise("威海一链科技有限公司", "371071", "6513")
    enterprise("威海海之味餐饮管理有限公司")
    index.rebuild()
    index.save_snapshot()
    index.reset()
    later = enterprise("威海蓝峰科技有限公司")  # registered after the snapshot
    built = services.current_index()
    assert built.source == "snapshot" and built.mark == later.pk
    assert [c.rule for c in built.conflicts("威海蓝峰科技有限公司", "371002")] == ["identical"]
    _same_answers(["威海易链科技有限公司", "威海蓝峰科技有限公司", "威海海之味餐饮有限公司"])


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["a row deleted", "another database"])
def test_a_snapshot_of_another_register_is_not_used(snapshot_path, change, monkeypatch):
    first = enterprise("威海一链科技有限公司")
    enterprise("威海蓝峰科技有限公司")
    index.rebuild()
    index.save_snapshot()
    index.reset()
    if change == "a row deleted":
        first.delete()
    else:
        monkeypatch.setattr(index, "_database", lambda: "elsewhere|||postgresql")
    built = services.current_index()
    assert built.source == "register"
    _same_answers(["威海一链科技有限公司", "威海蓝峰科技有限公司"])


@pytest.mark.django_db
def test_a_damaged_snapshot_is_rebuilt_from_the_register(snapshot_path):
    enterprise("威海一链科技有限公司")
    index.rebuild()
    index.save_snapshot()
    index.reset()
    _damaged(snapshot_path, snapshot_path.stat().st_size - 3)
    assert services.current_index().source == "register"
    _same_answers(["威海易链科技有限公司"])


@pytest.mark.django_db
def test_warming_writes_the_snapshot_the_next_process_loads(snapshot_path):
    enterprise("威海一链科技有限公司")
    assert services.warm_index().source == "register"
    assert snapshot_path.exists()
    index.reset()  # the next process
    assert services.warm_index().source == "snapshot"
    _same_answers(["威海易链科技有限公司"])


@pytest.mark.django_db
def test_add_ahead_of_catch_up_is_not_indexed_twice(snapshot_path):
    enterprise("威海一链科技有限公司")
    services.current_index()
    index.add(enterprise("威海蓝峰科技有限公司"))
    services.current_index()
    assert len(services.current_index().conflicts("威海蓝峰科技有限公司", "371002")) == 1


def test_a_check_during_warm_up_waits_for_the_index(register, monkeypatch):
    """No database: the register read is held until the test lets it go."""
    release, reading = threading.Event(), threading.Event()

    def slow_register() -> index.NameIndex:
        reading.set()
        assert release.wait(10)
        built = index.build(register[:200])
        built.source = "register"
        return built

    monkeypatch.setattr(index, "_from_snapshot", lambda: None)
    monkeypatch.setattr(index, "read_register", slow_register)
    answers: list = []
    warm = threading.Thread(target=index.get)
    check = threading.Thread(target=lambda: answers.append(
        index.get().conflicts(register[0][0], register[0][2])))
    warm.start()
    assert reading.wait(10)
    check.start()
    check.join(0.3)
    assert check.is_alive() and answers == []  # waiting, not answering from nothing
    release.set()
    warm.join(10)
    check.join(10)
    assert [c.rule for c in answers[0]][:1] == ["identical"]


@pytest.mark.django_db
def test_warming_an_index_inherited_from_a_parent_process_writes_the_snapshot(
        snapshot_path):
    """gunicorn forks workers from a master that may have built the index already."""
    enterprise("威海一链科技有限公司")
    index.rebuild()  # as the master did before forking
    enterprise("威海蓝峰科技有限公司")
    services.warm_index()
    assert snapshot_path.exists()
    index.reset()
    assert services.current_index().source == "snapshot"
    _same_answers(["威海兰峰科技有限公司", "威海易链科技有限公司"])


@pytest.mark.django_db(transaction=True)
def test_warming_with_an_empty_register_finishes(snapshot_path):
    # An empty index is falsy; saving it must not mistake it for "no index" and wait
    # on the build lock its own build holds (a new production database hung so).
    index.reset()
    warm = services.warm_in_background()
    warm.join(timeout=20)
    assert not warm.is_alive(), "warm-up deadlocked on an empty register"
    assert len(index.get()) == 0 and snapshot_path.exists()
