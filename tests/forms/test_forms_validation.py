"""Each submission rule of the one form fails with its field path, its code, and a
message in both languages; and every failure is reported at once."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests import factories
from yilian.codes import resident_id, uscc
from yilian.forms.models import Employee, Investor, Person
from yilian.forms.validation import Errors, check_application, check_name, check_scope
from yilian.forms.validation.choices import check_permits_and_pledges

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"[a-z]{2,}[ ,:]+[a-z]{2,}")
TODAY = timezone.localdate()


def _id(age_years: int = 30, seq: int = 101, division: str = "371002") -> str:
    born = TODAY.replace(year=TODAY.year - age_years, month=1, day=1)
    return resident_id.make(division, born, seq)


def _broken(number: str) -> str:
    """The same ID number with a wrong check character."""
    return number[:17] + ("0" if number[17] != "0" else "1")


def _set(model, app, position: int, **fields) -> None:
    assert model.objects.filter(application=app, position=position).update(**fields) == 1


def _attr(**fields):
    def mutate(app):
        for key, value in fields.items():
            setattr(app, key, value)
    return mutate


def _investor(position: int, **fields):
    return lambda app: _set(Investor, app, position, **fields)


def _person(position: int, **fields):
    return lambda app: _set(Person, app, position, **fields)


def _employee(position: int, **fields):
    return lambda app: _set(Employee, app, position, **fields)


def _drop(role: str):
    return lambda app: Person.objects.filter(application=app, role=role).delete()


def _more_investors(count: int):
    def mutate(app):
        Investor.objects.bulk_create(
            Investor(application=app, position=2 + i, name=f"股东{i}", id_number=_id(seq=i),
                     amount=Decimal("1.00"), contribution_date=TODAY)
            for i in range(count))
    return mutate


def _only_investor(**fields):
    def mutate(app):
        Investor.objects.filter(application=app, position=1).delete()
        _set(Investor, app, 0, amount=app.registered_capital, **fields)
    return mutate


# Example people: 0 legal rep, 1 director (the same person), 2 manager, 3 supervisor,
# 4 financial officer, 5 tax handler, 6 contact (the tax handler again).
RULES = [
    ("name missing", _attr(name=" "), "name", "name.required"),
    ("name too short", _attr(name="一链公司"), "name", "name.org_form"),
    ("name length", _attr(name="威" * 47 + "有限公司"), "name", "name.length"),
    ("name latin", _attr(name="威海ABC科技有限公司"), "name", "name.charset"),
    ("name suffix", _attr(name="威海一链科技集团"), "name", "name.org_form"),
    ("sole name", _attr(org_form="sole_proprietorship"), "name", "name.org_form"),
    ("org form missing", _attr(org_form=""), "org_form", "org_form.required"),
    ("org form unknown", _attr(org_form="llp"), "org_form", "org_form.invalid"),
    ("capital missing", _attr(registered_capital=None), "registered_capital",
     "registered_capital.required"),
    ("capital zero", _attr(registered_capital=Decimal(0)), "registered_capital",
     "registered_capital.not_positive"),
    ("capital cents", _attr(registered_capital=Decimal("1000000.001")), "registered_capital",
     "registered_capital.decimals"),
    ("domicile", _attr(domicile=""), "domicile", "domicile.required"),
    ("division missing", _attr(division_code=""), "division_code", "division_code.required"),
    ("division unknown", _attr(division_code="991071"), "division_code", "division.province"),
    ("division form", _attr(division_code="37A071"), "division_code", "division.format"),
    ("industry", _attr(industry_code="651"), "industry_code", "industry_code.format"),
    ("term", _attr(operating_term_years=0), "operating_term_years",
     "operating_term_years.range"),
    ("scope empty", _attr(business_scope=[]), "business_scope", "business_scope.required"),
    ("scope blank", _attr(business_scope=["软件开发", " "]), "business_scope[1]",
     "business_scope.blank"),
    ("scope twice", _attr(business_scope=["软件开发", "软件开发 "]), "business_scope[1]",
     "business_scope.duplicate"),
    ("no investors", lambda app: app.investors.all().delete(), "investors",
     "investors.required"),
    ("multi needs two", _only_investor(), "investors", "investors.count"),
    ("multi at most 50", _more_investors(49), "investors", "investors.count"),
    ("single natural count", _attr(org_form="llc_single_natural"), "investors",
     "investors.count"),
    ("single natural kind", lambda app: (_only_investor(
        kind="corporate", uscc=uscc.make("371071", 5))(app),
        setattr(app, "org_form", "llc_single_natural")), "investors[0].kind",
     "investors.kind"),
    ("sole count", _attr(org_form="sole_proprietorship"), "investors", "investors.count"),
    ("investor id", lambda app: _set(Investor, app, 1, id_number=_broken(Investor.objects.get(
        application=app, position=1).id_number)), "investors[1].id_number", "id.check"),
    ("investor uscc", _investor(1, kind="corporate", uscc="91371071MA3C00000X"),
     "investors[1].uscc", "uscc.organization_check"),
    ("investor twice", lambda app: _set(Investor, app, 1, id_number=Investor.objects.get(
        application=app, position=0).id_number), "investors[1].id_number",
     "investors.duplicate"),
    ("investor name", _investor(0, name=""), "investors[0].name", "investors.name.required"),
    ("amount missing", _investor(0, amount=None), "investors[0].amount",
     "investors.amount.required"),
    ("amount negative", _investor(1, amount=Decimal("-1")), "investors[1].amount",
     "investors.amount.not_positive"),
    ("amounts sum", _investor(1, amount=Decimal("399999.99")), "investors",
     "investors.sum_mismatch"),
    ("date missing", _investor(0, contribution_date=None), "investors[0].contribution_date",
     "investors.contribution_date.required"),
    ("date past", _investor(0, contribution_date=TODAY - dt.timedelta(days=1)),
     "investors[0].contribution_date", "investors.contribution_date.past"),
    ("date beyond five years", _investor(1, contribution_date=TODAY.replace(
        year=TODAY.year + 5) + dt.timedelta(days=2)), "investors[1].contribution_date",
     "investors.contribution_date.too_late"),
    ("method", _investor(0, contribution_method="劳务"), "investors[0].contribution_method",
     "investors.contribution_method"),
    ("no legal rep", _drop("legal_representative"), "people",
     "people.legal_representative.required"),
    ("two legal reps", _person(2, role="legal_representative"), "people",
     "people.legal_representative.count"),
    ("legal rep minor", _person(0, id_number=_id(17)), "people[0].id_number", "id.age"),
    ("legal rep bad id", _person(0, id_number="37100219860312011"), "people[0].id_number",
     "id.length"),
    ("legal rep not executive", _person(0, id_number=_id(40, seq=7)), "people[0].id_number",
     "people.legal_representative.not_executive"),
    ("no director", _drop("director"), "people", "people.director.required"),
    # Company Law 2023 arts. 68, 75, 76, 83: one director or a board of three or more;
    # one supervisor, a board of three or more, or none (refdata/data/offices.json).
    ("two directors", _person(3, role="director"), "people", "people.director.count"),
    ("two supervisors", _person(2, role="supervisor"), "people", "people.supervisor.count"),
    ("two contacts", _person(4, role="contact"), "people", "people.contact.count"),
    ("sole with a director", _attr(org_form="sole_proprietorship"), "people",
     "people.director.not_applicable"),
    ("supervisor is manager", lambda app: _set(Person, app, 3, id_number=Person.objects.get(
        application=app, position=2).id_number), "people[3].id_number",
     "people.supervisor.conflict"),
    ("supervisor is director", lambda app: _set(Person, app, 3, id_number=Person.objects.get(
        application=app, position=1).id_number), "people[3].id_number",
     "people.supervisor.conflict"),
    ("no financial officer", _drop("financial_officer"), "people",
     "people.financial_officer.required"),
    ("no tax handler", _drop("tax_handler"), "people", "people.tax_handler.required"),
    ("no contact", _drop("contact"), "people", "people.contact.required"),
    ("contact phone", _person(6, phone="1380000000"), "people[6].phone", "people.phone"),
    ("tax handler no phone", _person(5, phone=""), "people[5].phone", "people.phone"),
    ("landline", _person(4, phone="06315201234"), "people[4].phone", "people.phone"),
    ("person name", _person(2, name=""), "people[2].name", "people.name.required"),
    ("person twice", _person(6, role="tax_handler"), "people[6].id_number",
     "people.duplicate"),
    ("employee id", _employee(0, id_number=""), "employees[0].id_number", "id.required"),
    ("employee age", _employee(2, id_number=_id(15)), "employees[2].id_number", "id.age"),
    ("employee wage", _employee(1, monthly_wage=Decimal(0)), "employees[1].monthly_wage",
     "employees.monthly_wage.not_positive"),
    ("employee twice", lambda app: _set(Employee, app, 2, id_number=Employee.objects.get(
        application=app, position=0).id_number), "employees[2].id_number",
     "employees.duplicate"),
    ("employee start", _employee(0, start_date=None), "employees[0].start_date",
     "employees.start_date.required"),
    ("seal unknown", _attr(seals=["official", "contract"]), "seals[1]", "seals.unknown"),
    ("seal twice", _attr(seals=["official", "official"]), "seals[1]", "seals.duplicate"),
    ("invoice type", _attr(invoices={"types": ["增值税普通发票（卷票）"],
                                     "monthly_quantity": 5}), "invoices.types[0]",
     "invoices.types.unknown"),
    ("invoice quantity", _attr(invoices={"types": [], "monthly_quantity": 10001}),
     "invoices.monthly_quantity", "invoices.monthly_quantity.range"),
    ("invoice negative", _attr(invoices={"monthly_quantity": -1}),
     "invoices.monthly_quantity", "invoices.monthly_quantity.range"),
    ("invoice without quantity", _attr(invoices={"types": ["数电发票（普通发票）"]}),
     "invoices.monthly_quantity", "invoices.monthly_quantity.required"),
    ("bank branch", _attr(bank_appointment={"bank": "中国银行", "branch": "",
                                            "date": "2030-01-02"}),
     "bank_appointment.branch", "bank_appointment.branch.required"),
    ("bank date", _attr(bank_appointment={"bank": "中国银行", "branch": "高区支行"}),
     "bank_appointment.date", "bank_appointment.date.required"),
    ("bank past", _attr(bank_appointment={"bank": "中国银行", "branch": "高区支行",
                                          "date": "2020-01-02"}),
     "bank_appointment.date", "bank_appointment.date.past"),
    # Permits and pledges are given for scope entries (S0554 保安服务 is not in the example).
    ("permit not in scope", _attr(permits={"S0554": "鲁公保服字〔2026〕001号"}),
     "permits.S0554", "permits.not_in_scope"),
    ("permit unknown entry", _attr(permits={"S9999X": "001"}), "permits.S9999X",
     "permits.unknown"),
    ("permit without number", _attr(business_scope=["软件开发", "保安服务"],
                                    permits={"S0554": " "}),
     "permits.S0554", "permits.number.required"),
    ("permits not a map", _attr(permits=["S0554"]), "permits", "permits.type"),
    ("pledge not in scope", _attr(pledges=["S0474", "S0554"]), "pledges[1]",
     "pledges.not_in_scope"),
    ("pledge by wording", _attr(pledges=["软件开发"]), "pledges[0]", "pledges.unknown"),
    ("pledge twice", _attr(business_scope=["保安服务"], pledges=["S0554", "S0554"]),
     "pledges[1]", "pledges.duplicate"),
    ("pledges not a list", _attr(pledges={"S0554": True}), "pledges", "pledges.type"),
]


def test_the_example_passes_every_check(draft):
    assert check_application(draft) == []


@pytest.mark.parametrize(("mutate", "field", "code"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])
def test_each_rule_names_its_field_in_both_languages(draft, mutate, field, code):
    mutate(draft)
    errors = check_application(draft)
    matching = [e for e in errors if e["field"] == field and e["code"] == code]
    assert matching, f"no {code} on {field}; got {[(e['field'], e['code']) for e in errors]}"
    for error in matching:
        assert CJK.search(error["message_zh"]), error
        assert ENGLISH.search(error["message_en"]), error


def test_every_error_is_reported_at_once(draft):
    draft.name = ""
    draft.registered_capital = Decimal("0")
    draft.business_scope = []
    _set(Investor, draft, 1, id_number="123")
    _set(Person, draft, 6, phone="")
    _set(Employee, draft, 0, monthly_wage=None)
    found = {(e["field"], e["code"]) for e in check_application(draft)}
    assert {("name", "name.required"),
            ("registered_capital", "registered_capital.not_positive"),
            ("business_scope", "business_scope.required"),
            ("investors[1].id_number", "id.length"),
            ("people[6].phone", "people.phone"),
            ("employees[0].monthly_wage", "employees.monthly_wage.required")} <= found


def test_an_empty_draft_lists_everything_missing(owner):
    from yilian.forms.services import create_draft

    fields = {e["field"] for e in check_application(create_draft(owner, {}))}
    assert {"name", "org_form", "registered_capital", "domicile", "division_code",
            "industry_code", "business_scope", "investors", "people"} <= fields


def test_what_is_allowed(draft):
    """Optional parts and the lenient cases produce no error."""
    draft.seals = []  # the free set of four is applied at submission
    draft.invoices = {}
    draft.bank_appointment = None
    draft.operating_term_years = 30
    draft.name = "一链（威海）科技有限责任公司"
    Person.objects.filter(application=draft, role="manager").update(email="")
    factories.registered(uscc.make("371071", 42), "威海某某投资有限公司")
    _set(Investor, draft, 1, kind="corporate", id_number="", phone="",
         name="威海某某投资有限公司",
         uscc=uscc.make("371071", 42), signatory_name="周敏",
         signatory_id_number=resident_id.make("371002", dt.date(1980, 3, 1), 17),
         signatory_phone="13906310099")
    assert check_application(draft) == []


def test_permits_and_pledges_for_listed_entries_are_accepted(draft):
    draft.business_scope = [*draft.business_scope, "保安服务"]
    draft.permits = {"S0554": "鲁公保服字〔2026〕001号"}
    draft.pledges = ["S0554", "S0474"]  # whether a pledge helps is the rules' to say
    assert check_application(draft) == []


SCOPE_IDS = ["S0474", "S0485", "S0554", "S0001", "S0002"]
TEXTS = {"S0474": "软件开发", "S0485": "信息技术咨询服务", "S0554": "保安服务",
         "S0001": "稻谷种植", "S0002": "小麦种植"}
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(listed=st.sets(st.sampled_from(SCOPE_IDS)),
       permitted=st.sets(st.sampled_from([*SCOPE_IDS, "S9999X"])),
       pledged=st.lists(st.sampled_from([*SCOPE_IDS, "S9999X"]), unique=True))
def test_exactly_the_entries_outside_the_scope_are_reported(listed, permitted, pledged):
    errors = Errors()
    check_permits_and_pledges(errors, [TEXTS[i] for i in sorted(listed)],
                              {i: "编号001" for i in sorted(permitted)}, pledged, TODAY)
    expected = {(f"permits.{i}", "permits.unknown" if i not in TEXTS else
                 "permits.not_in_scope") for i in permitted - listed}
    expected |= {(f"pledges[{n}]", "pledges.unknown" if i not in TEXTS else
                  "pledges.not_in_scope") for n, i in enumerate(pledged) if i not in listed}
    assert {(e["field"], e["code"]) for e in errors} == expected


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scope=JSON, permits=JSON, pledges=JSON)
def test_any_json_in_permits_or_pledges_is_an_error_never_a_crash(scope, permits, pledges):
    errors = Errors()
    check_permits_and_pledges(errors, scope, permits, pledges, TODAY)
    assert all(e["field"].startswith(("permits", "pledges")) for e in errors)


def test_the_offices_the_law_leaves_optional_may_be_left_unfilled(draft):
    """An LLC may have no supervisor (all shareholders agreeing, or an audit committee)
    and no manager when a director carries out its affairs; a board of three directors
    and three supervisors is allowed too."""
    Person.objects.filter(application=draft, role__in=["supervisor", "manager"]).delete()
    assert check_application(draft) == []
    for i in range(2):
        Person.objects.create(application=draft, role="director", position=20 + i,
                              name=f"董事{i}", id_number=_id(seq=301 + 2 * i),
                              phone=f"1390631100{i}")
    for i in range(3):
        Person.objects.create(application=draft, role="supervisor", position=30 + i,
                              name=f"监事{i}", id_number=_id(seq=401 + 2 * i),
                              phone=f"1390631200{i}")
    assert check_application(draft) == []


def test_the_offices_follow_the_data_file():
    from yilian.refdata import offices

    assert offices.edition() == "company-law-2023"
    llc = offices.for_form("llc_multi")
    assert llc["director"].allows(1) and not llc["director"].allows(2)
    assert llc["director"].allows(3) and llc["director"].allows(13)
    assert not llc["supervisor"].required and not llc["supervisor"].allows(2)
    assert llc["legal_representative"].executive_of == ("director", "manager")
    sole = offices.for_form("sole_proprietorship")
    assert not sole["director"].exists and not sole["supervisor"].exists
    assert sole["legal_representative"].required and not sole["manager"].required
    assert offices.for_form("") == llc  # before a form is chosen: the default's offices


def test_a_sole_proprietorship_has_no_five_year_limit(draft):
    Investor.objects.filter(application=draft, position=1).delete()
    _set(Investor, draft, 0, amount=draft.registered_capital,
         contribution_date=TODAY.replace(year=TODAY.year + 10))
    Person.objects.filter(application=draft, role__in=["director", "supervisor"]).delete()
    draft.org_form = "sole_proprietorship"
    draft.name = "威海一链软件开发中心"
    assert check_application(draft) == []


def test_the_seams_have_stable_signatures():
    assert check_name("威海一链科技有限公司", "llc_multi") == []
    assert check_scope(["软件开发"], "6513") == []
    assert check_scope("软件开发", "6513")[0]["code"] == "business_scope.required"
