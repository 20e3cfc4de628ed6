"""What the reference department does with what it is asked (部门业务), apart from HTTP.

A step department (tax, seals, …) acts once per idempotency key: its reference number
and data come from the department module's own ``act(request, serial)``
(:mod:`yilian.departments`), with ``serial`` the ledger row's number. It acts at once, or
— with ``async_after`` — accepts, acts that many seconds later and reports by callback.
A query department (identity, permits) answers through the simulator's ``answer()``.
Answers are the bodies of docs/department-protocol.md §3–§7, with their HTTP status.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import threading
import time
import uuid
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string

from yilian.departments import queries, registry
from yilian.departments.base import StepRequest
from yilian.departments.protocol import PROTOCOL, WINDOW_SECONDS, Verified
from yilian.deptsim.faults import Faults
from yilian.deptsim.ledger import KeyReused, Ledger, Row

#: ``registration`` is not here: Yilian itself is the zone's registration system.
STEP_CODES = tuple(code for code in registry.DEFAULT if code != "registration")
QUERY_CODES = tuple(queries.DEFAULT)
CODES = STEP_CODES + QUERY_CODES
_FAULTS = "faults"

Reply = tuple[int, dict[str, Any]]


class NotOffered(Exception):
    """A code the reference system does not serve (with the reason, in both languages)."""


_ERRORS = {
    "signature": ("签名无效", "the signature does not match"),
    "timestamp": ("时间戳超出允许范围", "the timestamp is outside the window"),
    "replayed": ("该签名已被接受过（重放）", "this signature was already accepted"),
    "department": ("请求发错了部门", "this request is for another department"),
    "key_reused": ("该幂等键已用于另一请求", "this key was used for a different request"),
    "busy": ("系统繁忙，请稍后再试", "busy, try again"),
    "down": ("部门系统暂停服务", "the department is down"),
    "malformed": ("请求体不是JSON对象", "the body is not a JSON object"),
    "bad_http": ("请求不符合HTTP/1.1", "the request does not follow HTTP/1.1"),
    "length_required": ("请求须带Content-Length", "the request must carry Content-Length"),
    "too_large": ("请求体超过1 MiB", "the body is over 1 MiB"),
    "not_found": ("没有这个接口", "no such endpoint"),
    "method": ("接口不支持此方法", "method not allowed"),
    "not_offered": ("本部门只答复查询", "this department answers queries, not requests"),
    "unknown_query": ("本部门不答复此查询", "this department does not answer that query"),
    "bad_cursor": ("游标或条数无效（1–1000）", "after must be a `next` cursor, limit 1 to 1000"),
    "bad_setting": ("故障设置无效", "a fault setting cannot be read"),
}


def error(status: int, code: str, detail: str = "") -> Reply:
    """An error answer (§3): what went wrong in ``error``, said in both languages."""
    zh, en = _ERRORS[code]
    if detail:
        zh, en = f"{zh}：{detail}", f"{en}: {detail}"
    return status, {"protocol": PROTOCOL, "status": "error", "error": code,
                    "message_zh": zh, "message_en": en}


def iso(stamp: float) -> str:
    """A time as the protocol writes it: ISO 8601 in the zone's local time (the
    configured zone: a department system never activates another one)."""
    return dt.datetime.fromtimestamp(stamp, timezone.get_default_timezone()).isoformat(
        timespec="seconds")


def _refusal(code: str, zh: str, en: str) -> dict[str, str]:
    return {"code": code, "message_zh": zh, "message_en": en}


def check_code(code: str) -> None:
    """Raise :class:`NotOffered` unless the reference system serves ``code``."""
    if code == "registration":
        raise NotOffered("registration is Yilian's own step: Yilian is the zone's "
                         "registration system (docs/department-protocol.md §1), so there is "
                         "no department system to run / 设立登记由一链自身办理，没有部门系统")
    if code not in CODES:
        raise NotOffered(f"unknown department {code!r}; one of {', '.join(CODES)} / "
                         f"未知部门")


class DepartmentSystem:
    """One department's system: its adapter's act or answer, its ledger, its faults."""

    def __init__(self, code: str, ledger: Ledger, overrides: dict[str, str]) -> None:
        check_code(code)
        self.code = code
        self.ledger = ledger
        self.steps = code in STEP_CODES
        # The department module's own class, never registry.get(): that may be the
        # remote adapter when YILIAN_DEPARTMENTS is set.
        path = registry.DEFAULT[code] if self.steps else queries.DEFAULT[code]
        self.adapter = import_string(path)()
        self.wake = threading.Event()
        self._lock = threading.Lock()
        # The replay store (§2) as this process checks it; the ledger keeps the same
        # signatures so a restart still refuses what it accepted before.
        self._seen = ledger.signatures(time.time())
        self._seen_lock = threading.Lock()
        saved = ledger.setting(_FAULTS)
        faults = Faults.for_department(code)
        if saved:
            faults = faults.updated(json.loads(saved))
        self._faults = faults
        self.set_faults(overrides)

    # --- fault settings ----------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._faults

    def set_faults(self, settings: dict[str, str]) -> Faults:
        """Apply and persist settings (raises ``BadSetting`` and changes nothing)."""
        with self._lock:
            self._faults = self._faults.updated(settings)
            self.ledger.set_setting(_FAULTS, json.dumps(self._faults.as_settings()))
        self.wake.set()
        return self._faults

    def down_for(self) -> float | None:
        faults = self._faults
        if not faults.outages:
            return None
        return faults.down_for(timezone.localtime())

    # --- §2 the replay store -----------------------------------------------------------

    def first_sight(self, verified: Verified) -> bool:
        """Note an accepted signature; False when it was seen within the window (a
        replay). The caller then keeps it in the ledger: :meth:`keep_signature`, or
        :meth:`ask` in its own transaction."""
        now = time.time()
        with self._seen_lock:
            if self._seen.get(verified.signature, 0.0) >= now:
                return False
            self._seen[verified.signature] = _expiry(verified)
        return True

    def keep_signature(self, verified: Verified | None, db=None) -> None:
        """Keep an accepted signature in the ledger (in ``db``'s transaction, if given)."""
        if verified is not None:
            self.ledger.remember(verified.signature, _expiry(verified), db)

    def forget_signatures(self, now: float) -> None:
        """Drop the signatures whose window has passed, here and in the ledger."""
        with self._seen_lock:
            self._seen = {s: until for s, until in self._seen.items() if until >= now}
        self.ledger.forget_signatures(now)

    # --- §3 asking to act, §4 polling --------------------------------------------------

    def ask(self, body: dict[str, Any], seen: Verified | None = None) -> Reply:
        """Act on ``body`` once per key; ``seen``, the request's signature, is kept in
        the same transaction (one commit per request)."""
        refused = self.unreadable(body)
        if refused:
            self.keep_signature(seen)
            return refused
        with self.ledger.write() as db:
            self.keep_signature(seen, db)
            reply, later = self.ask_within(db, body, time.time())
        if later:
            self.wake.set()
        return reply

    def ask_within(self, db, body: dict[str, Any], now: float) -> tuple[Reply, bool]:
        """One readable ask inside the caller's write transaction (a single ask's, or a
        whole batch's): the answer, and whether it was accepted to be done later."""
        after = self._faults.async_after
        due = now + after if after > 0 else None
        try:
            row, new = self.ledger.ask(db, body["key"], _fingerprint(body), body, now, due)
        except KeyReused:  # nothing was written for this key
            return error(409, "key_reused"), False
        if new and due is None:
            row = self._act(db, row, now)
        return self.answer(row), new and due is not None

    def unreadable(self, body: dict[str, Any]) -> Reply | None:
        if not self.steps:
            return error(404, "not_offered")
        key = body.get("key")
        if not isinstance(key, str) or not 0 < len(key) <= 64:
            return self._malformed(body, "key: 1 to 64 characters")
        if body.get("department") not in (None, self.code):
            return self._malformed(body, f"department: this is {self.code}")
        if not isinstance(body.get("payload"), dict):
            return self._malformed(body, "payload: an object")
        if not isinstance(body.get("callback_url", ""), str):
            return self._malformed(body, "callback_url: a URL")
        return None

    def state(self, key: str) -> Reply:
        row = self.ledger.find(key)
        if row is None:
            return 404, {"protocol": PROTOCOL, "key": key, "status": "unknown"}
        return self.answer(row)

    def answer(self, row: Row) -> Reply:
        head = {"protocol": PROTOCOL, "key": row.key}
        if row.status == "done":
            return 200, {**head, "status": "done", "reference": row.reference,
                         "data": row.data, "completed_at": iso(row.completed_at)}
        if row.status == "refused":
            return 422, {**head, "status": "refused", "reason": row.reason}
        return 202, {**head, "status": "accepted", "expected_at": iso(row.due_at)}

    def _malformed(self, body: dict[str, Any], problem: str) -> Reply:
        # Malformed is permanent: asking again with the same body cannot help.
        key = body.get("key") if isinstance(body.get("key"), str) else ""
        return 422, {"protocol": PROTOCOL, "key": key, "status": "refused",
                     "reason": _refusal("bad_request", f"请求不符合协议：{problem}",
                                        f"the request does not follow the protocol: {problem}")}

    def _act(self, db, row: Row, now: float, report: bool = False) -> Row:
        """Do the department's work for ``row`` once (inside the caller's transaction);
        with ``report``, queue the callbacks in the same transaction. Returns the row
        as it now stands."""
        body = row.request
        request = StepRequest(self.code, row.key, str(body.get("application_id", "")),
                              str(body.get("uscc", "")), body["payload"])
        try:
            reference, data = self.adapter.perform(request, row.serial)
        except (KeyError, TypeError, ValueError, IndexError) as problem:
            reason = _refusal("bad_payload", f"申请内容缺少或不符：{problem}",
                              f"the payload is missing or wrong: {problem}")
            self.ledger.finish(db, row.serial, now, reason=reason)
            result = {"status": "refused", "reason": reason}
            finished = dataclasses.replace(row, status="refused", reason=reason,
                                           completed_at=now)
        else:
            self.ledger.finish(db, row.serial, now, reference=reference, data=data)
            result = {"status": "done", "reference": reference, "data": data,
                      "completed_at": iso(now)}
            finished = dataclasses.replace(row, status="done", reference=reference,
                                           data=data, completed_at=now)
        url = body.get("callback_url") or ""
        if report and url:
            faults = self._faults
            event = uuid.uuid4().hex
            message = {"protocol": PROTOCOL, "event_id": event, "key": row.key, **result}
            first = now + faults.callback_delay
            # Each copy is held back on its own draw, so copies and results may cross.
            due = [first + faults.held_back() + 0.05 * i
                   for i in range(1 + faults.callback_duplicates)]
            self.ledger.enqueue(db, event, row.key, url,
                                json.dumps(message, ensure_ascii=False).encode(), due)
        return finished

    def complete_due(self) -> int:
        """Act on every accepted request whose time has come; how many."""
        now = time.time()
        with self.ledger.write() as db:
            rows = self.ledger.due(db, now)
            for row in rows:
                self._act(db, row, now, report=True)
        return len(rows)

    # --- §5 queries, §6 effects ----------------------------------------------------------

    def query(self, name: str, body: dict[str, Any]) -> Reply:
        if self.steps or name != self.code:
            return error(404, "unknown_query", name)
        payload = body.get("payload")
        if not isinstance(payload, dict):
            return 422, {"protocol": PROTOCOL, "status": "refused",
                         "reason": _refusal("bad_request", "请求不符合协议：payload",
                                            "the query's payload must be an object")}
        try:
            found = self.adapter.answer(payload)
        except (KeyError, TypeError, ValueError) as problem:
            return 422, {"protocol": PROTOCOL, "status": "refused",
                         "reason": _refusal("bad_payload", f"查询内容不符：{problem}",
                                            f"the query's payload is wrong: {problem}")}
        return 200, {"protocol": PROTOCOL, "ok": found.ok, "reason": found.reason,
                     "data": found.data}

    def effects(self, after: str, limit: str) -> Reply:
        try:
            cursor = int(after or 0)
            size = int(limit or 100)
        except ValueError:
            return error(400, "bad_cursor")
        if not 1 <= size <= 1000 or cursor < 0:
            return error(400, "bad_cursor")
        page, following = self.ledger.effects(cursor, size)
        for effect in page:
            effect["created_at"] = iso(effect.pop("completed_at"))
        return 200, {"protocol": PROTOCOL, "department": self.code, "effects": page,
                     "next": str(following) if following is not None else None}


def _expiry(verified: Verified) -> float:
    """How long a signature is kept: past its timestamp's window on either side."""
    return verified.timestamp + 2 * WINDOW_SECONDS


def _fingerprint(body: dict[str, Any]) -> str:
    """What makes two asks "the same request": everything but the envelope and the
    callback address (Yilian's address may change between tries)."""
    same = {k: body.get(k) for k in ("application_id", "uscc", "payload")}
    return hashlib.sha256(json.dumps(same, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()
