"""The SMS channel (短信通道) behind one interface: :class:`Sender`.

- :class:`OutboxSender` — the demo's and the default: nothing leaves the machine; the
  message stays in the outbox, where ``/accounts/outbox/`` and ``/api/v1/demo/outbox/``
  (demo mode) show it.
- :class:`HttpSmsSender` — a real provider over HTTP (``YILIAN_SMS_URL``,
  ``YILIAN_SMS_KEY`` / ``YILIAN_SMS_KEY_FILE``). One request per message::

      POST {YILIAN_SMS_URL}
      Authorization: Bearer {key}
      Idempotency-Key: {message id}
      {"id": "...", "to": "13906310001", "text": "【一链】..."}

  2xx → sent (the answer's ``id``, if any, is kept as the provider's reference);
  429, 5xx, a timeout or no connection → try again later (:class:`SendFailed`); any other
  answer → refused, the message fails visibly (:class:`SendRefused`). A provider that
  sees one ``Idempotency-Key`` twice (a worker that crashed after sending) sends once.

Which one is used is configuration alone (:func:`configured`).
"""

from __future__ import annotations

from typing import Protocol

import httpx
from django.conf import settings

TIMEOUT_SECONDS = 10.0


class SendFailed(Exception):
    """The provider could not take the message now: try again later."""


class SendRefused(Exception):
    """The provider refused the message: trying again will not help."""


class Sender(Protocol):
    """A way to deliver one text. ``remote`` says whether messages leave the outbox (and
    so wait for the delivery worker) or stay in it."""

    remote: bool

    def send(self, message_id: str, to: str, text: str) -> str:
        """Deliver one text; return the provider's reference. Raises :class:`SendFailed`
        or :class:`SendRefused`. Must be safe to call twice with one ``message_id``."""
        ...


class OutboxSender:
    """The outbox is the phone: messages stay where trainers and checks read them."""

    remote = False

    def send(self, message_id: str, to: str, text: str) -> str:
        return ""


class HttpSmsSender:
    """An SMS provider's HTTP API (the request above), over httpx."""

    remote = True

    def __init__(self, url: str, key: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.url, self.key, self.timeout = url, key, timeout

    def send(self, message_id: str, to: str, text: str) -> str:
        headers = {"Idempotency-Key": message_id}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        try:
            answer = httpx.post(self.url, json={"id": message_id, "to": to, "text": text},
                                headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:  # no connection, timeout, broken reply
            raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
        if answer.status_code == 429 or answer.status_code >= 500:
            raise SendFailed(f"HTTP {answer.status_code}: {answer.text[:200]}")
        if not answer.is_success:
            raise SendRefused(f"HTTP {answer.status_code}: {answer.text[:200]}")
        try:
            reference = answer.json().get("id", "")
        except (ValueError, AttributeError):
            reference = ""
        return str(reference or "")[:64]


def configured() -> Sender:
    """The provider when ``YILIAN_SMS_URL`` is set, else the outbox."""
    if settings.SMS_URL:
        return HttpSmsSender(settings.SMS_URL, settings.SMS_KEY)
    return OutboxSender()
