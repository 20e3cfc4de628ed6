"""Each kind of market entity's own requirements (issue 12; the catalogue
refdata/data/kinds.json names the articles): each test names the requirement it checks and
builds one application that keeps it and one that breaks it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories
from yilian.codes import uscc
from yilian.forms.models import Investor, InvestorKind, OrgForm, Person
from yilian.forms.validation import check_application
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)
PARENT = uscc.make("371071", 4242)


def codes(app) -> set[str]:
    return {e["code"] for e in check_application(app, today=TODAY)}


def fields(app, code: str) -> set[str]:
    return {e["field"] for e in check_application(app, today=TODAY) if e["code"] == code}


def _partner(app, i, *, liability="unlimited", managing=False, method="货币",
             kind=InvestorKind.NATURAL, farmer=False, birth=dt.date(1985, 6, 15),
             amount="1000.00"):
    if kind == InvestorKind.NATURAL:
        someone = factories.resident(f"合伙人{i}", birth)
        return Investor.objects.create(
            application=app, position=i, name=someone.name, id_number=someone.id_number,
            phone=someone.phone, amount=Decimal(amount), liability=liability,
            managing=managing, contribution_method=method, farmer=farmer,
            contribution_date=dt.date(2030, 12, 31))
    signer = factories.resident(f"签署人{i}")
    return Investor.objects.create(
        application=app, position=i, kind=kind, name=f"威海{factories.brand(900 + i)}有限公司",
        uscc=uscc.make("371071", 100 + i), signatory_name=signer.name,
        signatory_id_number=signer.id_number, signatory_phone=signer.phone,
        amount=Decimal(amount), liability=liability, managing=managing,
        contribution_method=method, farmer=farmer, contribution_date=dt.date(2030, 12, 31))


def _kind(org_form, partners: int = 0, name: str | None = None, capital="200000.00", **kw):
    """An application of ``org_form`` with ``partners`` natural members; its people are the
    factory's (an LLC's), which each test trims to what the kind has."""
    app = factories.application(accepted=False, name=name)
    app.org_form = org_form
    app.registered_capital = Decimal(capital) if capital else None
    for key, value in kw.items():
        setattr(app, key, value)
    app.save()
    app.investors.all().delete()
    for i in range(partners):
        _partner(app, i)
    if partners and capital:
        app.registered_capital = Decimal(1000 * partners)
        app.save()
    return app


def _keep_people(app, *roles: str) -> None:
    app.people.exclude(role__in=roles).delete()


# --- availability -----------------------------------------------------------------------


def test_kinds_not_yet_open_online_are_refused_with_a_reason(close_kind):
    close_kind(OrgForm.PARTNERSHIP_GENERAL)
    app = _kind(OrgForm.PARTNERSHIP_GENERAL, partners=2)
    errors = [e for e in check_application(app, today=TODAY) if e["field"] == "org_form"]
    assert [e["code"] for e in errors] == ["org_form.not_available"]
    assert "普通合伙企业" in errors[0]["message_zh"] and "window" in errors[0]["message_en"]
    assert "org_form.not_available" not in codes(factories.application(accepted=False))


# --- partnerships (合伙企业法) ----------------------------------------------------------


def _partnership(org_form, *liabilities, managing=(0,), name=None):
    app = _kind(org_form, name=name or f"威海{factories.brand(77)}投资合伙企业（普通合伙）",
                capital=f"{1000 * len(liabilities)}.00")
    for i, liability in enumerate(liabilities):
        _partner(app, i, liability=liability, managing=i in managing)
    _keep_people(app, "financial_officer", "tax_handler", "contact")
    return app


def test_art_61_a_limited_partnership_has_a_general_partner():
    name = f"威海{factories.brand(78)}投资合伙企业（有限合伙）"
    none = _partnership(OrgForm.PARTNERSHIP_LIMITED, "limited", "limited", name=name)
    assert "partners.general_required" in codes(none)
    one = _partnership(OrgForm.PARTNERSHIP_LIMITED, "unlimited", "limited", name=name)
    assert "partners.general_required" not in codes(one)


def test_art_61_a_limited_partnership_has_at_most_fifty_partners():
    name = f"威海{factories.brand(79)}投资合伙企业（有限合伙）"
    app = _partnership(OrgForm.PARTNERSHIP_LIMITED, "unlimited", *["limited"] * 50, name=name)
    assert "investors.count" in codes(app)


def test_art_14_a_partnership_has_two_partners():
    app = _partnership(OrgForm.PARTNERSHIP_GENERAL, "unlimited")
    assert "investors.count" in codes(app)
    assert "investors.count" not in codes(
        _partnership(OrgForm.PARTNERSHIP_GENERAL, "unlimited", "unlimited"))


def test_art_14_natural_partners_have_full_civil_capacity():
    app = _partnership(OrgForm.PARTNERSHIP_GENERAL, "unlimited", "unlimited")
    minor = app.investors.get(position=1)
    minor.id_number = factories.resident("少年", dt.date(2010, 1, 1)).id_number
    minor.save()
    assert fields(app, "partners.full_capacity") == {"investors[1].id_number"}
    assert "id.age" not in codes(app)  # one error, naming the partnership law's rule


def test_general_partnership_partners_are_all_general_partners():
    app = _partnership(OrgForm.PARTNERSHIP_GENERAL, "unlimited", "limited")
    assert fields(app, "partners.liability.not_allowed") == {"investors[1].liability"}
    blank = _partnership(OrgForm.PARTNERSHIP_GENERAL, "unlimited", "")
    assert fields(blank, "partners.liability.required") == {"investors[1].liability"}


def test_art_16_and_64_labour_from_general_partners_only():
    name = f"威海{factories.brand(80)}投资合伙企业（有限合伙）"
    app = _partnership(OrgForm.PARTNERSHIP_LIMITED, "unlimited", "limited", name=name)
    app.investors.update(contribution_method="劳务")
    assert fields(app, "partners.limited_no_labour") == {"investors[1].contribution_method"}
    assert "investors.contribution_method" not in codes(app)  # labour is a method here


def test_labour_is_no_contribution_to_a_company():
    app = factories.application(accepted=False)
    app.investors.filter(position=0).update(contribution_method="劳务")
    assert fields(app, "investors.contribution_method") == {"investors[0].contribution_method"}


def test_art_26_and_67_someone_manages_and_in_a_limited_partnership_a_general_partner():
    nobody = _partnership(OrgForm.PARTNERSHIP_GENERAL, "unlimited", "unlimited", managing=())
    assert "partners.managing_required" in codes(nobody)
    name = f"威海{factories.brand(81)}投资合伙企业（有限合伙）"
    limited = _partnership(OrgForm.PARTNERSHIP_LIMITED, "unlimited", "limited", managing=(1,),
                           name=name)
    assert fields(limited, "partners.managing_general_only") == {"investors[1].managing"}


def test_art_26_a_corporate_managing_partner_appoints_a_representative():
    app = _partnership(OrgForm.PARTNERSHIP_GENERAL, "unlimited", managing=())
    _partner(app, 1, kind=InvestorKind.CORPORATE, managing=True)
    found = codes(app)
    assert {"investors.representative_name.required", "id.required",
            "investors.representative_phone"} <= found
    rep = factories.resident("委派代表")
    app.investors.filter(position=1).update(representative_name=rep.name,
                                            representative_id_number=rep.id_number,
                                            representative_phone=rep.phone)
    assert "investors.representative_name.required" not in codes(app)
    assert "investors.representative_phone" not in codes(app)


def test_art_15_56_62_the_name_says_which_partnership():
    wrong = _partnership(OrgForm.PARTNERSHIP_LIMITED, "unlimited", "limited")  # （普通合伙）
    assert "name.org_form" in codes(wrong)
    right = _partnership(OrgForm.PARTNERSHIP_GENERAL, "unlimited", "unlimited")
    assert "name.org_form" not in codes(right)


def test_art_55_a_special_partnership_serves_professionally():
    name = f"威海{factories.brand(82)}会计师事务所（特殊普通合伙）"
    app = _partnership(OrgForm.PARTNERSHIP_SPECIAL, "unlimited", "unlimited", name=name)
    assert "partners.special.professional_services" in codes(app)  # 6513 software
    app.industry_code = "7241"
    app.save()
    assert "partners.special.professional_services" not in codes(app)


def test_a_partnership_has_no_legal_representative_or_board():
    app = _partnership(OrgForm.PARTNERSHIP_GENERAL, "unlimited", "unlimited")
    assert "people.legal_representative.not_applicable" not in codes(app)
    someone = factories.resident("董事")
    Person.objects.create(application=app, role="director", name=someone.name,
                          id_number=someone.id_number, phone=someone.phone)
    assert "people.director.not_applicable" in codes(app)


# --- joint-stock companies (公司法) -----------------------------------------------------


def test_art_92_promoters_one_to_two_hundred_and_art_98_paid_before_establishment():
    app = _kind(OrgForm.JOINT_STOCK, partners=1, name=f"威海{factories.brand(83)}科技股份有限公司")
    assert "investors.count" not in codes(app)  # 一人股份有限公司 (2023 revision)
    assert fields(app, "investors.contribution_date.after_establishment") == {
        "investors[0].contribution_date"}
    app.investors.update(contribution_date=TODAY)
    assert "investors.contribution_date.after_establishment" not in codes(app)
    assert "investors.contribution_date.past" not in codes(app)


def test_art_7_a_joint_stock_company_is_named_so():
    app = _kind(OrgForm.JOINT_STOCK, partners=1)  # the factory's 有限公司 name
    assert "name.org_form" in codes(app)


# --- cooperatives (农民专业合作社法) ----------------------------------------------------


def _cooperative(farmers: int, others: int = 0, organisations: int = 0):
    total = farmers + others + organisations
    app = _kind(OrgForm.COOPERATIVE, name=f"威海{factories.brand(84)}果蔬专业合作社",
                capital=f"{1000 * total}.00")
    for i in range(total):
        kind = InvestorKind.CORPORATE if i >= farmers + others else InvestorKind.NATURAL
        _partner(app, i, kind=kind, farmer=i < farmers, liability="")
    return app


def test_art_12_five_members_at_least():
    assert "investors.count" in codes(_cooperative(4))
    assert "investors.count" not in codes(_cooperative(5))


def test_art_20_farmers_are_four_fifths_of_the_members():
    assert "members.farmer_share" in codes(_cooperative(3, others=2))
    assert "members.farmer_share" not in codes(_cooperative(4, others=1))


def test_art_20_organisation_members_one_up_to_twenty_five_percent_above():
    assert "members.organisations" in codes(_cooperative(8, organisations=2))
    assert "members.organisations" not in codes(_cooperative(8, organisations=1))
    assert "members.organisations" in codes(_cooperative(19, others=1, organisations=2))


def test_the_chair_is_a_member():
    app = _cooperative(5)  # the factory's legal representative, 张三, is no member
    assert "people.legal_representative.not_member" in codes(app)
    chair = app.investors.get(position=0)
    app.people.filter(role="legal_representative").update(
        name=chair.name, id_number=chair.id_number, phone=chair.phone)
    assert "people.legal_representative.not_member" not in codes(app)


def test_implementing_rules_art_6_a_cooperative_registers_its_contributions_as_出资额():
    """市场主体登记管理条例实施细则第6条第5项: a cooperative registers 出资额 (成员出资总额
    was the repealed regulation's word)."""
    app = _cooperative(5)
    app.registered_capital = None
    app.save()
    [error] = [e for e in check_application(app, today=TODAY)
               if e["field"] == "registered_capital"]
    assert error["message_zh"] == "请填写出资额"


def test_art_33_a_cooperatives_board_of_supervisors_has_no_legal_minimum():
    """农民专业合作社法第33条: 可以设执行监事或者监事会 — unlike a company's (公司法第76条,
    three or more) no size is set, so two supervisors are lawful."""
    app = _cooperative(5)
    someone = factories.resident("监事二")
    Person.objects.create(application=app, role="supervisor", name=someone.name,
                          id_number=someone.id_number, phone=someone.phone)
    assert "people.supervisor.count" not in codes(app)


def test_a_cooperative_is_named_so():
    app = _cooperative(5)
    app.name = f"威海{factories.brand(85)}果蔬有限公司"
    app.save()
    assert "name.org_form" in codes(app)


# --- branches (公司法第13条) -------------------------------------------------------------


def _branch(parent_uscc: str, name: str):
    app = _kind(OrgForm.BRANCH, name=name, capital=None, parent_uscc=parent_uscc)
    _keep_people(app, "financial_officer", "tax_handler", "contact")
    return app


def test_a_branch_belongs_to_a_company_in_the_register():
    parent = Enterprise.objects.create(uscc=PARENT, name="威海一链测试科技有限公司",
                                       org_form="llc_multi", division_code="371071",
                                       established=timezone.localdate())
    app = _branch(PARENT, "威海一链测试科技有限公司火炬分公司")
    found = codes(app)
    assert not {"parent_uscc.not_registered", "parent_uscc.not_company",
                "name.branch_parent", "registered_capital.required",
                "investors.required"} & found
    assert "people.person_in_charge.required" in found
    unknown = _branch(uscc.make("371071", 987654), "威海某某科技有限公司火炬分公司")
    assert "parent_uscc.not_registered" in codes(unknown)
    parent.org_form = "individual_business"
    parent.save()
    assert "parent_uscc.not_company" in codes(app)


def test_names_rule_art_13_a_branch_name_ends_in_分公司_分厂_or_分店():
    """企业名称登记管理规定第13条: 冠以其所从属企业的名称，并缀以“分公司”、“分厂”、
    “分店”等字词."""
    factories.registered(PARENT, "威海一链测试科技有限公司")
    for name in ("威海一链测试科技有限公司火炬分店", "威海一链测试科技有限公司火炬分厂"):
        assert "name.org_form" not in codes(_branch(PARENT, name)), name
    assert "name.org_form" in codes(_branch(PARENT, "威海一链测试科技有限公司火炬门市"))


def test_a_branch_is_named_after_its_company_and_has_no_capital_or_investors():
    Enterprise.objects.create(uscc=PARENT, name="威海一链测试科技有限公司",
                              org_form="llc_multi", division_code="371071")
    app = _branch(PARENT, f"威海{factories.brand(86)}科技有限公司火炬分公司")
    assert "name.branch_parent" in codes(app)
    app.registered_capital = Decimal("1.00")
    app.save()
    _partner(app, 0)
    assert {"registered_capital.not_applicable", "investors.not_applicable"} <= codes(app)


# --- individual businesses (个体工商户) -------------------------------------------------


def _individual(name="", composition="individual"):
    app = _kind(OrgForm.INDIVIDUAL_BUSINESS, partners=1, name=name or "x", capital="30000.00",
                composition=composition)
    if not name:
        app.name = ""
        app.save()
    _keep_people(app, "tax_handler", "contact")
    return app


def test_an_individual_business_may_go_without_a_name():
    app = _individual()
    assert not {"name.required", "name.length", "name.org_form"} & codes(app)


def test_an_individual_business_name_uses_its_own_form_words():
    ok = _individual(name=f"威海火炬高新区{factories.brand(87)}小吃店")
    assert "name.org_form" not in codes(ok)
    company = _individual(name=f"威海{factories.brand(88)}餐饮有限公司")
    assert "name.org_form" in codes(company)


def test_the_operator_is_one_natural_person_and_no_contribution_date_is_asked():
    app = _individual()
    found = codes(app)
    assert not {"investors.count", "investors.contribution_date.required",
                "investors.amount.required", "investors.sum_mismatch"} & found
    _partner(app, 1)
    assert "investors.count" in codes(app)


def test_family_operation_lists_the_family_members():
    app = _individual(composition="family")
    assert "people.family_member.required" in codes(app)
    relative = factories.resident("家庭成员")
    Person.objects.create(application=app, role="family_member", name=relative.name,
                          id_number=relative.id_number, phone=relative.phone)
    assert "people.family_member.required" not in codes(app)
    app.composition = ""
    app.save()
    assert "composition.required" in codes(app)


def test_only_an_individual_business_has_a_composition():
    app = factories.application(accepted=False)
    app.composition = "family"
    app.save()
    assert "composition.not_applicable" in codes(app)
