"""The statistics against data built for them, so a wrong count or formula fails here.
These run on SQLite and, in the PostgreSQL pass of the suite, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from tests.dashboard.build import ZONE, chain, done, enterprise, local
from yilian.chain.models import StepStatus
from yilian.dashboard import stats
from yilian.refdata import kinds

pytestmark = pytest.mark.django_db
D = dt.date
END_OF_2025 = D(2025, 12, 31)


@pytest.fixture
def register():
    """Zone: Jan 2024 ×2, Feb 2024 ×4, Jan 2025 ×3, Feb 2025 ×2, Mar 2025 ×1;
    elsewhere in Weihai: Jan 2025 ×1 (环翠区); elsewhere in China: Jan 2025 ×1."""
    for day, n in [(D(2024, 1, 9), 2), (D(2024, 2, 20), 4), (D(2025, 1, 31), 3),
                   (D(2025, 2, 1), 2), (D(2025, 3, 15), 1)]:
        for _ in range(n):
            enterprise(day)
    enterprise(D(2025, 1, 5), division="371002", industry="1499")
    enterprise(D(2025, 1, 5), division="110101", industry="")


def test_new_entities_per_month_with_year_on_year_growth(register):
    data = stats.new_entities(stats.Scope(2025, ZONE), today=END_OF_2025)
    assert [(m.month, m.count, m.previous) for m in data.months[:4]] == [
        (1, 3, 2), (2, 2, 4), (3, 1, 0), (4, 0, 0)]
    assert len(data.months) == 12
    assert data.months[0].growth == pytest.approx(50.0)
    assert data.months[1].growth == pytest.approx(-50.0)
    assert data.months[2].growth is None  # nothing a year before: no rate, not infinity
    assert (data.total, data.previous_total, data.growth) == (6, 6, 0.0)


def test_a_year_under_way_compares_the_same_months(register):
    data = stats.new_entities(stats.Scope(2025, ZONE), today=D(2025, 2, 15))
    assert [m.month for m in data.months] == [1, 2]
    assert (data.total, data.previous_total) == (5, 6)
    assert data.growth == pytest.approx(-100 / 6)


def test_the_division_filter(register):
    def january(division: str) -> int:
        return stats.new_entities(stats.Scope(2025, division), END_OF_2025).months[0].count

    assert january(ZONE) == 3
    assert january("371000") == 4  # the whole city: every division under 3710
    assert january("371002") == 1
    assert january("370000") == 4  # the province
    assert january("") == 5  # everywhere


def test_by_section_lists_every_section_and_the_unclassified(register):
    rows = {r.code: r for r in stats.by_section(stats.Scope(2025, ""))}
    assert [c for c in rows if c] == list("ABCDEFGHIJKLMNOPQRST")
    assert rows["I"].count == 6 and rows["C"].count == 1 and rows[""].count == 1
    assert rows["I"].share == pytest.approx(75.0)
    assert rows["A"].count == 0
    assert sum(r.count for r in rows.values()) == 8


def test_by_section_has_no_unclassified_row_when_all_are_classified(register):
    assert "" not in {r.code for r in stats.by_section(stats.Scope(2025, ZONE))}


def test_by_kind_counts_each_kind_and_class_per_month_and_in_total():
    """企业, 个体工商户 and 农民专业合作社 apart (GB 32100 entity class) and together."""
    for day, form, n in [(D(2025, 1, 6), "individual_business", 3), (D(2025, 1, 7), "llc_multi", 1),
                         (D(2025, 2, 3), "branch", 1), (D(2025, 2, 4), "cooperative", 2),
                         (D(2025, 2, 5), "", 1), (D(2024, 2, 5), "llc_multi", 4)]:
        for _ in range(n):
            enterprise(day, org_form=form)
    enterprise(D(2025, 1, 6), division="371002", org_form="individual_business")
    data = stats.by_kind(stats.Scope(2025, ZONE), today=END_OF_2025)
    assert list(data.counts)[:11] == list(kinds.all_kinds())  # the catalogue's order
    assert data.kind_total("individual_business") == 3 and data.kind_total("joint_stock") == 0
    assert data.kind_total("") == 1  # no kind recorded: counted, as an enterprise
    assert [(data.class_month(c, 1), data.class_month(c, 2)) for c in stats.ENTITY_CLASSES] == [
        (1, 2), (3, 0), (0, 2)]
    assert [data.class_total(c) for c in stats.ENTITY_CLASSES] == [3, 3, 2]
    assert data.total == 8 == stats.new_entities(stats.Scope(2025, ZONE)).total
    assert stats.by_kind(stats.Scope(2025, "371000"), today=END_OF_2025).class_total("2") == 4


@pytest.mark.parametrize("values", [[1.0], [3.0, 1.0], [5.0, 1.0, 4.0, 2.0, 3.0],
                                    [float(v) for v in range(1, 101)], [7, 7, 7, 90]])
def test_percentile_is_the_inclusive_linear_definition(values):
    cut = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else None
    assert stats.percentile(values, 0.5) == pytest.approx(statistics.median(values))
    if cut:
        assert stats.percentile(values, 0.95) == pytest.approx(cut[94])


def test_percentile_examples():
    assert stats.percentile([], 0.5) is None
    assert stats.percentile([10, 20, 30, 90], 0.95) == pytest.approx(81.0)
    assert stats.percentile([1, 2, 3, 4], 0.5) == pytest.approx(2.5)


def test_growth_and_share():
    assert stats.growth(12, 10) == pytest.approx(20.0)
    assert stats.growth(5, 0) is None
    assert stats.share(1, 4) == 25.0 and stats.share(0, 0) is None


@pytest.fixture
def chains():
    """Four finished zone chains in 2025 (10, 20, 30, 90 minutes), one still running, and
    two that must not count (accepted in 2024; accepted in another division)."""
    for i, minutes in enumerate([10, 20, 30, 90]):
        chain(local(2025, 3, 2 + i, 10), {"registration": done(0, 2),
                                          "seals": done(2, minutes)})
    chain(local(2025, 12, 31, 23, 50), {"registration": done(0, 2),
                                        "seals": (StepStatus.RUNNING, 2, None)})
    chain(local(2024, 12, 31, 23, 0), {"registration": done(0, 5)})
    chain(local(2025, 5, 5, 10), {"registration": done(0, 5)}, division="371002")


def test_durations_median_p95_and_the_promise(chains):
    data = stats.durations(stats.Scope(2025, ZONE))
    assert sorted(data.seconds) == [600, 1200, 1800, 5400]
    assert data.median == pytest.approx(1500)
    assert data.p95 == pytest.approx(81 * 60)
    assert (data.within, data.within_share, data.unfinished) == (3, 75.0, 1)
    assert data.promise == 3600


def test_duration_histogram_bins_include_their_upper_edge(chains):
    data = stats.durations(stats.Scope(2025, ZONE))
    counts = {(low, high): n for low, high, n in data.histogram()}
    assert counts[(300, 600)] == 1 and counts[(600, 1200)] == 1
    assert counts[(1200, 1800)] == 1 and counts[(3600, None)] == 1
    assert sum(counts.values()) == 4


def test_the_year_is_counted_on_the_zone_clock():
    # 23:50 on 31 December in Shanghai is still 2024 there (15:50 UTC).
    chain(local(2024, 12, 31, 23, 50), {"registration": done(0, 1)})
    assert stats.durations(stats.Scope(2024, ZONE)).count == 1
    assert stats.durations(stats.Scope(2025, ZONE)).count == 0


def test_sla_per_department_against_the_deadline_and_the_step_target():
    targets = stats.step_targets()
    reg = targets["registration"] / 60
    accepted = local(2025, 4, 1, 9)
    chain(accepted, {"registration": done(0, reg - 1), "seals": done(5, 50),
                     "tax": done(5, 70)})
    chain(accepted, {"registration": done(0, reg + 1), "seals": done(5, 6),
                     "tax": (StepStatus.FAILED, 5, None)})
    late_but_running = local(2025, 4, 1, 9, 30)
    chain(late_but_running, {"registration": done(0, 2),
                             "tax": (StepStatus.RUNNING, 2, None)})
    now = local(2025, 4, 1, 10, 15)  # past the first two deadlines, not the third
    rows = {r.code: r for r in stats.by_department(stats.Scope(2025, ZONE), now=now)}
    assert list(rows) == ["registration", "seals", "tax"]  # chain order, present ones only

    registration = rows["registration"]
    assert (registration.total, registration.done, registration.within_deadline) == (3, 3, 3)
    assert registration.within_target == 2  # one took a minute longer than its target
    assert registration.target_share == pytest.approx(200 / 3)
    assert registration.median_handling == pytest.approx(sorted([reg - 1, reg + 1, 2])[1] * 60)

    seals = rows["seals"]
    assert (seals.done, seals.within_deadline, seals.deadline_share) == (2, 2, 100.0)
    assert seals.median_handling == pytest.approx((45 + 1) / 2 * 60)

    tax = rows["tax"]
    # Done late (70 min), failed past the deadline, running inside its hour (undecided).
    assert (tax.total, tax.done, tax.decided, tax.within_deadline, tax.failed) == (3, 1, 2, 0, 1)
    assert tax.deadline_share == 0.0
    assert tax.target == targets["tax"]
    assert tax.within_target == 0  # 65 minutes of handling


def test_employees_enrolled_by_the_month_social_security_was_done():
    chain(local(2025, 3, 10, 9), {"social_security": done(1, 3)}, employees=2)
    chain(local(2025, 3, 31, 23, 30), {"social_security": done(1, 45)}, employees=3)  # April
    chain(local(2025, 3, 12, 9), {"social_security": (StepStatus.RUNNING, 1, None)},
          employees=4)
    chain(local(2025, 3, 12, 9), {"social_security": done(1, 3)}, employees=0)
    rows = {r.month: r for r in stats.employees_enrolled(stats.Scope(2025, ZONE))}
    assert (rows[3].units, rows[3].people) == (2, 2)
    assert (rows[4].units, rows[4].people) == (1, 3)
    assert sum(r.people for r in rows.values()) == 5 and len(rows) == 12


def test_years_span_the_data_and_this_year(register):
    assert stats.years(today=D(2026, 5, 1)) == [2026, 2025, 2024]


def test_nothing_at_all_is_no_error():
    scope = stats.Scope(2025, ZONE)
    assert stats.new_entities(scope, END_OF_2025).total == 0
    assert stats.new_entities(scope, END_OF_2025).growth is None
    assert stats.durations(scope).median is None
    assert stats.by_department(scope) == []
    assert stats.years(today=D(2025, 1, 1)) == [2025]
