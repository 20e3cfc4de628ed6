"""The department protocol's shared parts (部门接口协议, docs/department-protocol.md):
the version, the signature over the exact bytes, and the replay window.

Both sides use this module — Yilian's HTTP adapter and callback endpoint, and the
reference department system — so the two can never sign differently.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

PROTOCOL = "yilian-dept/1"
#: The batch ask (批量请求): several steps' asks for one department in one request,
#: each answered on its own (docs/department-protocol.md §3a). Version 1 is still served.
PROTOCOL_BATCH = "yilian-dept/2"
BATCH_PATH = "/v2/batches"
#: The most asks one batch may carry; a department refuses a longer one whole.
BATCH_LIMIT = 50
WINDOW_SECONDS = 300

HEADER_PROTOCOL = "X-Yilian-Protocol"
HEADER_DEPARTMENT = "X-Yilian-Department"
HEADER_TIMESTAMP = "X-Yilian-Timestamp"
HEADER_SIGNATURE = "X-Yilian-Signature"
HEADER_NONCE = "X-Yilian-Nonce"


class SignatureRefused(Exception):
    """A message whose signature does not hold; ``reason`` is ``signature``,
    ``timestamp`` or ``replayed`` (the last answers 409, the others 401)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signature(secret: str, timestamp: str, method: str, path: str, body: bytes,
               nonce: str = "") -> str:
    """``v1=`` and the HMAC-SHA256 of ``timestamp.METHOD.path.body`` under ``secret``
    (``timestamp.nonce.METHOD.path.body`` when the message carries a nonce)."""
    head = [timestamp.encode()] + ([nonce.encode()] if nonce else [])
    message = b".".join([*head, method.upper().encode(), path.encode(), body])
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, department: str, method: str, path: str, body: bytes,
                   now: float | None = None, version: str = PROTOCOL) -> dict[str, str]:
    """The headers a message in either direction carries (§2). A fresh nonce makes each
    sending's signature its own, so a sender that asks again within the same second (a
    retry, a second poll, two workers' probes) is not taken for a replay."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(8)
    return {
        "Content-Type": "application/json",
        HEADER_PROTOCOL: version,
        HEADER_DEPARTMENT: department,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(secret, timestamp, method, path, body, nonce),
    }


@dataclass(frozen=True)
class Verified:
    timestamp: int
    signature: str


def verify(secret: str, headers, method: str, path: str, body: bytes,
           now: float | None = None, window: int = WINDOW_SECONDS) -> Verified:
    """Check a received message's signature and timestamp; raise
    :class:`SignatureRefused` otherwise. Replays are the caller's to refuse: it keeps
    ``Verified.signature`` for ``window`` seconds (a unique row, a set)."""
    given = headers.get(HEADER_SIGNATURE) or ""
    stamp = headers.get(HEADER_TIMESTAMP) or ""
    nonce = headers.get(HEADER_NONCE) or ""
    if not secret or not given or not stamp.isdigit():
        raise SignatureRefused("signature")
    expected = signature(secret, stamp, method, path, body, nonce)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise SignatureRefused("signature")
    current = now if now is not None else time.time()
    if abs(current - int(stamp)) > window:
        raise SignatureRefused("timestamp")
    return Verified(int(stamp), given)
