"""双创统计 — the zone's statistics (大众创业、万众创新), as plain queries and arithmetic.

Every function takes a :class:`Scope` (a calendar year and a division) and returns plain
dataclasses; nothing here knows about pages, charts or CSV. Only portable ORM aggregation
is used (``Count`` with ``filter``, ``Extract*``, ``F`` + ``timedelta``), so the same code
answers on SQLite and PostgreSQL; percentiles are computed in Python from the durations,
as neither database has one portable percentile aggregate.

Sources: new market entities (新设市场主体) are counted from the register
(``registry.Enterprise.established``); the chain figures from ``chain.Chain`` and
``chain.Step`` rows of chains accepted (受理) in the year.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from yilian.chain.models import Chain, Step, StepStatus
from yilian.departments import registry as departments
from yilian.refdata import divisions, industries, kinds
from yilian.registry.models import Enterprise

ZONE = settings.ZONE_DIVISION  # the zone this dashboard belongs to (371071 by default)
# Duration histogram edges in seconds: fine where most chains finish, then the promise.
DURATION_EDGES = (0, 60, 120, 300, 600, 1200, 1800, 3600)


@dataclass(frozen=True)
class Scope:
    """What to count: one calendar year, in one division ("" = every division; a
    prefecture = every division under it)."""

    year: int
    division: str = ZONE

    def where(self, field: str) -> Q:
        """The division filter on ``field`` (a division code column)."""
        if not self.division:
            return Q()
        found = divisions.division(self.division)
        if found is not None and found.level in ("province", "prefecture"):
            digits = 2 if found.level == "province" else 4
            return Q(**{f"{field}__startswith": self.division[:digits]})
        return Q(**{field: self.division})

    def bounds(self, year: int | None = None) -> tuple[dt.datetime, dt.datetime]:
        """The year as aware local datetimes [start, end) (Asia/Shanghai)."""
        year = self.year if year is None else year
        zone = timezone.get_current_timezone()
        return (dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone))

    def months(self, today: dt.date | None = None) -> int:
        """How many months of the year have begun (12 for a past year)."""
        today = today or timezone.localdate()
        if self.year < today.year:
            return 12
        return today.month if self.year == today.year else 0


def growth(current: int, previous: int) -> float | None:
    """Year-on-year growth (同比增长) in percent; None where there is nothing to compare."""
    if not previous:
        return None
    return (current - previous) * 100.0 / previous


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks — the
    definition of numpy's and PostgreSQL's ``percentile_cont``."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent; None of nothing."""
    return part * 100.0 / whole if whole else None


# --- 新设市场主体 new market entities --------------------------------------------------

@dataclass(frozen=True)
class MonthRow:
    month: int
    count: int
    previous: int  # the same month a year before

    @property
    def growth(self) -> float | None:
        return growth(self.count, self.previous)


@dataclass(frozen=True)
class NewEntities:
    year: int
    months: list[MonthRow]  # only months that have begun

    @property
    def total(self) -> int:
        return sum(m.count for m in self.months)

    @property
    def previous_total(self) -> int:
        """The same months of the year before (同口径: a part year against the same part)."""
        return sum(m.previous for m in self.months)

    @property
    def growth(self) -> float | None:
        return growth(self.total, self.previous_total)


def _registered(scope: Scope):
    return Enterprise.objects.filter(scope.where("division_code"))


def _per_month(rows, field: str) -> dict[int, int]:
    # order_by() drops a model's default ordering, which would split the groups.
    grouped = rows.annotate(m=ExtractMonth(field)).values("m").annotate(n=Count("pk")).order_by()
    return {row["m"]: row["n"] for row in grouped}


def new_entities(scope: Scope, today: dt.date | None = None) -> NewEntities:
    """Enterprises established per month of the year, beside the same month a year before."""
    this = _per_month(_registered(scope).filter(established__year=scope.year), "established")
    last = _per_month(_registered(scope).filter(established__year=scope.year - 1),
                      "established")
    months = [MonthRow(m, this.get(m, 0), last.get(m, 0))
              for m in range(1, scope.months(today) + 1)]
    return NewEntities(scope.year, months)


@dataclass(frozen=True)
class CategoryRow:
    """One category of a breakdown: its code, its name, how many, and the share."""

    code: str
    name: str
    count: int
    share: float | None


def _categories(counts: dict[str, int], names: dict[str, str]) -> list[CategoryRow]:
    total = sum(counts.values())
    return [CategoryRow(code, name, counts.get(code, 0), share(counts.get(code, 0), total))
            for code, name in names.items() if code in counts or code]


