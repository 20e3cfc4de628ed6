"""Checkpoints: what they hold, how little they scan, and that tampering with the
checkpoints themselves is detected (edited, deleted in the middle or at the end, forged
with another key)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.audit.tampering import tamper, write
from yilian.audit import checkpoints, tasks
from yilian.audit.checkpoints import checkpoint_if_due, make_checkpoint
from yilian.audit.models import Checkpoint, Entry
from yilian.audit.verification import verify_all
from yilian.licenses import jcs, signing

pytestmark = pytest.mark.django_db

S, T, U = "application:1", "application:1/tax", "application:2"


def wheres() -> list[str]:
    return [b.where for b in verify_all().breaks]


def messages() -> str:
    return "\n".join(str(b) for b in verify_all().breaks)


class Clock:
    """Moves the checkpoints' clock (only theirs) forward."""

    def __init__(self, monkeypatch) -> None:
        self.offset = dt.timedelta()
        monkeypatch.setattr(checkpoints, "timezone", self)

    def now(self):
        return timezone.now() + self.offset


def test_a_checkpoint_is_a_signed_canonical_chained_document(settings):
    write(S, 2)
    write(T, 1)
    first = make_checkpoint()
    write(S, 1)
    second = make_checkpoint()
    body = json.loads(second.body)
    assert second.body.encode() == jcs.canonical(body)
    assert body["schema"] == "yilian.audit-checkpoint/1"
    assert (body["seq"], body["prev"]) == (2, first.hash)
    assert json.loads(first.body)["prev"] == "0" * 64
    assert second.hash == hashlib.sha256(second.body.encode()).hexdigest()
    head = Entry.objects.get(stream=S, seq=3)
    assert body["heads"] == {S: [3, head.hash]}  # T did not change: not said again
    assert body["high_id"] == head.pk == second.high_id
    # Signed with the license key, over a context prefix: not a valid license signature.
    key = signing.private_key().public_key()
    assert second.key_id == signing.key_id(key)
    key.verify(base64.b64decode(second.signature), b"yilian.audit-checkpoint\0" + second.body
               .encode())
    forged = {"license": body, "signature": {"alg": "Ed25519", "key_id": second.key_id,
                                             "value": second.signature}}
    assert signing.check(signing.canonical(forged)).code == "mismatch"
    # The anchor in the data dir names the newest checkpoint, readable by its owner only.
    anchor = settings.DATA_DIR / "audit-anchor.json"
    assert json.loads(anchor.read_text()) == {"seq": 2, "hash": second.hash}
    assert stat.S_IMODE(os.stat(anchor).st_mode) == 0o600


def test_nothing_new_makes_no_checkpoint(db):
    assert make_checkpoint() is None  # an empty trail
    write(S, 1)
    assert make_checkpoint().seq == 1
    assert make_checkpoint() is None
    assert Checkpoint.objects.count() == 1


def test_the_scan_starts_at_a_checkpoint_older_than_the_lag(monkeypatch):
    clock = Clock(monkeypatch)
    write(S, 2)
    first = make_checkpoint()
    clock.offset = dt.timedelta(hours=1)
    write(T, 1)
    assert json.loads(make_checkpoint().body)["heads"].keys() == {T}
    clock.offset = dt.timedelta(hours=2)
    write(U, 1)
    with CaptureQueriesContext(connection) as queries:
        third = make_checkpoint()
    scans = [q["sql"] for q in queries.captured_queries if "GROUP BY stream" in q["sql"]]
    assert len(scans) == 1 and f"WHERE id > {first.high_id}" in scans[0]
    assert json.loads(third.body)["heads"].keys() == {U}


def test_an_entry_committed_after_a_checkpoint_looked_is_sealed_by_the_next(db):
    """An entry whose id is below the checkpoint's high-water mark but whose transaction
    committed after the checkpoint's scan (simulated: taken out, put back)."""
    write(S, 1)
    write(T, 1)
    late = Entry.objects.get(stream=S)
    row = [late.pk, late.stream, late.seq, connection.ops.adapt_datetimefield_value(late.at),
           late.actor_label, late.action, json.dumps(late.data), late.prev_hash, late.hash]
    tamper("DELETE FROM audit_entry WHERE id = %s", [late.pk])
    first = make_checkpoint()
    assert first.high_id > late.pk and json.loads(first.body)["heads"].keys() == {T}
    tamper("INSERT INTO audit_entry (id, stream, seq, at, actor_label, action, data, "
           "prev_hash, hash, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 2)", row)
    assert json.loads(make_checkpoint().body)["heads"].keys() == {S}
    assert verify_all().ok


