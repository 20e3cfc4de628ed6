"""The Celery application for production workers (``yilian worker``)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yilian.settings")

app = Celery("yilian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["yilian.chain"])