def by_section(scope: Scope) -> list[CategoryRow]:
    """Enterprises established in the year by GB/T 4754 section (门类 A–T), every section
    listed; codes that name no known division are counted under ``""`` (未分类)."""
    grouped = (_registered(scope).filter(established__year=scope.year)
               .values("industry_code").annotate(n=Count("pk")).order_by())
    counts: dict[str, int] = {}
    for row in grouped:
        found = industries.division((row["industry_code"] or "")[:2])
        letter = found.section if found else ""
        counts[letter] = counts.get(letter, 0) + row["n"]
    names = {s.code: s.name for s in industries.sections()}
    names[""] = ""
    return _categories(counts, names)


# --- 市场主体类型 new market entities by kind --------------------------------------------

#: GB 32100 entity classes (机构类别) counted apart: 1 企业 (every company, partnership,
#: sole proprietorship and branch), 2 个体工商户, 3 农民专业合作社. Together they are the
#: market entities (市场主体) a zone reports, as the source article's 8,915.
ENTITY_CLASSES = ("1", "2", "3")


@dataclass(frozen=True)
class KindCounts:
    """New market entities of the year per kind (``org_form``) and month; ``months`` are
    the months that have begun. The kinds are the catalogue's, in its order, then any
    other code found in the register (an older form's, or none: ``""``)."""

    year: int
    months: list[int]
    counts: dict[str, dict[int, int]]  # kind → month → count

    def kind_total(self, kind: str) -> int:
        return sum(self.counts[kind].values())

    def entity_class(self, kind: str) -> str:
        return kinds.entity_class(kind)

    def class_month(self, entity_class: str, month: int) -> int:
        return sum(by_month.get(month, 0) for kind, by_month in self.counts.items()
                   if kinds.entity_class(kind) == entity_class)

    def class_total(self, entity_class: str) -> int:
        return sum(self.class_month(entity_class, m) for m in self.months)

    def month_total(self, month: int) -> int:
        return sum(by_month.get(month, 0) for by_month in self.counts.values())

    @property
    def total(self) -> int:
        return sum(self.month_total(m) for m in self.months)


def by_kind(scope: Scope, today: dt.date | None = None) -> KindCounts:
    """Market entities established in the year by kind (市场主体类型) and month; every
    kind of the catalogue is listed, even at zero."""
    grouped = (_registered(scope).filter(established__year=scope.year)
               .annotate(m=ExtractMonth("established")).values("org_form", "m")
               .annotate(n=Count("pk")).order_by())
    counts: dict[str, dict[int, int]] = {code: {} for code in kinds.all_kinds()}
    for row in grouped:
        counts.setdefault(row["org_form"], {})[row["m"]] = row["n"]
    return KindCounts(scope.year, list(range(1, scope.months(today) + 1)), counts)


# Ways a party's identity was confirmed (实名确认), in the order the page lists them.
CONFIRMATION_WAYS = ("in_person", "code", "account")


def confirmations(scope: Scope) -> list[CategoryRow]:
    """实名确认: parties of the applications submitted in the year, by how their
    confirmation was made — ID card seen at the counter (现场核验身份证), a code sent to
    their phone, or signed in as themselves. Every way is listed, even at zero."""
    from yilian.forms.models import Party

    start, end = scope.bounds()
    grouped = (Party.objects.filter(scope.where("application__division_code"),
                                    application__submitted_at__gte=start,
                                    application__submitted_at__lt=end,
                                    confirmed_at__isnull=False)
               .values("confirmed_via").annotate(n=Count("pk")).order_by())
    counts = {row["confirmed_via"]: row["n"] for row in grouped}
    return _categories({way: counts.get(way, 0) for way in CONFIRMATION_WAYS},
                       {way: way for way in CONFIRMATION_WAYS})


# --- 一链办理 the chain -----------------------------------------------------------------

def _chains(scope: Scope):
    start, end = scope.bounds()
    return Chain.objects.filter(scope.where("application__division_code"),
                                accepted_at__gte=start, accepted_at__lt=end)


@dataclass(frozen=True)
class EmployeeMonth:
    month: int
    units: int  # enterprises whose social-security registration was done that month
    people: int  # their employees enrolled (社保参保人数)


def employees_enrolled(scope: Scope) -> list[EmployeeMonth]:
    """Employees enrolled per month: the employees on the form of every application whose
    social-security step (社保登记) was done in that month of the year."""
    start, end = scope.bounds()
    done = (Step.objects.filter(scope.where("chain__application__division_code"),
                                code="social_security", status=StepStatus.DONE,
                                finished_at__gte=start, finished_at__lt=end)
            .annotate(m=ExtractMonth("finished_at")).values("m")
            .annotate(units=Count("pk", distinct=True),
                      people=Count("chain__application__employees"))
            .order_by())
    rows = {row["m"]: row for row in done}
    return [EmployeeMonth(m, rows[m]["units"] if m in rows else 0,
                          rows[m]["people"] if m in rows else 0)
            for m in range(1, 13)]


