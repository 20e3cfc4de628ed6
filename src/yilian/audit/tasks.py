"""Celery task: a checkpoint on demand. The periodic one is the sweeper's
(``checkpoint_if_due``, :mod:`yilian.chain.sweeper`)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="yilian.audit.tasks.checkpoint")
def checkpoint() -> int:
    from yilian.audit.checkpoints import make_checkpoint

    made = make_checkpoint()
    return made.seq if made else 0
