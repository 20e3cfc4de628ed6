"""Each kind's chain end to end, in process: the steps its catalogue entry lists and its
form chose, the credit code of its entity class, what each department is sent, and the
license registration issues (issue 12, docs/entity-kinds.md §5)."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import override_settings

from tests import kindapps
from yilian.chain import engine
from yilian.chain.services import start_chain
from yilian.departments import steps
from yilian.forms.validation import check_application
from yilian.licenses.models import License
from yilian.refdata import kinds

pytestmark = pytest.mark.django_db

ENTERPRISE = {"registration", "seals", "tax", "social_security", "medical_insurance",
              "housing_fund"}


@pytest.fixture(autouse=True)
def _quick_departments():
    with override_settings(SIMULATOR={"latency_ms": "0", "failure_rate": 0.0, "outages": "",
                                      "seed": "7"}):
        yield


@pytest.fixture
def open_kinds(monkeypatch):
    """Every kind open for application, in this test only (the shipped flags stay)."""
    for code, kind in kinds.all_kinds().items():
        monkeypatch.setitem(kinds.all_kinds(), code, dataclasses.replace(kind, available=True))


def _run(app, steps: set[str], prefix: str = "91"):
    """Run ``app``'s chain to the end: it asked exactly ``steps``, the credit code is of
    the entity class ``prefix`` in the zone; its steps by code and the license."""
    chain = start_chain(app)
    engine.drain()
    chain.refresh_from_db()
    app.refresh_from_db()
    assert chain.status == "completed", [(s.code, s.status, s.last_error)
                                         for s in chain.steps.all()]
    done = {s.code: s for s in chain.steps.all()}
    assert set(done) == steps
    assert app.uscc.startswith(f"{prefix}371071")
    return done, License.objects.get(application=app)


def test_every_optional_step_names_the_form_answer_that_chooses_it():
    for kind in kinds.all_kinds().values():
        chosen_by = kind.spec["steps"].get("chosen_by", {})
        assert set(chosen_by) == set(kind.optional_steps), kind.code
        assert set(chosen_by.values()) <= set(steps.CHOICES), kind.code


@pytest.mark.parametrize("build", [kindapps.individual, kindapps.partnership,
                                   kindapps.branch, kindapps.cooperative,
                                   kindapps.joint_stock])
def test_the_applications_of_each_kind_pass_submission_once_open(build, open_kinds):
    app = build()
    # Names by kind (docs/entity-kinds.md §3) are another part, not done yet: until it is,
    # the names service reads a branch's or a cooperative's name as a company's.
    assert [e for e in check_application(app) if not e["code"].startswith("name.")] == []


def test_an_individual_business_registration_and_tax_only_when_nothing_else_asked():
    app = kindapps.individual()
    done, lic = _run(app, {"registration", "tax"}, "92")
    registration = done["registration"].payload
    assert registration["operator"] == "孙经营"
    assert registration["composition"] == "family"
    assert registration["family_members"] == ["孙家人"]
    assert registration["legal_representative"] == ""
    assert done["tax"].payload["responsible"] == "孙经营"
    assert lic.fields["type"] == "个体工商户"
    assert lic.fields["operator"] == "孙经营" and lic.fields["composition"] == "家庭经营"
    assert "legal_representative" not in lic.fields
    assert "registered_capital" not in lic.fields


def test_an_individual_business_with_staff_seals_and_a_bank_appointment():
    app = kindapps.individual(employees=True, seals=True, bank=True, family=False)
    # Social and medical insurance for its staff; no housing-fund unit for an individual
    # business in the catalogue.
    done, lic = _run(app, {"registration", "tax", "seals", "social_security",
                           "medical_insurance", "bank"}, "92")
    assert len(done["social_security"].result["enrolled"]) == 2
    assert lic.fields["composition"] == "个人经营"


def test_a_partnership_names_its_managing_partner_and_the_representative():
    app = kindapps.partnership()
    done, lic = _run(app, ENTERPRISE)
    partner = "威海一链普通合伙人管理有限公司"
    assert done["registration"].payload["managing_partners"] == [
        {"name": partner, "representative": "吴委派"}]
    assert lic.fields["type"] == "有限合伙企业"
    assert lic.fields["managing_partner"] == f"{partner}（委派代表：吴委派）"
    assert lic.fields["premises"] == app.domicile


def test_a_branch_registration_and_tax_and_its_parent():
    app = kindapps.branch()
    done, lic = _run(app, {"registration", "tax"})
    registration = done["registration"].payload
    assert registration["parent_uscc"] == kindapps.PARENT
    assert registration["person_in_charge"] == "冯负责"
    assert done["tax"].payload["responsible"] == "冯负责"
    assert lic.fields["type"] == "有限责任公司分公司（自然人投资或控股）"
    assert lic.fields["person_in_charge"] == "冯负责"
    assert "registered_capital" not in lic.fields


def test_a_cooperative_93_and_the_steps_its_form_chose():
    app = kindapps.cooperative()
    done, lic = _run(app, ENTERPRISE, "93")  # seals listed, staff listed
    assert lic.fields["type"] == "农民专业合作社"
    assert lic.fields["legal_representative"] == "农民0"
    assert lic.fields["registered_capital"] == "0.5万元"


def test_a_joint_stock_company():
    app = kindapps.joint_stock()
    done, lic = _run(app, ENTERPRISE)
    assert lic.fields["type"] == "股份有限公司"
    assert lic.fields["registered_capital"] == "200万元"
    assert len(done["seals"].result["seals"]) == 4


def test_a_kind_not_in_the_catalogue_starts_no_chain():
    app = kindapps.individual()
    app.org_form = "trust"
    with pytest.raises(steps.UnknownKind):
        start_chain(app)


def test_an_individual_business_without_a_name_is_registered_and_licensed():
    """个体工商户登记管理办法第6条: a name is optional; the register has nothing to clash."""
    app = kindapps.individual()
    app.name = ""
    app.save()
    done, lic = _run(app, {"registration", "tax"}, "92")
    assert lic.fields["name"] == "" and lic.fields["operator"] == "孙经营"
