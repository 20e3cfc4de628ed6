"""The dashboard's demo history: fast, idempotent, realistic enough to chart, and never
in the way of a name someone submits."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.utils import timezone

from yilian.chain.models import Chain, Step, StepStatus
from yilian.codes import uscc
from yilian.dashboard import demo, stats
from yilian.forms.models import Application
from yilian.names import services as names
from yilian.names.parse import parse
from yilian.names.rules import check_format
from yilian.names.similarity import pinyin
from yilian.refdata import industries as known
from yilian.refdata import kinds
from yilian.registry.models import Enterprise
from yilian.registry.synthetic import trade_name

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def seeded():
    started = time.monotonic()
    lines = demo.seed()
    return lines, time.monotonic() - started


def test_seeding_is_quick_and_runs_once(seeded):
    lines, seconds = seeded
    assert seconds < 20  # a few seconds on one core; generous for a busy CI machine
    assert lines[0].startswith("Dashboard demo data: ")
    assert f"{Enterprise.objects.count()} market entities" in lines[0]
    individual = Enterprise.objects.filter(org_form="individual_business").count()
    assert f"({individual} of them individual businesses)" in lines[0]
    assert f"{Chain.objects.count()} finished chains" in lines[0]
    counts = (Enterprise.objects.count(), Chain.objects.count(), Step.objects.count())
    assert demo.seed() == lines  # says what is there, so a second run prints the same
    assert (Enterprise.objects.count(), Chain.objects.count(), Step.objects.count()) == counts


def test_there_is_history_to_chart(seeded):
    today = timezone.localdate()
    this_year = stats.new_entities(stats.Scope(today.year))
    last_year = stats.new_entities(stats.Scope(today.year - 1))
    assert all(m.count > 0 and m.previous > 0 for m in last_year.months)
    assert this_year.growth is not None and last_year.growth > 0
    sections = [r for r in stats.by_section(stats.Scope(today.year - 1)) if r.count]
    assert len(sections) >= 8
    durations = stats.durations(stats.Scope(today.year - 1))
    assert durations.count > 100
    assert 120 < durations.median < 1800 and durations.p95 < 3600 < max(durations.seconds)
    enrolled = stats.employees_enrolled(stats.Scope(today.year - 1))
    assert sum(m.people for m in enrolled) > sum(m.units for m in enrolled) > 100
    rows = stats.by_department(stats.Scope(today.year - 1))
    assert {r.code for r in rows} >= {"registration", "seals", "tax", "social_security"}
    assert all(80 < r.target_share <= 100 for r in rows)


def test_the_history_is_finished_and_belongs_to_no_one_who_can_sign_in(seeded):
    assert not Step.objects.exclude(status=StepStatus.DONE).exists()
    assert not Chain.objects.filter(finished_at__isnull=True).exists()
    owners = {a.owner for a in Application.objects.all()}
    assert [(o.username, o.is_active, o.has_usable_password()) for o in owners] == [
        (demo.OWNER, False, False)]
    linked = Enterprise.objects.filter(application__isnull=False)
    assert linked.count() == Chain.objects.count()
    assert all(e.name == e.application.name and e.uscc == e.application.uscc
               for e in linked.select_related("application")[:50])


# Kinds whose names the names service does not parse yet (docs/entity-kinds.md, part 3).
NAMES_NOT_YET = {"branch"}  # its 字号 is its company's


def test_names_are_valid_distinct_and_clear_of_the_test_brands(seeded):
    rows = list(Enterprise.objects.values_list("name", "org_form"))
    assert len({name for name, _form in rows}) == len(rows)
    # A branch bears its company's name, so its 字号 is its company's (公司法第13条).
    parsed = [(name, form) for name, form in rows if form not in NAMES_NOT_YET]
    trades = [parse(name).trade_name for name, _form in parsed]
    assert len({pinyin(t) for t in trades}) == len(trades)
    assert all(not check_format(name, form) for name, form in parsed[::25])
    brands = {pinyin(trade_name(i)) for i in range(0, 4096, 7)}
    assert not brands & {pinyin(t) for t in trades}
    # And so a test brand, or the demo's own example, is still free to register.
    for name in ("威海瑞博远科技有限公司", "威海链通科技有限公司", "威海一链信息技术有限公司"):
        assert names.check_name(name, "371071").acceptable, name
    # So is each docs/examples/<kind>.json whose name the names service reads.
    for path in EXAMPLES.glob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        if "org_form" in body and body["org_form"] not in NAMES_NOT_YET:
            assert names.check_name(body["name"], body["division_code"]).acceptable, path.name


def test_the_mix_is_realistic_and_each_credit_code_says_its_entity_class(seeded):
    """About seven in ten new market entities are individual businesses; then LLCs; every
    kind of the catalogue appears; 92 for an individual business, 93 for a cooperative."""
    year = stats.by_kind(stats.Scope(timezone.localdate().year - 1, ""))
    assert 0.62 < year.class_total("2") / year.total < 0.78
    llcs = sum(year.kind_total(k) for k in ("llc_multi", "llc_single_natural",
                                            "llc_single_corporate"))
    others = [year.kind_total(k) for k in year.counts if k != "individual_business"
              and not k.startswith("llc_")]
    assert llcs > max(others)
    everything = {f for f in Enterprise.objects.values_list("org_form", flat=True)}
    assert everything == set(kinds.all_kinds())
    for code, form in Enterprise.objects.values_list("uscc", "org_form")[::7]:
        assert uscc.validate(code).code[:2] == kinds.get(form).uscc_prefix, (code, form)
    branches = Enterprise.objects.filter(org_form="branch")[:20]
    registered = set(Enterprise.objects.values_list("name", flat=True))
    assert all(any(b.name.startswith(n) and n != b.name for n in registered) for b in branches)
    industries = {c for spec in demo.mix().values() for _w, c in spec.get("industries", [])}
    assert all(known.division(c[:2]) for c in industries)


def test_the_seeded_history_is_no_difference_to_reconcile(seeded):
    """The seeded years were done before any department system was connected: 对账 expects
    no effect for them (as for a step done by hand), so a fresh demo reconciles clean."""
    from yilian.departments import reconcile

    assert Step.objects.filter(result__history=True).count() == Step.objects.count() > 0
    report = reconcile.compare("tax")
    assert report.reachable and not report.differences
    assert report.by_hand == Step.objects.filter(code="tax").count()
