"""Putting texts in the outbox (发件箱) and delivering them from it.

:func:`put` writes the message in the caller's transaction — so a text exists exactly
when the change it tells of committed — once per idempotency key. With a provider
configured the row waits (``pending``) and is handed to it after the commit; without one
it stays in the outbox (``held``). :func:`deliver` sends one message, with retries
(exponential backoff) for what the provider could not take now; :func:`deliver_due` is
the sweeper that finds every message still waiting (a lost wake-up loses nothing).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from yilian.accounts.models import Delivery, OutboxMessage
from yilian.db import prepared
from yilian.notices import senders

log = logging.getLogger("yilian.notices")

# How long a worker owns a message it took; past this another may try (same message id,
# so a provider honouring Idempotency-Key sends it once).
LEASE = dt.timedelta(seconds=60)


# In SQL: milestone texts are written inside the chain's steps, and the ORM's query
# compilation cost more than the insert (docs/BENCHMARKS.md). A key already written (by
# this very change on an earlier run, or by another run at the same moment) meets the
# one-message-per-key constraint and inserts nothing.
_INTO = ('INSERT INTO accounts_outboxmessage (channel, "to", body, created_at, code, '
         "application_id, kind, key, status, attempts, next_attempt_at, provider_ref, "
         "last_error) VALUES ")
_ROW = "('sms', %s, %s, %s, %s, %s, %s, %s, %s, 0, %s, '', '')"

_gathering = threading.local()


@contextmanager
def gathered() -> Iterator[None]:
    """The texts :func:`put` within the block are written at its end, in one statement
    and in the caller's transaction (a chain's round: its seals, bank and completion
    texts); :func:`put` then returns ``None``. Nested, the outer block writes."""
    if getattr(_gathering, "rows", None) is not None:
        yield
        return
    _gathering.rows = rows = []
    try:
        yield
        if rows:
            _write(rows, remote=senders.configured().remote)
    finally:
        _gathering.rows = None


def _write(rows: list[list], remote: bool) -> list[int]:
    with prepared.cursor() as cursor:
        cursor.execute(_INTO + ", ".join([_ROW] * len(rows))
                       + " ON CONFLICT DO NOTHING RETURNING id",
                       [value for row in rows for value in row])
        written = [pk for (pk,) in cursor.fetchall()]
    if remote:
        for pk in written:
            transaction.on_commit(partial(wake, pk))
    return written


def put(to: str, body: str, *, code: str = "", application=None, kind: str = "",
        key: str = "") -> OutboxMessage | None:
    """Write one text. With ``key``, at most one message ever exists for it: a second
    call (a retried step, a re-run) writes nothing and returns ``None``."""
    remote = senders.configured().remote
    now = timezone.now()
    message = OutboxMessage(to=to, body=body, code=code, application=application,
                            kind=kind, key=key, created_at=now,
                            status=Delivery.PENDING if remote else Delivery.HELD,
                            next_attempt_at=now if remote else None)
    at = connection.ops.adapt_datetimefield_value
    row = [to, body, at(now), code, db_id(application), kind, key, message.status,
           at(message.next_attempt_at)]
    gathering = getattr(_gathering, "rows", None)
    if gathering is not None:
        gathering.append(row)
        return None
    written = _write([row], remote)
    if not written:
        return None
    message.pk = written[0]
    message._state.adding, message._state.db = False, connection.alias
    return message


def db_id(instance):
    """A model instance's primary key as a hand-written statement's parameter (UUIDs are
    text on SQLite), or ``None``."""
    if instance is None:
        return None
    return type(instance)._meta.pk.get_db_prep_value(instance.pk, connection)


def wake(message_id: int) -> None:
    """After the commit: a Celery worker, or (embedded) a short thread, delivers it."""
    if not settings.EMBEDDED_WORKER:
        from yilian.celery import app

        try:
            app.send_task("yilian.notices.tasks.deliver", (message_id,))
        except Exception:  # the broker being down must not fail the request
            log.warning("could not queue text %s; the sweeper will send it", message_id)
        return
    from yilian.chain import dispatch

    if dispatch.inbox.active:  # a running `yilian demo`/`serve`, not a test's process
        threading.Thread(target=_deliver_closing, args=(message_id,), daemon=True).start()


def _deliver_closing(message_id: int) -> None:
    from django.db import close_old_connections

    try:
        deliver(message_id)
    finally:
        close_old_connections()


def deliver(message_id: int, sender: senders.Sender | None = None) -> str:
    """Try once to deliver a waiting message; returns its status afterwards (or ``""``
    when it was not due or another worker holds it)."""
    sender = sender or senders.configured()
    now = timezone.now()
    taken = OutboxMessage.objects.filter(
        pk=message_id, status=Delivery.PENDING, next_attempt_at__lte=now,
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not taken:
        return ""
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        reference = sender.send(f"yilian-sms-{message.pk}", message.to, message.body)
    except senders.SendRefused as exc:
        return _record(message, Delivery.FAILED, error=str(exc))
    except senders.SendFailed as exc:
        if message.attempts >= settings.SMS_MAX_ATTEMPTS:
            return _record(message, Delivery.FAILED, error=str(exc))
        return _record(message, Delivery.PENDING, error=str(exc),
                       retry_at=timezone.now() + dt.timedelta(seconds=_backoff(message)))
    return _record(message, Delivery.SENT if sender.remote else Delivery.HELD,
                   reference=reference)


def _backoff(message: OutboxMessage) -> float:
    from yilian.chain.engine import backoff

    return backoff(message.attempts)


def _record(message: OutboxMessage, status: str, *, error: str = "", reference: str = "",
            retry_at: dt.datetime | None = None) -> str:
    message.status = status
    message.last_error = error[:500]
    message.provider_ref = reference
    message.next_attempt_at = retry_at
    if status == Delivery.SENT:
        message.delivered_at = timezone.now()
    message.save(update_fields=["status", "last_error", "provider_ref", "next_attempt_at",
                                "delivered_at"])
    if status == Delivery.FAILED:
        log.warning("text %s to %s failed after %d attempt(s): %s", message.pk,
                    message.to[:3] + "****" + message.to[-4:], message.attempts, error)
    return status


def deliver_due(limit: int = 200) -> int:
    """Deliver every waiting message that is due (the sweeper); returns how many were
    tried. Nothing to do when no provider is configured."""
    sender = senders.configured()
    if not sender.remote:
        return 0
    ids = list(OutboxMessage.objects.filter(status=Delivery.PENDING,
                                            next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if deliver(pk, sender))
