"""Celery tasks of the one form: thin wrappers over :mod:`yilian.forms.lifecycle`."""

from __future__ import annotations

from celery import shared_task

from yilian.forms import lifecycle


@shared_task(name="yilian.forms.tasks.expire_drafts")
def expire_drafts() -> int:
    return lifecycle.expire_drafts()
