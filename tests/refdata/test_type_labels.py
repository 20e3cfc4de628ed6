"""The type a license prints (类型, the enterprise-type table's label) computed from the
application by the catalogue's rules (kinds.json ``type_labels``): an LLC's from who its
shareholders are, one label for every other kind with one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests import factories
from yilian.codes import uscc
from yilian.forms.models import Investor, InvestorKind, OrgForm
from yilian.refdata import kinds

pytestmark = pytest.mark.django_db


def _llc(org_form: str, natural: int, corporate: int, serial: int = 500):
    """An LLC application with ``natural`` natural and ``corporate`` corporate
    shareholders (each corporate one in the register)."""
    app = factories.application(accepted=False)
    app.org_form = org_form
    app.save()
    app.investors.all().delete()
    for i in range(natural):
        someone = factories.resident(f"股东{i}")
        Investor.objects.create(application=app, position=i, name=someone.name,
                                id_number=someone.id_number, amount=Decimal("100.00"))
    for j in range(corporate):
        code = uscc.make("371071", serial + j)
        factories.registered(code, f"威海{factories.brand(serial + j)}有限公司")
        Investor.objects.create(application=app, position=natural + j,
                                kind=InvestorKind.CORPORATE, name=f"股东企业{j}", uscc=code,
                                amount=Decimal("100.00"))
    return app


@pytest.mark.parametrize(("org_form", "natural", "corporate", "code", "label"), [
    (OrgForm.LLC_SINGLE_NATURAL, 1, 0, "1151", "有限责任公司（自然人独资）"),
    (OrgForm.LLC_SINGLE_CORPORATE, 0, 1, "1153", "有限责任公司（非自然人投资或控股的法人独资）"),
    (OrgForm.LLC_MULTI, 2, 0, "1130", "有限责任公司（自然人投资或控股）"),
    (OrgForm.LLC_MULTI, 1, 1, "1130", "有限责任公司（自然人投资或控股）"),
    (OrgForm.LLC_MULTI, 0, 2, "1190", "其他有限责任公司"),
])
def test_an_llcs_type_follows_its_shareholders(org_form, natural, corporate, code, label):
    assert kinds.type_label(_llc(org_form, natural, corporate)) == (code, label)


def test_a_company_wholly_owned_by_a_natural_persons_company_says_so():
    """1152: the one corporate shareholder is itself invested in or controlled by natural
    persons — known when it was registered through Yilian (its application's label)."""
    owner = _llc(OrgForm.LLC_SINGLE_NATURAL, 1, 0)
    child = _llc(OrgForm.LLC_SINGLE_CORPORATE, 0, 1, serial=700)
    assert kinds.type_label(child).code == "1153"  # the register knows nothing of its owners
    parent = child.investors.get().uscc
    from yilian.registry.models import Enterprise

    Enterprise.objects.filter(uscc=parent).update(application=owner)
    assert kinds.type_label(child) == ("1152", "有限责任公司（自然人投资或控股的法人独资）")
    # An owner whose own shareholders are not natural persons (here: none recorded).
    owner.org_form = OrgForm.LLC_MULTI
    owner.save()
    owner.investors.all().delete()
    assert kinds.type_label(child).code == "1153"


@pytest.mark.parametrize(("org_form", "code", "label"), [
    (OrgForm.SOLE_PROPRIETORSHIP, "4540", "个人独资企业"),
    (OrgForm.PARTNERSHIP_LIMITED, "4533", "有限合伙企业"),
    (OrgForm.INDIVIDUAL_BUSINESS, "9500", "个体工商户"),
    (OrgForm.COOPERATIVE, "9100", "农民专业合作社"),
    (OrgForm.JOINT_STOCK, None, "股份有限公司"),
])
def test_other_kinds_have_one_label(org_form, code, label):
    app = factories.application(accepted=False)
    app.org_form = org_form
    app.save()
    assert kinds.type_label(app) == (code, label)


def test_a_branchs_type_follows_its_companys():
    """企业类型代码 21xx: 有限责任公司分公司 with its company's own qualifier, when the
    company was registered through Yilian; the kind's name otherwise."""
    company = _llc(OrgForm.LLC_MULTI, 2, 0)
    code = uscc.make("371071", 4242)
    enterprise = factories.registered(code, company.name)
    branch = factories.application(accepted=False)
    branch.org_form = OrgForm.BRANCH
    branch.parent_uscc = code
    branch.save()
    assert kinds.type_label(branch) == (None, "分公司")  # imported: its shareholders unknown
    enterprise.application = company
    enterprise.save()
    assert kinds.type_label(branch) == ("2130", "有限责任公司分公司（自然人投资或控股）")


@pytest.mark.parametrize(("org_form", "natural", "corporate", "label"), [
    (OrgForm.LLC_SINGLE_NATURAL, 1, 0, "有限责任公司（自然人独资）"),
    (OrgForm.LLC_SINGLE_CORPORATE, 0, 1, "有限责任公司（非自然人投资或控股的法人独资）"),
    (OrgForm.LLC_MULTI, 1, 1, "有限责任公司（自然人投资或控股）"),
    (OrgForm.LLC_MULTI, 0, 2, "其他有限责任公司"),
])
def test_the_registrations_own_read_of_the_shareholders_gives_the_same_type(
        org_form, natural, corporate, label):
    """The license issued in every chain reads the shareholders with the rest, in one
    statement (licenses.services.issue_registered), not through the ORM."""
    from tests.licenses.conftest import make_enterprise
    from yilian.licenses import services
    from yilian.licenses.models import License

    app = _llc(org_form, natural, corporate)
    make_enterprise(app)
    services.issue_registered(app.pk)
    assert License.objects.get(application=app).fields["type"] == label
