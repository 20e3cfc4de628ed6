"""Demo data for the dashboard (only ever loaded by ``yilian demo`` / ``yilian seed-demo``):
about three years of history, so that every chart has something to say.

- the register (企业登记簿): market entities established in the zone and three
  neighbouring divisions from 1 January two years ago until yesterday, month by month with
  a seasonal shape (the Spring Festival dip, the spring peak) and year-on-year growth, of
  every kind in a realistic mix (``data/demo_mix.json``: individual businesses about seven
  in ten, then limited liability companies, a few of the rest), each with the credit code
  of its entity class (GB 32100: 91, 92, 93);
- what happened after: changes (变更登记), filings (备案) and closings (注销) since, as
  events of the register's history (``registry.RegistrationEvent``);
- the chains: a growing share of the zone's new enterprises registered through Yilian,
  each an accepted application with its employees, a finished chain and one done step
  per department, timed like the simulators in a good year (seconds to minutes, a few
  past the hour when a department had an outage).

Every row is marked (``Enterprise.source = "demo"``, applications owned by the inactive
``demo-history`` user) and nothing is written when the mark is found, so running it
again changes nothing. Names are valid by the name rules, pairwise distinct, and use
three-character 字号 that never sound like the test brands of
:func:`yilian.registry.synthetic.trade_name`, so the name check never refuses a name a
test or a demo visitor submits because of this history.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from functools import cache
from importlib import resources

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from yilian.chain.models import Chain, Step, StepStatus
from yilian.codes import resident_id, uscc
from yilian.departments import registry as departments
from yilian.forms.models import Application, Employee, OrgForm, Status
from yilian.names.rules import check_format
from yilian.names.similarity import pinyin
from yilian.progress import Progress
from yilian.refdata import kinds
from yilian.registry import synthetic
from yilian.registry.models import Enterprise, EnterpriseStatus, EventKind, RegistrationEvent

SOURCE = "demo"
OWNER = "demo-history"
SERIAL_BASE = 90_000_000  # USCC serials far above any `yilian gen-registry N` run
# New market entities a month in the first year, per division (the zone is the busiest).
VOLUME = {"371071": 140, "371002": 36, "371072": 28, "371082": 20}
GROWTH = (1.0, 1.13, 1.29)  # each year against the first
SEASON = (0.85, 0.55, 1.3, 1.15, 1.05, 1.0, 0.95, 0.9, 1.05, 0.8, 1.05, 1.2)
ADOPTION = (0.12, 0.2, 0.3)  # share of the zone's new entities registered via Yilian
# (median seconds, spread) of each department's handling time, log-normal.
HANDLING = {"registration": (75, 0.8), "seals": (420, 0.7), "tax": (130, 0.8),
            "social_security": (95, 0.7), "medical_insurance": (85, 0.7),
            "housing_fund": (110, 0.8), "bank": (260, 0.6)}
AVOID = {pinyin(c) for c in synthetic.DISTINCT}
BRANCH_PLACES = ("火炬", "初村", "双岛", "科技新城", "田和", "怡园", "高区", "环翠", "经区")


@cache
def mix() -> dict[str, dict]:
    """The demo's kinds of market entity and their shares (data/demo_mix.json)."""
    text = resources.files("yilian.dashboard").joinpath("data/demo_mix.json").read_text(
        encoding="utf-8")
    return json.loads(text)["kinds"]


def seed() -> list[str]:
    """Create the history unless it is there already; returns lines to print (the same
    lines on every run: they describe what is there, not what this run did)."""
    if not Enterprise.objects.filter(source=SOURCE).exists():
        rng = random.Random(4754)
        with transaction.atomic():
            enterprises = _register(rng, timezone.localdate())
            _chains(rng, enterprises)  # links some enterprises to their applications
            progress = Progress(len(enterprises), "demo register")
            for start in range(0, len(enterprises), 1000):
                batch = enterprises[start:start + 1000]
                Enterprise.objects.bulk_create(batch)
                progress.advance(len(batch))
            progress.close()
            _afterwards(rng, timezone.localdate())
    history = Enterprise.objects.filter(source=SOURCE)
    first = history.order_by("established").values_list("established", flat=True).first()
    chains = Chain.objects.filter(application__owner__username=OWNER).count()
    individual = history.filter(org_form=OrgForm.INDIVIDUAL_BUSINESS).count()
    events = RegistrationEvent.objects.filter(enterprise__source=SOURCE)
    return [f"Dashboard demo data: {history.count()} market entities established since "
            f"{first:%Y-%m} ({individual} of them individual businesses), {chains} finished "
            f"chains, {events.exclude(kind=EventKind.CLOSED).count()} changes and "
            f"{events.filter(kind=EventKind.CLOSED).count()} closings"]