@dataclass(frozen=True)
class Durations:
    """How long finished chains took from acceptance (受理) to their last step."""

    seconds: list[float]
    promise: int  # the one-hour promise, settings.SLA_SECONDS
    unfinished: int

    @property
    def count(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> float | None:
        return percentile(self.seconds, 0.5)

    @property
    def p95(self) -> float | None:
        return percentile(self.seconds, 0.95)

    @property
    def within(self) -> int:
        return sum(1 for s in self.seconds if s <= self.promise)

    @property
    def within_share(self) -> float | None:
        return share(self.within, self.count)

    def histogram(self, edges: Sequence[int] = DURATION_EDGES) -> list[tuple[int, int | None, int]]:
        """(from, to or None for the open last bin, count) — a chain of exactly ``to``
        seconds falls in the bin ending there, so the promise's bin holds 60:00."""
        bins = [[low, high, 0] for low, high in zip(edges, [*edges[1:], None], strict=True)]
        for s in self.seconds:
            for b in bins:
                if b[1] is None or s <= b[1]:
                    b[2] += 1
                    break
        return [tuple(b) for b in bins]  # type: ignore[misc]


def durations(scope: Scope) -> Durations:
    chains = _chains(scope)
    finished = chains.filter(finished_at__isnull=False).values_list("accepted_at", "finished_at")
    return Durations([(end - start).total_seconds() for start, end in finished],
                     settings.SLA_SECONDS, chains.filter(finished_at__isnull=True).count())


@cache
def step_targets() -> dict[str, int]:
    """Each department's own target in seconds (data/step_targets.json)."""
    text = resources.files("yilian.dashboard").joinpath("data/step_targets.json").read_text(
        encoding="utf-8")
    return {code: int(seconds) for code, seconds in json.loads(text)["targets"].items()}


@dataclass(frozen=True)
class DepartmentRow:
    """SLA compliance (时限达标) of one department's steps.

    ``decided`` counts the steps whose result against the chain's deadline is known: done,
    or not done with the deadline already past. Steps still running inside the hour are
    left out rather than counted as late or on time."""

    code: str
    total: int
    done: int
    decided: int
    within_deadline: int
    target: int | None  # seconds, from data/step_targets.json
    within_target: int
    failed: int
    handling: list[float]  # seconds from start to done, of the done steps

    @property
    def deadline_share(self) -> float | None:
        return share(self.within_deadline, self.decided)

    @property
    def target_share(self) -> float | None:
        return share(self.within_target, self.done)

    @property
    def median_handling(self) -> float | None:
        return percentile(self.handling, 0.5)


def by_department(scope: Scope, now: dt.datetime | None = None) -> list[DepartmentRow]:
    """Every department's steps of the chains accepted in the year, in chain order."""
    now = now or timezone.now()
    targets = step_targets()
    steps = Step.objects.filter(chain__in=_chains(scope))
    done = Q(status=StepStatus.DONE)
    on_target = Q(pk__in=[])  # nothing, unless a department has a target
    for code, seconds in targets.items():
        on_target |= Q(code=code, finished_at__lte=F("started_at") + dt.timedelta(seconds=seconds))
    counts = {row["code"]: row for row in steps.values("code").annotate(
        total=Count("pk"),
        done=Count("pk", filter=done),
        decided=Count("pk", filter=done | Q(chain__deadline_at__lt=now)),
        within_deadline=Count("pk", filter=done & Q(finished_at__lte=F("chain__deadline_at"))),
        within_target=Count("pk", filter=done & on_target),
        failed=Count("pk", filter=Q(status=StepStatus.FAILED)),
    ).order_by()}
    handling: dict[str, list[float]] = {}
    for code, started, finished in steps.filter(done, started_at__isnull=False).values_list(
            "code", "started_at", "finished_at").order_by():
        handling.setdefault(code, []).append((finished - started).total_seconds())
    order = [*departments.departments(), *sorted(set(counts) - set(departments.departments()))]
    return [DepartmentRow(code, c["total"], c["done"], c["decided"], c["within_deadline"],
                          targets.get(code), c["within_target"], c["failed"],
                          handling.get(code, []))
            for code in order if (c := counts.get(code))]


# --- the picker ---------------------------------------------------------------------------

def years(today: dt.date | None = None) -> list[int]:
    """Years that have anything to show, newest first (always the current one)."""
    today = today or timezone.localdate()
    span = Enterprise.objects.aggregate(first=Min("established"), last=Max("established"))
    accepted = Chain.objects.aggregate(first=Min("accepted_at"))["first"]
    first = min(d.year for d in (span["first"], accepted, today) if d is not None)
    last = max(today.year, span["last"].year if span["last"] else today.year)
    # A register imported with decades of history would make a useless picker.
    return list(range(last, max(first, last - 20) - 1, -1))
