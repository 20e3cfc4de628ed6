"""The Celery application for production workers (``yilian worker``).

Pool processes do not warm the name index (名称比对索引) at start, unlike the web
processes (``runner.py``): no chain task checks names — submission does, in the web
process — and at a province's 10 M names each pool process would hold 1.1 GB for nothing.
A task that comes to check names can still call ``names.services.current_index()``,
which loads the data dir's snapshot on first use.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yilian.settings")

app = Celery("yilian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["yilian.chain", "yilian.audit", "yilian.forms",
                        "yilian.notices"])


@task_prerun.connect
def _carry_request_id(task=None, **kwargs) -> None:
    # Celery puts custom message headers on the task's request (yilian.observability.logs).
    from yilian.observability import logs

    logs.received({"request_id": getattr(task.request, "request_id", None)} if task else None)