def test_checkpoint_if_due_keeps_the_interval(settings):
    settings.AUDIT_CHECKPOINT_SECONDS = 3600
    write(S, 1)
    assert checkpoint_if_due().seq == 1
    write(S, 1)
    assert checkpoint_if_due() is None
    settings.AUDIT_CHECKPOINT_SECONDS = 0
    assert checkpoint_if_due().seq == 2


def test_the_sweeper_checkpoints_and_the_task_makes_one_on_demand():
    from yilian.chain.sweeper import jobs

    assert checkpoint_if_due in jobs()
    write(S, 1)
    assert tasks.checkpoint() == 1 and tasks.checkpoint() == 0


@pytest.fixture
def three():
    for stream in (S, T, U):
        write(stream, 1)
        make_checkpoint()
    assert verify_all().ok


def test_an_edited_checkpoint_is_detected(three):
    cp = Checkpoint.objects.get(seq=2)
    body = json.loads(cp.body)
    body["heads"] = {}  # forget that T existed
    edited = jcs.canonical(body).decode()
    tamper("UPDATE audit_checkpoint SET body = %s, hash = %s WHERE seq = 2",
           [edited, hashlib.sha256(edited.encode()).hexdigest()])
    assert "checkpoint 2: the signature does not verify" in messages()
    # ...and the next one no longer chains to it.
    assert "checkpoint 3" in wheres()


def test_edited_columns_beside_the_body_are_detected(three):
    tamper("UPDATE audit_checkpoint SET high_id = 0 WHERE seq = 3")
    assert "differ from what was signed" in messages() and wheres() == ["checkpoint 3"]


def test_a_deleted_middle_checkpoint_is_detected(three):
    tamper("DELETE FROM audit_checkpoint WHERE seq = 2")
    assert "checkpoints 2 to 2 are missing (deleted)" in messages()


def test_deleting_the_newest_checkpoint_and_what_it_sealed_is_seen_by_the_anchor(three):
    tamper("DELETE FROM audit_checkpoint WHERE seq = 3")
    tamper("DELETE FROM audit_entry WHERE stream = %s", [U])
    assert ("the data dir's anchor names checkpoint 3 but the database ends at 2: "
            "checkpoints were deleted") in messages()
    tamper("DELETE FROM audit_checkpoint")
    assert "checkpoints" in wheres()


def test_a_checkpoint_forged_with_another_key_is_detected(three):
    stranger = Ed25519PrivateKey.generate()
    last = Checkpoint.objects.get(seq=3)
    body = jcs.canonical({"schema": checkpoints.SCHEMA, "seq": 4, "at": last.at.isoformat(),
                          "prev": last.hash, "high_id": last.high_id, "heads": {}})
    tamper("INSERT INTO audit_checkpoint (seq, at, high_id, body, hash, key_id, signature) "
           "VALUES (4, %s, %s, %s, %s, %s, %s)", [
               connection.ops.adapt_datetimefield_value(last.at), last.high_id,
               body.decode(), hashlib.sha256(body).hexdigest(),
               signing.key_id(stranger.public_key()),
               base64.b64encode(stranger.sign(checkpoints.signed_message(body))).decode()])
    assert "checkpoint 4: the signature does not verify: signed by an unknown key" in messages()


def test_only_the_given_keys_are_trusted(three):
    stranger = Ed25519PrivateKey.generate().public_key()
    report = verify_all(signing.keyring([stranger]))
    assert [b.where for b in report.breaks][:3] == ["checkpoint 1", "checkpoint 2",
                                                     "checkpoint 3"]
    ours = signing.private_key().public_key()
    assert verify_all(signing.keyring([ours])).ok


@pytest.mark.django_db(transaction=True)
def test_the_embedded_sweeper_makes_checkpoints(settings):
    """``yilian serve``/``demo`` without a broker: the sweeper thread checkpoints too."""
    import time

    from yilian.runner import EmbeddedWorker

    settings.AUDIT_CHECKPOINT_SECONDS = 0
    write(S, 2)
    worker = EmbeddedWorker(threads=1, sweep_seconds=0.05)
    worker.sweeper.start()
    try:
        deadline = time.monotonic() + 20
        while not Checkpoint.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.sweeper.stop()
    assert json.loads(Checkpoint.objects.get(seq=1).body)["heads"].keys() == {S}
