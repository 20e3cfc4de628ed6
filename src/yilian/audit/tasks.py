"""Celery task: the checkpoint on the beat schedule (``yilian worker --beat``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="yilian.audit.tasks.checkpoint")
def checkpoint() -> int:
    from yilian.audit.checkpoints import make_checkpoint

    made = make_checkpoint()
    return made.seq if made else 0
