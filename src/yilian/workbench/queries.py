"""What the workbench pages list: read-only queries, no state changes.

- :func:`chains_in_progress` — the SLA clocks (时限监控): every unfinished chain with
  the time left until its one-hour deadline, overdue ones first.
- :func:`console_steps` — a department officer's steps (部门工作台), only their
  departments' (a superuser sees every department).
- :func:`department_panels` — per department of theirs: its circuit and last error, its
  steps waiting by status, its last reconciliation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone

from yilian.accounts import roles
from yilian.chain.models import Chain, Step, StepStatus
from yilian.departments import reconcile, registry
from yilian.departments.models import DepartmentHealth, Reconciliation

# The console's filters; "open" is everything that is not done yet.
# "waiting" (待部门办结) is a department that accepted the request and answers later.
FILTERS = {
    "open": (StepStatus.FAILED, StepStatus.RETRYING, StepStatus.WAITING, StepStatus.PENDING,
             StepStatus.RUNNING),
    "failed": (StepStatus.FAILED,),
    "retrying": (StepStatus.RETRYING,),
    "waiting": (StepStatus.WAITING,),
    "pending": (StepStatus.PENDING,),
}


@dataclass(frozen=True)
class Clock:
    chain: Chain
    left: dt.timedelta  # negative once overdue

    @property
    def overdue(self) -> bool:
        return self.left.total_seconds() < 0

    @property
    def minutes(self) -> int:
        """Whole minutes left, or (when overdue) minutes past the deadline."""
        return int(abs(self.left.total_seconds()) // 60)


def chains_in_progress(now: dt.datetime | None = None, limit: int = 200) -> list[Clock]:
    """Unfinished chains by deadline: the earliest (overdue) first."""
    now = now or timezone.now()
    chains = (Chain.objects.filter(finished_at__isnull=True)
              .select_related("application").prefetch_related("steps")
              .order_by("deadline_at", "id")[:limit])
    return [Clock(chain, chain.deadline_at - now) for chain in chains]


def visible_departments(user) -> list[str]:
    """Step codes whose steps the user may see in the console, in registry order."""
    if user.is_superuser:
        return list(registry.departments())
    mine = roles.departments_of(user)
    return [code for code in registry.departments() if code in mine]


def console_steps(user, status: str = "open", limit: int = 300) -> QuerySet[Step]:
    """The user's departments' steps in ``status`` (a key of :data:`FILTERS`): those that
    need a person first (failed, then retrying), then by the chain's deadline."""
    urgency = Case(When(status=StepStatus.FAILED, then=Value(0)),
                   When(status=StepStatus.RETRYING, then=Value(1)),
                   default=Value(2), output_field=IntegerField())
    return (Step.objects.filter(code__in=visible_departments(user),
                                status__in=FILTERS.get(status, FILTERS["open"]))
            .select_related("chain__application")
            .order_by(urgency, "chain__deadline_at", "id")[:limit])


# What the panels count, in this order; "waiting" (待部门办结: accepted by a department
# that answers later) is counted as any other status string.
WAITING_STATUSES = ("retrying", "waiting", "failed")


@dataclass(frozen=True)
class Panel:
    code: str
    health: DepartmentHealth | None
    counts: dict[str, int]
    reconciliation: Reconciliation | None

    @property
    def circuit_open(self) -> bool:
        return self.health is not None and self.health.state == "open"


def department_panels(user) -> list[Panel]:
    """One panel per department the user may see, in registry order: three queries in
    all (circuits, counts, last reconciliations), whatever the number of steps."""
    codes = visible_departments(user)
    health = {h.code: h for h in DepartmentHealth.objects.filter(code__in=codes)}
    counts: dict[str, dict[str, int]] = {code: dict.fromkeys(WAITING_STATUSES, 0)
                                         for code in codes}
    rows = (Step.objects.filter(code__in=codes, status__in=WAITING_STATUSES)
            .values_list("code", "status").annotate(n=Count("id")).order_by())
    for code, status, n in rows:
        counts[code][status] = n
    runs = reconcile.latest(codes)
    return [Panel(code, health.get(code), counts[code], runs.get(code)) for code in codes]
