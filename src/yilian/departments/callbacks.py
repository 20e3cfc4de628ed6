"""Receiving a department's callback (部门回调, docs/department-protocol.md §4).

The signature is the only authentication: it is checked over the exact bytes received
with that department's secret, the timestamp must be within the window, and a signature
accepted once is refused when played back (:class:`CallbackReceipt`, kept for twice the
window — the longest a captured signature could still pass the timestamp check). The
result then goes to :func:`yilian.chain.late.record_late_result`.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yilian.chain.late import LateResultRefused, record_late_result
from yilian.departments import protocol, registry
from yilian.departments.base import Outcome, TransientError
from yilian.departments.http import Refusal, read_done, read_refusal
from yilian.departments.models import CallbackReceipt

_SIGNATURE = ("签名无效", "the signature does not match")
_MESSAGES = {
    "signature": _SIGNATURE,
    "timestamp": ("时间戳超出允许范围（±300秒）", "the timestamp is outside the window (±300 s)"),
    "replayed": ("该回调已被接收过（重放）", "this delivery was already accepted (replayed)"),
    "unknown_department": ("未配置该联网部门", "no department with this code is reached "
                           "over HTTP"),
    "malformed": ("回调内容格式不正确", "the callback's body is not a valid result"),
}


class CallbackRefused(Exception):
    """An answer other than 200: HTTP ``status`` and a machine ``code``, both languages."""

    def __init__(self, status: int, code: str, zh: str = "", en: str = "") -> None:
        zh, en = (zh, en) if zh else _MESSAGES[code]
        super().__init__(en)
        self.status, self.code, self.message_zh, self.message_en = status, code, zh, en

    def body(self) -> dict:
        said = {"code": self.code, "message_zh": self.message_zh,
                "message_en": self.message_en}
        # The protocol's fields, and the API's error shape (``errors``) around the same.
        return {"protocol": protocol.PROTOCOL, "status": "error", "error": self.code,
                "message_zh": self.message_zh, "message_en": self.message_en,
                "errors": [{"field": "", **said}]}


def receive(code: str, headers, path: str, body: bytes) -> dict:
    """Check and record one delivery; the 200 answer's body, or :class:`CallbackRefused`."""
    secret = settings.DEPARTMENT_SECRETS.get(code)
    if not secret:
        raise CallbackRefused(404, "unknown_department")
    try:
        verified = protocol.verify(secret, headers, "POST", path, body)
    except protocol.SignatureRefused as exc:
        raise CallbackRefused(401, exc.reason) from exc
    key, result = _read(code, body)
    try:
        # The receipt commits with the result, or not at all: a delivery refused here
        # is one the department sends again, signed anew.
        with transaction.atomic():
            _prune()
            try:
                with transaction.atomic():
                    CallbackReceipt.objects.create(signature=verified.signature,
                                                   department=code, key=key)
            except IntegrityError as exc:
                raise CallbackRefused(409, "replayed") from exc
            outcome = record_late_result(code, key, result)
    except LateResultRefused as exc:
        raise CallbackRefused(404 if exc.code == "unknown_key" else 409, exc.code,
                              exc.message_zh, exc.message_en) from exc
    return {"protocol": protocol.PROTOCOL, "status": "recorded", "key": key,
            "duplicate": outcome == "duplicate"}


def _read(code: str, body: bytes) -> tuple[str, Outcome | Refusal]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CallbackRefused(400, "malformed") from exc
    if not isinstance(data, dict) or not isinstance(data.get("key"), str) \
            or not 0 < len(data["key"]) <= 64 \
            or data.get("protocol", protocol.PROTOCOL) != protocol.PROTOCOL:
        raise CallbackRefused(400, "malformed")
    if data.get("status") == "refused":
        return data["key"], read_refusal(data)
    if data.get("status") != "done":
        raise CallbackRefused(400, "malformed")
    try:
        outcome = read_done(code, data)
    except TransientError as exc:
        raise CallbackRefused(400, "malformed") from exc
    department = registry.departments().get(code)
    if department is not None:  # a step's department reads its own details
        outcome = Outcome(outcome.reference, department.read_result(outcome.data))
    return data["key"], outcome


def _prune() -> None:
    cutoff = timezone.now() - dt.timedelta(seconds=2 * protocol.WINDOW_SECONDS)
    CallbackReceipt.objects.filter(received_at__lt=cutoff).delete()
