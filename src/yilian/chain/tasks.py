"""Celery tasks: thin wrappers over the engine, which holds every decision."""

from __future__ import annotations

from celery import shared_task

from yilian.chain import engine


@shared_task(name="yilian.chain.tasks.run_step", acks_late=True)
def run_step(step_id: int) -> bool:
    return engine.advance(step_id)

