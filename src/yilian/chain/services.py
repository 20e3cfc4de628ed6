"""Starting a chain (一链办理): called by submission, in its transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone

from yilian.audit.services import record, stream_for_application
from yilian.chain import dispatch
from yilian.chain.models import Chain, Step
from yilian.departments import registry


def start_chain(application, actor=None) -> Chain:
    """Create the chain and one step per department; wake workers once it commits.

    Steps with prerequisites (everything after registration) wait with no
    ``next_attempt_at``; the engine releases them when their prerequisite is done. What
    each department is sent is fixed here, at acceptance (受理), from the accepted form.
    """
    now = timezone.now()
    accepted = application.accepted_at or now
    # Every department reads the parties; fetch them once for all of them.
    prefetch_related_objects([application], "people", "employees", "investors")
    chain = Chain.objects.create(
        application=application,
        accepted_at=accepted,
        deadline_at=accepted + dt.timedelta(seconds=settings.SLA_SECONDS),
    )
    steps = Step.objects.bulk_create([
        Step(
            chain=chain,
            code=department.code,
            idempotency_key=f"{application.pk.hex}-{department.code}",
            next_attempt_at=None if department.after else now,
            payload=department.build_payload(application),
        )
        for department in registry.for_application(application)
    ])
    record(stream_for_application(application.pk), "chain.started", actor=actor,
           data={"steps": [s.code for s in steps], "deadline": chain.deadline_at.isoformat()})
    ready = Step.objects.filter(chain=chain, next_attempt_at__isnull=False)
    dispatch.on_commit(list(ready.values_list("pk", flat=True)))
    return chain