def _afterwards(rng: random.Random, today: dt.date) -> None:
    """What happened to them since: each year about one in ten changed something
    (变更登记, or a filing 备案 for one in three of those), and a few closed (注销) —
    individual businesses more often than companies, none in its first quarter."""
    zone = timezone.get_current_timezone()
    events, closed = [], []
    for enterprise in Enterprise.objects.filter(source=SOURCE).order_by("pk").iterator():
        end = today
        individual = enterprise.org_form == OrgForm.INDIVIDUAL_BUSINESS
        if rng.random() < (0.12 if individual else 0.05):
            day = enterprise.established + dt.timedelta(days=rng.randint(90, 900))
            if day < today:
                end = day
                events.append(RegistrationEvent(
                    enterprise=enterprise, kind=EventKind.CLOSED,
                    at=dt.datetime.combine(day, dt.time(15), zone)))
                enterprise.status, enterprise.closed_on = EnterpriseStatus.CLOSED, day
                closed.append(enterprise)
        day = enterprise.established
        while True:
            day += dt.timedelta(days=int(rng.expovariate(1 / 3650) + 60))
            if day >= end:
                break
            kind = EventKind.FILED if rng.random() < 0.33 else EventKind.CHANGED
            events.append(RegistrationEvent(
                enterprise=enterprise, kind=kind, changes={
                    "people.contact" if kind == EventKind.FILED else "domicile": [None, None]},
                at=dt.datetime.combine(day, dt.time(9), zone)
                + dt.timedelta(seconds=rng.uniform(0, 7.5 * 3600))))
    RegistrationEvent.objects.bulk_create(events, batch_size=1000)
    Enterprise.objects.bulk_update(closed, ["status", "closed_on"], batch_size=1000)


def _trade_names(rng: random.Random):
    """Endless distinct, valid three-character 字号 (distinct in sound, too)."""
    seen: set[str] = set()
    chars = synthetic.TRADE_CHARS
    while True:
        trade = "".join(rng.choice(chars) for _ in range(3))
        sound = pinyin(trade)
        # Never all three syllables of a test brand, never repeated, never restricted.
        if sound in seen or all(s in AVOID for s in sound.split()):
            continue
        seen.add(sound)
        yield trade


def _dates(rng: random.Random, today: dt.date, division: str):
    """(date, division) of every enterprise established from 1 January two years ago."""
    for offset, factor in enumerate(GROWTH):
        year = today.year - 2 + offset
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            if first >= today:
                return
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            days = [d for d in (first + dt.timedelta(n) for n in range(last.day))
                    if d < today and d.weekday() < 5]  # registrations happen on workdays
            if not days:
                continue
            share = len(days) / sum(1 for n in range(last.day)
                                    if (first + dt.timedelta(n)).weekday() < 5)
            mean = VOLUME[division] * factor * SEASON[month - 1] * share
            for _ in range(max(0, round(rng.gauss(mean, mean * 0.08)))):
                yield rng.choice(days)


def _register(rng: random.Random, today: dt.date) -> list[Enterprise]:
    """The register's rows, not yet saved (chains link some of them first)."""
    names = _trade_names(rng)
    base = synthetic.generate(sum(VOLUME.values()) * 12 * 4, seed=4754)
    codes, shares = zip(*((code, spec["share"]) for code, spec in mix().items()), strict=True)
    rows: list[Enterprise] = []
    companies: list[Enterprise] = []  # the parents a branch may belong to
    for division in VOLUME:
        for established in _dates(rng, today, division):
            org_form = rng.choices(codes, shares)[0]
            if org_form == OrgForm.BRANCH and not companies:
                org_form = OrgForm.LLC_MULTI
            template = next(base)
            words, industry = next((w, code) for w, code in synthetic.INDUSTRIES
                                   if code == template["industry_code"])
            if mix()[org_form].get("industries"):
                words, industry = rng.choice(mix()[org_form]["industries"])
            if org_form == OrgForm.BRANCH:
                parent = companies.pop(rng.randrange(len(companies)))
                name = f"{parent.name}{rng.choice(BRANCH_PLACES)}分公司"
                industry = parent.industry_code
            else:
                # An individual business's name carries its county's name or none
                # (names/kinds.py); the demo's leave it out.
                county = kinds.get(org_form).spec.get("name_division") == "county"
                prefix = "" if county else synthetic.PREFIXES[division]
                name = _name(rng, names, prefix, words, org_form)
            row = Enterprise(
                uscc=uscc.make(division, 0, entity_type=kinds.entity_class(org_form),
                               body=uscc.legacy_body(SERIAL_BASE + len(rows))),
                name=name, org_form=org_form, division_code=division,
                industry_code=industry, established=established, source=SOURCE)
            rows.append(row)
            if kinds.get(org_form).family == "company":
                companies.append(row)
    return rows


def _name(rng: random.Random, names, prefix: str, words: str, org_form: str) -> str:
    """A name of the kind, its 字号 and industry words checked by the name rules for the
    kind, redrawn until none objects."""
    while True:
        trade = next(names)
        name = f"{prefix}{trade}{words}{rng.choice(mix()[org_form]['suffixes'])}"
        if not check_format(name, org_form):
            return name


