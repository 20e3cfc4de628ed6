"""Building complete applications for tests straight through the ORM (the API tests go
through the API instead)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from yilian.codes import resident_id
from yilian.departments import identity
from yilian.forms import consent, parties
from yilian.forms.models import Application, Employee, Investor, OrgForm, Person, Status
from yilian.registry.synthetic import trade_name

_people = itertools.count(1)
def brand(n: int) -> str:
    """A 字号 for every n that clashes with no other n's (of the last 4096) by any rule."""
    return trade_name(n % 4096)


def person_id(birth: dt.date = dt.date(1985, 6, 15)) -> str:
    return resident_id.make("371002", birth, next(_people) % 1000)


def resident(name: str, birth: dt.date = dt.date(1985, 6, 15)) -> identity.Resident:
    """A person of the identity simulator's population (this process), with their own
    phone number: who an application may name and submit with."""
    n = next(_people)
    return identity.enrol(name, resident_id.make("371002", birth, n % 1000),
                          f"138{n % 10**8:08d}")


def confirm_parties(application: Application) -> None:
    """Every party of the application confirms its present form (as with their codes)."""
    for party in parties.sync(Application.objects.get(pk=application.pk)):
        consent._confirm(party, None, "code")


def registered(code: str, name: str, org_form: str = "llc_multi"):
    """An enterprise in the register (登记簿): what a corporate investor or a branch's
    company must be."""
    from yilian.registry.models import Enterprise

    return Enterprise.objects.create(uscc=code, name=name, org_form=org_form,
                                     division_code=code[2:8])


def user(username: str | None = None):
    name = username or f"user{next(_people)}"
    return get_user_model().objects.create_user(name, password="pw-" + name)


def application(owner=None, *, name: str | None = None, employees: int = 2,
                bank: bool = False, accepted: bool = True) -> Application:
    """A complete LLC application in the Weihai Torch High-tech Zone (371071)."""
    owner = owner or user()
    n = next(_people)
    app = Application.objects.create(
        owner=owner,
        status=Status.ACCEPTED if accepted else Status.DRAFT,
        name=name or f"威海{brand(n)}科技有限公司",
        org_form=OrgForm.LLC_MULTI,
        registered_capital=Decimal("500000.00"),
        domicile="山东省威海市火炬高技术产业开发区火炬路1号",
        division_code="371071",
        industry_code="6513",
        business_scope=["软件开发", "信息技术咨询服务"],
        seals=["official", "financial", "invoice", "legal_rep"],
        invoices={"types": ["数电发票（普通发票）"], "monthly_quantity": 50},
        bank_appointment={"bank": "中国工商银行", "branch": "威海高区支行",
                          "date": "2030-01-10"} if bank else None,
        accepted_at=timezone.now() if accepted else None,
    )
    for i, amount in enumerate(("300000.00", "200000.00")):
        someone = resident(f"股东{i}")
        Investor.objects.create(application=app, position=i, name=someone.name,
                                id_number=someone.id_number, phone=someone.phone,
                                amount=Decimal(amount), contribution_date=dt.date(2030, 12, 31))
    people: dict[str, identity.Resident] = {}
    for role, name in (("legal_representative", "张三"), ("director", "张三"),
                       ("supervisor", "李四"), ("financial_officer", "王五"),
                       ("tax_handler", "赵六"), ("contact", "钱七")):
        someone = people.setdefault(name, resident(name))
        Person.objects.create(application=app, role=role, name=name,
                              id_number=someone.id_number, phone=someone.phone)
    for i in range(employees):
        Employee.objects.create(application=app, position=i, name=f"职工{i}",
                                id_number=person_id(dt.date(1995, 1, 1)),
                                monthly_wage=Decimal("5000.00"),
                                start_date=timezone.localdate())
    return app
