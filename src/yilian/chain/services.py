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
from yilian.departments import steps as steps_plan


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
        purpose=application.purpose,
        accepted_at=accepted,
        deadline_at=accepted + dt.timedelta(seconds=settings.SLA_SECONDS),
    )
    departments = registry.for_application(application)
    changed = _changed(application)
    codes = tuple(d.code for d in departments)
    steps = Step.objects.bulk_create([
        Step(
            chain=chain,
            code=department.code,
            idempotency_key=f"{application.pk.hex}-{department.code}",
            next_attempt_at=(None if steps_plan.prerequisites(chain.purpose, department.code,
                                                              codes) else now),
            payload=_payload(department, application, changed),
        )
        for department in departments
    ])
    record(stream_for_application(application.pk), "chain.started", actor=actor,
           data={"steps": [s.code for s in steps], "deadline": chain.deadline_at.isoformat()})
    if all(step.pk is not None for step in steps):  # the insert returned the ids
        ready = [step.pk for step in steps if step.next_attempt_at is not None]
    else:
        ready = list(Step.objects.filter(chain=chain, next_attempt_at__isnull=False)
                     .values_list("pk", flat=True))
    dispatch.on_commit(ready)
    return chain


def _changed(application) -> dict | None:
    """A change's changed particulars, compared once for all its departments."""
    if application.purpose != steps_plan.CHANGE:
        return None
    from yilian.forms import afterwards

    return afterwards.changes(application)


def _payload(department, application, changed: dict | None) -> dict:
    """What the department is sent; a change or a closing says which it is (``purpose``,
    an optional field of the protocol: docs/department-protocol.md) and, for a change,
    what changed, so each department acts on its own part of it."""
    payload = department.build_payload(application)
    if application.purpose != steps_plan.ESTABLISH:
        from yilian.forms import afterwards

        payload["purpose"] = application.purpose
        payload.update(afterwards.payload_extra(application, department.code, changed))
    return payload
