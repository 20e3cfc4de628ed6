"""变更与注销统计 — what happened to market entities after registration: changes of
registration (变更登记) and filings (备案) per month, closings (注销登记), and the net
growth of market entities (净增长 = 新设 − 注销), by month and by kind.

Counted from the register's history (``registry.RegistrationEvent``: one event per
application and kind, dated when the register entered it), in the same :class:`Scope` as
the other statistics; establishments from the register's date of establishment, as in
:func:`yilian.dashboard.stats.new_entities`, so the two pages of numbers agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractMonth

from yilian.dashboard import stats
from yilian.refdata import kinds
from yilian.registry.models import EventKind, RegistrationEvent


@dataclass(frozen=True)
class LifeMonth:
    month: int
    established: int
    changed: int  # 变更登记
    filed: int  # 备案
    closed: int  # 注销登记

    @property
    def changes(self) -> int:
        """Changes of either kind: what the register changed for an enterprise."""
        return self.changed + self.filed

    @property
    def net(self) -> int:
        return self.established - self.closed


@dataclass(frozen=True)
class LifeKind:
    kind: str
    established: int
    changes: int
    closed: int

    @property
    def net(self) -> int:
        return self.established - self.closed


def _events(scope: stats.Scope):
    start, end = scope.bounds()
    return RegistrationEvent.objects.filter(scope.where("enterprise__division_code"),
                                            at__gte=start, at__lt=end)


def by_month(scope: stats.Scope, today: dt.date | None = None) -> list[LifeMonth]:
    """Each month of the year that has begun: established, changed, filed, closed."""
    grouped = (_events(scope).exclude(kind=EventKind.ESTABLISHED)
               .annotate(m=ExtractMonth("at")).values("m", "kind")
               .annotate(n=Count("pk")).order_by())
    counts = {(row["m"], row["kind"]): row["n"] for row in grouped}
    established = {m.month: m.count for m in stats.new_entities(scope, today).months}
    return [LifeMonth(month, established.get(month, 0),
                      counts.get((month, EventKind.CHANGED), 0),
                      counts.get((month, EventKind.FILED), 0),
                      counts.get((month, EventKind.CLOSED), 0))
            for month in range(1, scope.months(today) + 1)]


def by_kind(scope: stats.Scope, today: dt.date | None = None) -> list[LifeKind]:
    """Each kind of market entity (every kind of the catalogue, then any other found):
    established, changes (changed + filed) and closings in the year."""
    established = stats.by_kind(scope, today)
    grouped = (_events(scope).exclude(kind=EventKind.ESTABLISHED)
               .values("enterprise__org_form", "kind").annotate(n=Count("pk")).order_by())
    changes: dict[str, int] = {}
    closed: dict[str, int] = {}
    for row in grouped:
        into = closed if row["kind"] == EventKind.CLOSED else changes
        kind = row["enterprise__org_form"]
        into[kind] = into.get(kind, 0) + row["n"]
    order = [*kinds.all_kinds(), *(k for k in established.counts if k not in kinds.all_kinds()),
             *(k for k in {*changes, *closed} if k not in established.counts)]
    return [LifeKind(kind, established.kind_total(kind) if kind in established.counts else 0,
                     changes.get(kind, 0), closed.get(kind, 0)) for kind in order]
