"""Complete applications of each kind of market entity (issue 12), built through the ORM
from the LLC of :func:`tests.factories.application`: what the chain and license tests of
each kind start from. Each passes the submission checks once its kind is open
(tests/chain/test_kinds.py proves it), so no test runs a chain the form would refuse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests import factories
from yilian.codes import uscc
from yilian.forms.models import Application, Investor, InvestorKind, Person

PARENT = uscc.make("371071", 4343)
PARENT_NAME = "威海一链母体科技有限公司"


def _as_kind(org_form: str, name: str, *, keep: tuple[str, ...], employees: bool = True,
             seals: bool = True, **fields) -> Application:
    app = factories.application()
    app.org_form = org_form
    app.name = name
    if not seals:
        app.seals = []
    for key, value in fields.items():
        setattr(app, key, value)
    app.save()
    app.investors.all().delete()
    app.people.exclude(role__in=keep).delete()
    if not employees:
        app.employees.all().delete()
    return app


def _natural(app, i: int, name: str, amount: str | None = "1000.00",
             due: dt.date = dt.date(2030, 12, 31), **extra) -> Investor:
    someone = factories.resident(name)
    return Investor.objects.create(
        application=app, position=i, name=someone.name, id_number=someone.id_number,
        phone=someone.phone, amount=Decimal(amount) if amount else None,
        contribution_date=due if amount else None, **extra)


def _person(app, role: str, name: str) -> Person:
    someone = factories.resident(name)
    return Person.objects.create(application=app, role=role, name=name,
                                 id_number=someone.id_number, phone=someone.phone)


def individual(*, employees: bool = False, seals: bool = False, family: bool = True,
               bank: bool = False) -> Application:
    """个体工商户, run by a family, by default with no staff and no seals."""
    app = _as_kind("individual_business", f"威海火炬高新区{factories.brand(501)}小吃店",
                   keep=("tax_handler", "contact"), employees=employees, seals=seals,
                   registered_capital=Decimal("30000.00"),
                   composition="family" if family else "individual",
                   bank_appointment={"bank": "中国工商银行", "branch": "威海高区支行",
                                     "date": "2030-01-10"} if bank else None)
    _natural(app, 0, "孙经营", amount=None)
    if family:
        _person(app, "family_member", "孙家人")
    return app


def partnership() -> Application:
    """有限合伙企业: a corporate general partner manages through its appointed
    representative; a natural person is the limited partner."""
    app = _as_kind("partnership_limited",
                   f"威海{factories.brand(502)}投资合伙企业（有限合伙）",
                   keep=("financial_officer", "tax_handler", "contact"),
                   registered_capital=Decimal("3000.00"))
    general = factories.registered(uscc.make("371071", 4344), "威海一链普通合伙人管理有限公司")
    signer, rep = factories.resident("周签署"), factories.resident("吴委派")
    Investor.objects.create(
        application=app, position=0, kind=InvestorKind.CORPORATE, name=general.name,
        uscc=general.uscc, signatory_name=signer.name, signatory_id_number=signer.id_number,
        signatory_phone=signer.phone, amount=Decimal("1000.00"),
        contribution_date=dt.date(2030, 12, 31), liability="unlimited", managing=True,
        representative_name=rep.name, representative_id_number=rep.id_number,
        representative_phone=rep.phone)
    _natural(app, 1, "郑有限", "2000.00", liability="limited")
    return app


def branch() -> Application:
    """分公司 of an LLC registered through Yilian (so its type is known: 1130), with no
    staff and no seals."""
    from yilian.registry.models import Enterprise

    Enterprise.objects.create(uscc=PARENT, name=PARENT_NAME, org_form="llc_multi",
                              division_code="371071", application=factories.application())
    app = _as_kind("branch", f"{PARENT_NAME}火炬分公司",
                   keep=("financial_officer", "tax_handler", "contact"), employees=False,
                   seals=False, registered_capital=None, parent_uscc=PARENT)
    _person(app, "person_in_charge", "冯负责")
    return app


def cooperative() -> Application:
    """农民专业合作社 of five farmers, the first of them its chair (理事长)."""
    app = _as_kind("cooperative", f"威海{factories.brand(503)}果蔬专业合作社",
                   keep=("director", "supervisor", "financial_officer", "tax_handler",
                         "contact"), registered_capital=Decimal("5000.00"))
    members = [_natural(app, i, f"农民{i}", farmer=True) for i in range(5)]
    Person.objects.create(application=app, role="legal_representative",
                          name=members[0].name, id_number=members[0].id_number,
                          phone=members[0].phone)
    return app


def joint_stock() -> Application:
    """股份有限公司 of two natural-person promoters, shares paid in full."""
    app = _as_kind("joint_stock", f"威海{factories.brand(504)}科技股份有限公司",
                   keep=("legal_representative", "director", "supervisor",
                         "financial_officer", "tax_handler", "contact"),
                   registered_capital=Decimal("2000000.00"))
    for i in range(2):
        # Company Law art. 98: paid in full before establishment.
        promoter = _natural(app, i, f"发起人{i}", "1000000.00", due=timezone.localdate())
        promoter.shares = 1_000_000  # at 1 元 a share (公司法第143条: one price for all)
        promoter.save()
    _person(app, "manager", "张三")
    return app


def sole() -> Application:
    """个人独资企业 of one natural-person investor."""
    app = _as_kind("sole_proprietorship", f"威海{factories.brand(505)}软件开发中心",
                   keep=("financial_officer", "tax_handler", "contact"),
                   registered_capital=Decimal("100000.00"))
    _natural(app, 0, "陈投资", "100000.00")
    return app


def company() -> Application:
    """有限责任公司 of two natural-person shareholders: the factory's own."""
    return factories.application()


#: One application of each family of kinds, by family.
BY_FAMILY = {"company": company, "sole": sole, "individual": individual,
             "partnership": partnership, "branch": branch, "cooperative": cooperative}
