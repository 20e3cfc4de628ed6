"""Celery tasks: thin wrappers over :mod:`yilian.notices.outbox`."""

from __future__ import annotations

from celery import shared_task

from yilian.notices import outbox


@shared_task(name="yilian.notices.tasks.deliver", acks_late=True)
def deliver(message_id: int) -> str:
    return outbox.deliver(message_id)


@shared_task(name="yilian.notices.tasks.deliver_due")
def deliver_due() -> int:
    return outbox.deliver_due()
