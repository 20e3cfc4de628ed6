"""The one HTTP client every department adapter uses (部门接口客户端), speaking
docs/department-protocol.md (``yilian-dept/1``).

One :class:`DepartmentClient` per department holds a pooled :class:`httpx.Client`,
signs every request (:func:`yilian.departments.protocol.signed_headers`, over the exact
bytes sent) and maps each answer exactly as the protocol's §3 table says:

======================================  ==========================================
200 ``done``                             :class:`Outcome`
202 ``accepted``                         :class:`Accepted` (``expected_at``)
422 ``refused``                          :class:`PermanentError` (a person looks)
401, 409                                 :class:`PermanentError` (configuration)
429, 503                                 :class:`TransientError` (``Retry-After``)
anything else, bad JSON, timeout, …      :class:`TransientError` (ask again, same key)
======================================  ==========================================

A department adapter never sees HTTP: :mod:`yilian.departments.remote` wraps the
department's own adapter around this client.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from yilian.departments import protocol
from yilian.departments.base import (
    Accepted,
    Outcome,
    PermanentError,
    StepRequest,
    TransientError,
    ask_each,
)

EFFECTS_PAGE = 1000  # the protocol's largest page (§6)


@dataclass(frozen=True)
class Timeouts:
    """Seconds: to connect, and for the whole answer (read, write, pool wait)."""

    connect: float = 3.0
    total: float = 10.0


@dataclass(frozen=True)
class Refusal:
    """A department's refusal (不予办理), as a callback or an answer carries it."""

    code: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message_zh} / {self.message_en}"


