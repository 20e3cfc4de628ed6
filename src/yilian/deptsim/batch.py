"""The batch ask on the reference department (批量请求, docs/department-protocol.md §3a).

``POST /v2/batches`` carries up to :data:`~yilian.departments.protocol.BATCH_LIMIT`
asks for this department, each with its own idempotency key, and answers each on its
own — ``done``, ``accepted``, ``refused`` or ``transient`` — exactly as the single ask
of §3 would have (the same ledger rows, the same fingerprint: an ask of one key may come
once alone and once in a batch, and acts once). The envelope is checked whole first: a
batch that breaks it is refused whole (422 ``bad_request``) and nothing is acted on.

All the acts of one batch and the request's signature commit in one ledger transaction:
a department killed mid-batch has acted on none of it or on all of it, and either way a
second sending (same keys) answers every item as the first should have.
"""

from __future__ import annotations

import time
from typing import Any

from yilian.departments.protocol import BATCH_LIMIT, PROTOCOL_BATCH, Verified
from yilian.deptsim.service import DepartmentSystem, Reply, error

_ITEM_FIELDS = ("key", "application_id", "uscc", "payload")


def ask_batch(system: DepartmentSystem, body: dict[str, Any],
              seen: Verified | None = None) -> Reply:
    """Answer a batch: 200 with one result per item, in the items' order."""
    if not system.steps:
        return error(404, "not_offered")
    problem = _envelope(system, body)
    if problem:
        system.keep_signature(seen)
        return 422, {"protocol": PROTOCOL_BATCH, "status": "refused",
                     "reason": {"code": "bad_request",
                                "message_zh": f"批量请求不符合协议：{problem}",
                                "message_en": f"the batch does not follow the protocol: "
                                              f"{problem}"}}
    faults = system.faults
    callback = body.get("callback_url") or ""
    results: list[dict[str, Any]] = []
    later = False
    now = time.time()
    with system.ledger.write() as db:
        system.keep_signature(seen, db)
        for item in body["items"]:
            # The failure before acting is drawn item by item: a busy department may
            # take some of a batch and not the rest.
            if faults.chance(faults.failure_rate):
                results.append(_transient(item["key"]))
                continue
            ask = {**{k: item.get(k) for k in _ITEM_FIELDS}, "department": system.code,
                   "callback_url": callback}
            reply = system.unreadable(ask)
            if reply is None:
                reply, accepted = system.ask_within(db, ask, now)
                later = later or accepted
            results.append(_item(item["key"], reply))
    if later:
        system.wake.set()
    return 200, {"protocol": PROTOCOL_BATCH, "department": system.code, "results": results}


def _envelope(system: DepartmentSystem, body: dict[str, Any]) -> str:
    """What is wrong with the batch as a whole ("" when nothing)."""
    items = body.get("items")
    if body.get("department") not in (None, system.code):
        return f"department: this is {system.code}"
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_LIMIT:
        return f"items: a list of 1 to {BATCH_LIMIT} asks"
    keys = [item.get("key") if isinstance(item, dict) else None for item in items]
    if not all(isinstance(key, str) and 0 < len(key) <= 64 for key in keys):
        return "items[].key: 1 to 64 characters"
    if len(set(keys)) != len(keys):
        return "items[].key: each key once in a batch"
    if not isinstance(body.get("callback_url", ""), str):
        return "callback_url: a URL"
    return ""


def _item(key: str, reply: Reply) -> dict[str, Any]:
    """A single ask's answer as a batch item: its body, less the envelope's fields."""
    status, answer = reply
    if answer.get("error") == "key_reused":  # permanent, as the single ask's 409 is
        return {"key": key, "status": "refused",
                "reason": {"code": "key_reused", "message_zh": answer["message_zh"],
                           "message_en": answer["message_en"]}}
    return {k: v for k, v in answer.items() if k != "protocol"} | {"key": key}


def _transient(key: str) -> dict[str, Any]:
    _, busy = error(503, "busy")
    return {"key": key, "status": "transient", "error": "busy", "retry_after": 1,
            "message_zh": busy["message_zh"], "message_en": busy["message_en"]}