def _owner():
    user, created = get_user_model().objects.get_or_create(
        username=OWNER, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _lognormal(rng: random.Random, median: float, spread: float) -> float:
    return median * rng.lognormvariate(0, spread)


def _timings(rng: random.Random, codes: list[str], accepted: dt.datetime) -> dict:
    """(started, finished, attempts) per step: registration first, the rest after it."""
    out = {}
    start = accepted + dt.timedelta(seconds=rng.uniform(1, 20))
    took = _lognormal(rng, *HANDLING["registration"])
    out["registration"] = (start, start + dt.timedelta(seconds=took), 1)
    released = out["registration"][1]
    outage = rng.choice(codes[1:]) if rng.random() < 0.025 else None
    for code in codes[1:]:
        start = released + dt.timedelta(seconds=rng.uniform(0.5, 8))
        took, attempts = _lognormal(rng, *HANDLING[code]), 1
        if rng.random() < 0.06:  # a transient failure or two: backoff adds minutes
            attempts = rng.choice((2, 2, 3))
            took += sum(rng.uniform(20, 240) for _ in range(attempts - 1))
        if code == outage:  # the department was down: hours, not minutes
            attempts, took = rng.randint(5, 9), rng.uniform(3300, 8000)
        out[code] = (start, start + dt.timedelta(seconds=took), attempts)
    return out


def _steps(kind: kinds.Kind, bank: bool, people: int) -> list[str]:
    """The departments of a kind's chain, in chain order: its required steps and the
    optional ones this applicant chose (a bank account for three in ten; insurance where
    there are employees)."""
    chosen = set(kind.required_steps)
    for code in kind.optional_steps:
        if code == "bank":
            chosen.update(["bank"] if bank else [])
        elif code == "seals" or people or kind.family != "individual":
            chosen.add(code)
    return [c for c in departments.departments() if c in chosen]


def _chains(rng: random.Random, enterprises: list[Enterprise]) -> None:
    owner = _owner()
    zone = timezone.get_current_timezone()
    first_year = min(e.established.year for e in enterprises)
    picked = [e for e in enterprises if e.division_code == "371071"
              and rng.random() < ADOPTION[e.established.year - first_year]]
    apps, chains, steps, staff = [], [], [], []
    for n, enterprise in enumerate(picked):
        accepted = dt.datetime.combine(enterprise.established, dt.time(9), zone) + \
            dt.timedelta(seconds=rng.uniform(0, 7.5 * 3600))
        bank = rng.random() < 0.3
        kind = kinds.get(enterprise.org_form)
        amounts = mix()[kind.code]["capital"]
        people = rng.choices(range(9), (4, 18, 22, 18, 13, 9, 7, 5, 4))[0]
        if kind.family == "individual":
            people = rng.choices(range(3), (6, 3, 1))[0]
        app = Application(
            owner=owner, status=Status.ACCEPTED, name=enterprise.name,
            org_form=enterprise.org_form,
            registered_capital=Decimal(rng.choice(amounts)) if amounts else None,
            domicile="山东省威海市火炬高技术产业开发区", division_code=enterprise.division_code,
            industry_code=enterprise.industry_code, uscc=enterprise.uscc,
            seals=["official", "financial", "invoice", "legal_rep"],
            bank_appointment={"bank": "中国工商银行", "branch": "威海高区支行"} if bank else None,
            submitted_at=accepted - dt.timedelta(seconds=rng.uniform(5, 900)),
            accepted_at=accepted)
        apps.append(app)
        enterprise.application = app
        codes = _steps(kind, bank, people)
        timings = _timings(rng, codes, accepted)
        chain = Chain(application=app, accepted_at=accepted,
                      deadline_at=accepted + dt.timedelta(hours=1),
                      finished_at=max(t[1] for t in timings.values()))
        chains.append(chain)
        staff += [Employee(application=app, position=i, name=f"职工{i + 1}",
                           id_number=resident_id.make("371002", dt.date(1975 + (n + i) % 30,
                                                      1 + i % 12, 1 + n % 28), (n * 7 + i) % 1000),
                           monthly_wage=Decimal(rng.randrange(4200, 12000, 100)),
                           start_date=enterprise.established)
                  for i in range(people)]
        for code, (started, finished, attempts) in timings.items():
            steps.append(Step(
                chain=chain, code=code, status=StepStatus.DONE, attempts=attempts,
                idempotency_key=f"{app.pk.hex}-{code}", started_at=started,
                finished_at=finished, reference=f"{code[:2].upper()}{SERIAL_BASE + n}",
                # Marked as history: done before any department system now connected
                # existed, so reconciliation (对账) expects no effect for it.
                result={"history": True, **({"uscc": enterprise.uscc} if code == "registration"
                        else {"enrolled": people} if code == "social_security" else {})}))
    Application.objects.bulk_create(apps, batch_size=500)
    # bulk_create stamps creation "now"; the history was created when it was submitted.
    Application.objects.filter(owner=owner).update(created_at=F("submitted_at"),
                                                   updated_at=F("accepted_at"))
    Chain.objects.bulk_create(chains, batch_size=500)
    Step.objects.bulk_create(steps, batch_size=1000)
    Employee.objects.bulk_create(staff, batch_size=1000)