class DepartmentClient:
    """Yilian's side of one department over HTTP: ``base_url`` and ``secret`` from the
    configuration (``YILIAN_DEPARTMENTS``, ``YILIAN_DEPARTMENT_<CODE>_SECRET``)."""

    def __init__(self, code: str, base_url: str, secret: str,
                 timeouts: Timeouts | None = None) -> None:
        self.code = code
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeouts = timeouts or Timeouts()
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._pid = 0
        self._single_only = False

    # -- the wire ---------------------------------------------------------------------

    def _pool(self) -> httpx.Client:
        # Made on first use and again after a fork (Celery's prefork workers): sockets
        # opened by a parent must never be shared by its children.
        with self._lock:
            if self._client is None or self._pid != os.getpid():
                self._client = httpx.Client(
                    timeout=httpx.Timeout(self.timeouts.total, connect=self.timeouts.connect),
                    limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
                    follow_redirects=False)
                self._pid = os.getpid()
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = None

    def send(self, method: str, path: str, body: dict | None = None,
             params: dict | None = None, version: str = protocol.PROTOCOL) -> httpx.Response:
        """One signed request; raises :class:`TransientError` when no answer came."""
        content = b"" if body is None else json.dumps(
            body, ensure_ascii=False, separators=(",", ":")).encode()
        client = self._pool()
        request = client.build_request(method, self.base_url + path, content=content,
                                       params=params)
        # Signed over the path as it goes on the wire (a base URL's prefix and the
        # query string included) and the very bytes sent.
        request.headers.update(protocol.signed_headers(
            self.secret, self.code, method, request.url.raw_path.decode("ascii"), content,
            version=version))
        try:
            return client.send(request)
        except httpx.HTTPError as exc:  # no connection, timeout, broken reply
            raise TransientError(f"{self.code}: {type(exc).__name__}: {exc}") from exc

    # -- §3 asking, §4 polling -------------------------------------------------------

    def submit(self, request: StepRequest, callback_url: str) -> Outcome | Accepted:
        """``POST /v1/requests`` with the step's idempotency key."""
        body = {"protocol": protocol.PROTOCOL, "key": request.idempotency_key,
                "department": self.code, "application_id": request.application_id,
                "uscc": request.uscc, "payload": request.payload,
                "callback_url": callback_url}
        return self.read_answer(self.send("POST", "/v1/requests", body),
                                request.idempotency_key)

    def submit_batch(self, requests: list[StepRequest], callback_url: str
                     ) -> list[Outcome | Accepted | Exception]:
        """``POST /v2/batches`` (§3a): several steps' asks in one request; each one's
        answer in order, as :meth:`submit` would return or raise it. Raises when the
        request as a whole got no usable answer (the same for every step). A department
        that does not serve ``/v2/`` is asked one step a request from then on."""
        if self._single_only:
            return ask_each(self.submit, requests, callback_url)
        body = {"protocol": protocol.PROTOCOL_BATCH, "department": self.code,
                "callback_url": callback_url,
                "items": [{"key": r.idempotency_key, "application_id": r.application_id,
                           "uscc": r.uscc, "payload": r.payload} for r in requests]}
        answer = self.send("POST", protocol.BATCH_PATH, body, version=protocol.PROTOCOL_BATCH)
        data = _json(answer)
        if answer.status_code == 404 and data.get("error") in ("not_found", None):
            self._single_only = True  # it speaks yilian-dept/1 only
            return ask_each(self.submit, requests, callback_url)
        results = data.get("results")
        if answer.status_code != 200 or not isinstance(results, list):
            if answer.status_code in (200, 202):
                raise TransientError(f"{self.code}: a batch answer without results")
            self.read_answer(answer, "")  # the §3 table for the request as a whole
            raise TransientError(f"{self.code}: HTTP {answer.status_code}")
        by_key = {item.get("key"): item for item in results if isinstance(item, dict)}
        return [self._read_item(by_key.get(r.idempotency_key)) for r in requests]

    def _read_item(self, item: dict | None) -> Outcome | Accepted | Exception:
        """One item of a batch answer: the §3 table, its ``status`` for the HTTP code."""
        status = (item or {}).get("status")
        if status == "transient":
            retry = item.get("retry_after")
            return TransientError(f"{self.code}: {_error(item)}",
                                  retry_after=float(retry) if isinstance(retry, int | float)
                                  else None)
        if status == "refused":
            return PermanentError(str(read_refusal(item)))
        if status == "accepted":
            expected = _instant(item.get("expected_at"))
            return Accepted(expected, str(item.get("note") or "")) if expected else \
                TransientError(f"{self.code}: accepted without a valid expected_at")
        if status == "done":
            try:
                return read_done(self.code, item)
            except TransientError as exc:
                return exc
        return TransientError(f"{self.code}: no answer for this step in the batch")

    def poll(self, request: StepRequest, callback_url: str) -> Outcome | Accepted:
        """``GET /v1/requests/{key}``; a department that never received the request
        (404 ``unknown``) is asked again with the same key."""
        answer = self.send("GET", f"/v1/requests/{quote(request.idempotency_key, safe='')}")
        if answer.status_code == 404 and _json(answer).get("status") == "unknown":
            return self.submit(request, callback_url)
        return self.read_answer(answer, request.idempotency_key)

    def read_answer(self, answer: httpx.Response, key: str) -> Outcome | Accepted:
        """The §3 table."""
        code = answer.status_code
        body = _json(answer)
        if body.get("key") not in (None, key):
            raise TransientError(f"{self.code}: answer for another key ({body.get('key')!r})")
        if code == 200 and body.get("status") == "done":
            return read_done(self.code, body)
        if code == 202 and body.get("status") == "accepted":
            expected = _instant(body.get("expected_at"))
            if expected is None:
                raise TransientError(f"{self.code}: accepted without a valid expected_at")
            return Accepted(expected, str(body.get("note") or ""))
        if code == 422 and body.get("status") == "refused":
            raise PermanentError(str(read_refusal(body)))
        if code == 409 and body.get("error") == "replayed":
            # Our own request seen twice (a resend within the same second): the next
            # try is signed anew, with a new timestamp.
            raise TransientError(f"{self.code}: HTTP 409 replayed")
        if code in (401, 409):
            raise PermanentError(f"{self.code}: HTTP {code} {_error(body)} — check the "
                                 f"department's URL and secret")
        raise TransientError(f"{self.code}: HTTP {code} {_error(body)}".rstrip(),
                             retry_after=_retry_after(answer))

    # -- §5 queries, §6 effects, §7 health ---------------------------------------------

    def query(self, query: str, payload: dict[str, Any]) -> dict[str, Any]:
        """``POST /v1/queries/{query}``: the answer's ``ok``, ``reason`` and ``data``;
        anything but a well-formed 200 is :class:`TransientError` (could not answer)."""
        answer = self.send("POST", f"/v1/queries/{quote(query, safe='')}",
                           {"protocol": protocol.PROTOCOL, "query": query,
                            "payload": payload})
        body = _json(answer)
        if answer.status_code != 200 or not isinstance(body.get("ok"), bool) \
                or not isinstance(body.get("reason"), str) \
                or not isinstance(body.get("data", {}), dict):
            raise TransientError(f"{self.code}: query {query} not answered (HTTP "
                                 f"{answer.status_code} {_error(body)})".rstrip(),
                                 retry_after=_retry_after(answer))
        return {"ok": body["ok"], "reason": body["reason"], "data": body.get("data") or {}}

    def effects(self, limit: int = EFFECTS_PAGE) -> list[dict[str, Any]]:
        """Every effect the department lists, oldest first, paging by its cursor."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"limit": str(limit)} | ({"after": cursor} if cursor else {})
            answer = self.send("GET", "/v1/effects", params=params)
            body = _json(answer)
            page = body.get("effects")
            if answer.status_code != 200 or not isinstance(page, list):
                raise TransientError(f"{self.code}: effects not listed (HTTP "
                                     f"{answer.status_code})", retry_after=_retry_after(answer))
            found += [_effect(e) for e in page if isinstance(e, dict)]
            following = body.get("next")
            if not following or not page or following == cursor:
                return found
            cursor = str(following)

    def health(self) -> bool:
        """``GET /v1/health``: 200 ``ok`` means the department takes requests."""
        try:
            answer = self.send("GET", "/v1/health")
        except TransientError:
            return False
        return answer.status_code == 200 and _json(answer).get("status") == "ok"


def read_done(code: str, body: dict) -> Outcome:
    """A ``done`` answer or callback as an :class:`Outcome`; a malformed one is
    :class:`TransientError` (the department may have acted: ask again)."""
    reference, data = body.get("reference"), body.get("data", {})
    if not isinstance(reference, str) or not reference.strip() or len(reference) > 64 \
            or not isinstance(data, dict):
        raise TransientError(f"{code}: done without a valid reference and data")
    return Outcome(reference.strip(), data)


def read_refusal(body: dict) -> Refusal:
    reason = body.get("reason") if isinstance(body.get("reason"), dict) else {}
    return Refusal(str(reason.get("code") or "refused"),
                   str(reason.get("message_zh") or "部门不予办理"),
                   str(reason.get("message_en") or "the department refused"))


def _json(answer: httpx.Response) -> dict:
    try:
        body = json.loads(answer.content or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error(body: dict) -> str:
    return str(body.get("error") or body.get("status") or "")


def _instant(value) -> dt.datetime | None:
    """An ISO 8601 moment with its offset (a naive one is ambiguous: refused)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _retry_after(answer: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (a number, or an HTTP date); None when absent."""
    value = answer.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)


def _effect(raw: dict) -> dict[str, Any]:
    return {"key": str(raw.get("key", "")), "reference": raw.get("reference"),
            "status": str(raw.get("status", "")), "created_at": raw.get("created_at"),
            "calls": int(raw.get("calls") or 0)}
