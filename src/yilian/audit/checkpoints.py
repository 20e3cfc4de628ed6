"""Signed checkpoints (审计检查点) of the audit trail's stream heads.

Every few minutes (``YILIAN_AUDIT_CHECKPOINT_SECONDS``; the sweeper's beat in production,
the embedded sweeper thread otherwise) one checkpoint records the head — last ``seq`` and
its ``hash`` — of every stream written since the checkpoint before, chains itself to that
checkpoint by its hash, and is signed with the license signing key. Together the
checkpoints are the register of every stream that existed and how far it had reached:
a stream deleted, a tail cut off or a stream rewritten with recomputed hashes no longer
matches them, and nobody without the key can write a checkpoint that says otherwise.

Cheap by construction: :func:`yilian.audit.services.record` is untouched (no query per
entry); a checkpoint reads only the entries newer than a recent checkpoint's high-water
mark, by primary key. The scan reaches back ``LAG`` before the previous checkpoint so an
entry whose transaction committed after that checkpoint looked is not missed.

Besides the database, the newest checkpoint's number and hash are written to
``<data dir>/audit-anchor.json``, so deleting the newest checkpoints (and the entries
after the ones left) is seen on the host that made them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yilian.audit.models import Checkpoint
from yilian.licenses import jcs, signing

log = logging.getLogger("yilian.audit")

SCHEMA = "yilian.audit-checkpoint/1"
# Signed bytes are this prefix and the body: no checkpoint signature can pass for a
# license's (whose signed bytes are a JSON object) or anything else's.
CONTEXT = b"yilian.audit-checkpoint\x00"
GENESIS = "0" * 64
# Longest a transaction that writes an entry may stay open, plus clock skew between hosts
# and the time a scan takes. An entry committed later than this after it was stamped
# could be missed by every checkpoint (it is still hash-chained, only not sealed).
LAG = dt.timedelta(minutes=10)
ANCHOR_FILE = "audit-anchor.json"

_HEADS = (
    "SELECT e.stream, e.seq, e.hash, e.id FROM audit_entry e JOIN ("
    "SELECT stream, MAX(seq) AS seq FROM audit_entry WHERE id > %s GROUP BY stream"
    ") t ON e.stream = t.stream AND e.seq = t.seq"
)


def signed_message(body: bytes) -> bytes:
    return CONTEXT + body


def heads(cp: Checkpoint) -> dict[str, list]:
    """A checkpoint's ``{stream: [seq, hash]}`` (its body is trusted by now)."""
    return json.loads(cp.body)["heads"]


def _scan(since_id: int) -> tuple[dict[str, list], int]:
    """Heads of the streams with entries above ``since_id``, and the highest id seen."""
    found: dict[str, list] = {}
    high = since_id
    with connection.cursor() as cursor:
        cursor.execute(_HEADS, [since_id])
        for stream, seq, digest, entry_id in cursor.fetchall():
            found[stream] = [seq, digest]
            high = max(high, entry_id)
    return found, high


def make_checkpoint() -> Checkpoint | None:
    """Record and sign the heads written since the last checkpoint. None when nothing
    changed, or when another process made the same checkpoint at the same moment."""
    now = timezone.now()
    last = Checkpoint.objects.order_by("-seq").first()
    horizon = (last.at if last else now) - LAG
    base = Checkpoint.objects.filter(at__lte=horizon).order_by("-seq").first()
    found, high = _scan(base.high_id if base else 0)
    # Streams already recorded with the same head by a checkpoint since ``base`` (the
    # scans overlap by LAG) need not be said again.
    known: dict[str, list] = {}
    for earlier in Checkpoint.objects.filter(seq__gt=base.seq if base else 0).order_by("seq"):
        known.update(heads(earlier))
    delta = {stream: head for stream, head in found.items() if known.get(stream) != head}
    if not delta:
        return None
    seq = last.seq + 1 if last else 1
    body = jcs.canonical({
        "schema": SCHEMA, "seq": seq, "at": now.isoformat(),
        "prev": last.hash if last else GENESIS, "high_id": high, "heads": delta,
    })
    signature = signing.sign_message(signed_message(body))
    try:
        with transaction.atomic():
            cp = Checkpoint.objects.create(
                seq=seq, at=now, high_id=high, body=body.decode("utf-8"),
                hash=hashlib.sha256(body).hexdigest(), key_id=signature["key_id"],
                signature=signature["value"])
    except IntegrityError:  # another checkpointer took this number first
        return None
    _write_anchor(cp)
    log.info("audit checkpoint %s: %d stream heads", cp.seq, len(delta))
    return cp


def checkpoint_if_due() -> Checkpoint | None:
    """A checkpoint if the last one is older than the interval (one indexed read else);
    what the embedded sweeper calls every few seconds."""
    last_at = Checkpoint.objects.order_by("-seq").values_list("at", flat=True).first()
    interval = dt.timedelta(seconds=settings.AUDIT_CHECKPOINT_SECONDS)
    if last_at is not None and timezone.now() - last_at < interval:
        return None
    return make_checkpoint()


def anchor_path() -> Path:
    return Path(settings.DATA_DIR) / ANCHOR_FILE


def read_anchor() -> dict[str, Any] | None:
    """The data dir's note of the newest checkpoint made on this host, if any."""
    try:
        anchor = json.loads(anchor_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(anchor, dict) and isinstance(anchor.get("seq"), int) \
            and isinstance(anchor.get("hash"), str):
        return anchor
    return None


def _write_anchor(cp: Checkpoint) -> None:
    """Replace the anchor atomically (0600); a checkpoint older than the anchor's (another
    process was faster) leaves it alone."""
    current = read_anchor()
    if current and current["seq"] >= cp.seq:
        return
    path = anchor_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".anchor-")  # mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"seq": cp.seq, "hash": cp.hash}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError:  # the checkpoint stands; the anchor is a second line of defence
        log.exception("audit anchor not written")
