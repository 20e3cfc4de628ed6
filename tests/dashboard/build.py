"""Known data for the dashboard tests: enterprises on given dates, and chains whose steps
start and finish at given minutes after acceptance."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from tests import factories
from yilian.chain.models import Chain, Step, StepStatus
from yilian.codes import uscc
from yilian.registry.models import Enterprise

_serial = itertools.count(1)
ZONE = "371071"


def local(*args) -> dt.datetime:
    """An aware datetime in Asia/Shanghai (the zone's clock)."""
    return dt.datetime(*args, tzinfo=timezone.get_current_timezone())


def enterprise(established: dt.date, division: str = ZONE, industry: str = "6513",
               org_form: str = "llc_multi") -> Enterprise:
    n = next(_serial)
    return Enterprise.objects.create(
        uscc=uscc.make(division, 0, body=uscc.legacy_body(n)), name=f"测试企业{n}",
        division_code=division, industry_code=industry, org_form=org_form,
        established=established)


def chain(accepted: dt.datetime, steps: dict[str, tuple], *, division: str = ZONE,
          employees: int = 0, deadline_minutes: int = 60) -> Chain:
    """``steps``: code → (status, start minute, finish minute or None); the chain is
    finished when every step is done, at the latest finish."""
    application = factories.application(employees=employees)
    if division != application.division_code:
        application.division_code = division
        application.save(update_fields=["division_code"])
    minutes = [f for status, _s, f in steps.values() if status == StepStatus.DONE]
    finished = (accepted + dt.timedelta(minutes=max(minutes))
                if minutes and len(minutes) == len(steps) else None)
    made = Chain.objects.create(application=application, accepted_at=accepted,
                                deadline_at=accepted + dt.timedelta(minutes=deadline_minutes),
                                finished_at=finished)
    for code, (status, start, finish) in steps.items():
        Step.objects.create(
            chain=made, code=code, status=status, idempotency_key=f"{application.pk.hex}-{code}",
            started_at=accepted + dt.timedelta(minutes=start) if start is not None else None,
            finished_at=accepted + dt.timedelta(minutes=finish) if finish is not None else None)
    return made


def done(start: float, finish: float) -> tuple:
    return (StepStatus.DONE, start, finish)
