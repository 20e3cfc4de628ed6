"""Verifying the whole audit trail: every checkpoint, every stream, and the set of streams
(``yilian audit verify``).

1. Checkpoints: numbered without gaps, each body in canonical form, chained to the one
   before by hash, signed by a key we trust (never one the database names), and in
   agreement with the data dir's anchor.
2. Streams: each hash chain recomputed (by the digest version each entry was written with).
3. Streams against checkpoints: every head a checkpoint recorded must still be there with
   the same hash — a deleted tail, a deleted stream or a stream rewritten with recomputed
   hashes fails here; and entries old enough that a checkpoint should have sealed them
   must be sealed — a stream inserted afterwards with back-dated times fails here.

Entries written since the last checkpoint are hash-checked but not yet sealed; the report
counts them.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

from yilian.audit import checkpoints
from yilian.audit.models import Checkpoint, Entry
from yilian.audit.services import chain_break
from yilian.licenses import jcs, signing


@dataclass(frozen=True)
class Break:
    """One thing that does not verify: where (a stream, or ``checkpoint N``) and what."""

    where: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.where}: {self.en} / {self.zh}"


@dataclass
class Report:
    breaks: list[Break] = field(default_factory=list)
    streams: int = 0
    entries: int = 0
    checkpoints: int = 0
    unsealed_streams: int = 0  # streams with entries newer than the last checkpoint

    @property
    def ok(self) -> bool:
        return not self.breaks


@dataclass
class _Seal:
    """The latest head a valid checkpoint recorded for one stream (earlier heads are
    implied: the chain up to this one is hash-checked)."""

    seq: int
    hash: str
    checkpoint: int


def _check_checkpoint(cp: Checkpoint, prev_hash: str | None,
                      keys: dict | None) -> tuple[dict[str, Any] | None, Break | None]:
    """The parsed body when ``cp`` verifies, else the break. ``prev_hash`` is None when
    the checkpoint before is missing (that gap is reported once, elsewhere)."""
    where = f"checkpoint {cp.seq}"

    def broken(zh: str, en: str) -> tuple[None, Break]:
        return None, Break(where, zh, en)

    raw = cp.body.encode("utf-8")
    try:
        body = jcs.parse(raw)
        canonical = jcs.canonical(body) == raw
    except (ValueError, RecursionError):
        return broken("内容无法解析", "the body cannot be parsed")
    if not canonical or not isinstance(body, dict) or body.get("schema") != checkpoints.SCHEMA:
        return broken("内容格式不正确", "the body is not a canonical checkpoint")
    if hashlib.sha256(raw).hexdigest() != cp.hash:
        return broken("哈希与内容不符", "its hash does not match its body")
    code, _ = signing.check_signature(
        checkpoints.signed_message(raw),
        {"alg": signing.ALG, "key_id": cp.key_id, "value": cp.signature}, keys)
    if code != "valid":
        zh, en = signing.REASONS[code]
        return broken(f"签名无效：{zh}", f"the signature does not verify: {en}")
    if body.get("seq") != cp.seq or body.get("high_id") != cp.high_id \
            or body.get("at") != cp.at.isoformat():
        return broken("数据库中的编号、时间或位置与已签名内容不符",
                      "its number, time or position differ from what was signed")
    if prev_hash is not None and body.get("prev") != prev_hash:
        return broken("与前一检查点不相连（前一检查点被替换）",
                      "it does not chain to the checkpoint before (that one was replaced)")
    heads = body.get("heads")
    if not isinstance(heads, dict) or not all(
            isinstance(h, list) and len(h) == 2 and isinstance(h[0], int)
            and isinstance(h[1], str) for h in heads.values()):
        return broken("流头记录格式不正确", "its stream heads are malformed")
    return body, None


def _checkpoints(report: Report, keys: dict | None) -> tuple[dict[str, _Seal], Checkpoint | None]:
    seals: dict[str, _Seal] = {}
    expected, prev_hash, last = 1, checkpoints.GENESIS, None
    for cp in Checkpoint.objects.order_by("seq").iterator(chunk_size=200):
        report.checkpoints += 1
        if cp.seq != expected:
            report.breaks.append(Break(
                f"checkpoint {expected}", f"检查点{expected}至{cp.seq - 1}缺失（被删除）",
                f"checkpoints {expected} to {cp.seq - 1} are missing (deleted)"))
            prev_hash = None
        body, broken = _check_checkpoint(cp, prev_hash, keys)
        if broken is not None:
            report.breaks.append(broken)
        else:
            for stream, (seq, digest) in body["heads"].items():
                seals[stream] = _Seal(seq, digest, cp.seq)
        prev_hash, expected, last = cp.hash, cp.seq + 1, cp
    _anchor(report, last)
    return seals, last


def _anchor(report: Report, last: Checkpoint | None) -> None:
    anchor = checkpoints.read_anchor()
    if anchor is None:
        return
    if last is None or last.seq < anchor["seq"]:
        have = last.seq if last else 0
        report.breaks.append(Break(
            "checkpoints", f"数据目录记录了检查点{anchor['seq']}，数据库只到{have}：检查点被删除",
            f"the data dir's anchor names checkpoint {anchor['seq']} but the database "
            f"ends at {have}: checkpoints were deleted"))
        return
    stored = Checkpoint.objects.filter(seq=anchor["seq"]).values_list("hash", flat=True).first()
    if stored != anchor["hash"]:
        report.breaks.append(Break(
            f"checkpoint {anchor['seq']}", "与数据目录记录的哈希不符：检查点被替换",
            "differs from the hash in the data dir's anchor: it was replaced"))


def _stream(report: Report, stream: str, entries: list[Entry], seal: _Seal | None,
            horizon) -> None:
    report.streams += 1
    report.entries += len(entries)
    broken = chain_break(entries)
    if broken is not None:
        report.breaks.append(Break(stream, broken[1], broken[2]))
    last_seq = entries[-1].seq
    by_seq = {entry.seq: entry for entry in entries}
    if seal is not None:
        if seal.seq > last_seq:
            report.breaks.append(Break(
                stream, f"第{last_seq + 1}至{seal.seq}条记录被删除"
                f"（检查点{seal.checkpoint}记录到第{seal.seq}条）",
                f"entries {last_seq + 1} to {seal.seq} were deleted (checkpoint "
                f"{seal.checkpoint} recorded {seal.seq} entries)"))
        elif seal.seq in by_seq and by_seq[seal.seq].hash != seal.hash:
            report.breaks.append(Break(
                stream, f"第{seal.seq}条记录与检查点{seal.checkpoint}不符：记录被改写",
                f"entry {seal.seq} differs from checkpoint {seal.checkpoint}: the stream "
                "was rewritten"))
    sealed = seal.seq if seal else 0
    if last_seq > sealed:
        report.unsealed_streams += 1
        first = by_seq.get(sealed + 1)
        if horizon is not None and first is not None and first.at < horizon:
            report.breaks.append(Break(
                stream, f"第{sealed + 1}条起的记录早于最近的检查点，却不在任何检查点中："
                "事后插入或检查点被删除",
                f"entries from {sealed + 1} on are older than the last checkpoint but no "
                "checkpoint has them: inserted afterwards, or checkpoints were deleted"))


def verify_all(keys: dict | None = None) -> Report:
    """Check the whole trail; ``keys`` are the trusted public keys (default: ours and the
    retired ones in the data dir, as for licenses)."""
    report = Report()
    seals, last = _checkpoints(report, keys)
    horizon = last.at - checkpoints.LAG if last is not None else None
    seen: set[str] = set()
    entries = Entry.objects.order_by("stream", "seq").iterator(chunk_size=2000)
    for stream, group in itertools.groupby(entries, key=lambda entry: entry.stream):
        seen.add(stream)
        _stream(report, stream, list(group), seals.get(stream), horizon)
    for stream in sorted(set(seals) - seen):
        seal = seals[stream]
        report.breaks.append(Break(
            stream, f"整个记录流被删除（检查点{seal.checkpoint}记录了{seal.seq}条）",
            f"the whole stream was deleted (checkpoint {seal.checkpoint} recorded "
            f"{seal.seq} entries)"))
    return report
