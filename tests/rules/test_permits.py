"""No permit is taken on the applicant's word (许可核验): each prior permit is put to its
issuing department (the simulated register, ``departments/data/permits.json``); only a
permit confirmed for this enterprise, this activity, today is relied on — anything else
goes to an examiner with the department's answer, and the decision records how every
permit was checked."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests import factories
from yilian.accounts import roles
from yilian.audit.models import Entry as AuditEntry
from yilian.departments import queries
from yilian.departments.permits import PermitRegisterSimulator
from yilian.forms import review, services
from yilian.forms.models import Status
from yilian.rules import services as rules
from yilian.rules.models import PermitCheck

pytestmark = pytest.mark.django_db

SECURITY, BANKING, EXPLOSIVES, INSURANCE, PUBLISHING = (
    "S0554", "S0492", "S0120", "S0503", "S0691")
VALID_SECURITY = "鲁公保服字〔2026〕001号"  # held by 威海磐石保安服务有限公司 until 2036


def submit(scope: list[str], permits: dict[str, str], name: str | None = None, **fields):
    app = factories.application(accepted=False, name=name)
    app.business_scope = ["软件开发", *scope]
    app.permits = permits
    for field, value in fields.items():
        setattr(app, field, value)
    app.save()
    factories.confirm_parties(app)
    return services.submit_application(app, app.owner)


def checks(app) -> dict[str, PermitCheck]:
    return {c.entry_id: c for c in app.decisions.get().permit_checks.all()}


def test_two_invented_permit_numbers_never_open_banking_and_explosives():
    """The attack: a bank and an explosives factory for anyone who types two numbers."""
    app = submit(["银行业务", "民用爆炸物品生产"],
                 {BANKING: "银监许字2026第001号", EXPLOSIVES: "MB-2026-9999"})
    assert app.status == Status.IN_REVIEW
    assert getattr(app, "chain", None) is None  # nothing registered, nothing started
    found = checks(app)
    assert {k: (c.answer, c.checked_by) for k, c in found.items()} == {
        BANKING: ("unknown", ""), EXPLOSIVES: ("unknown", "")}
    assert found[BANKING].department == "金融监督管理部门"
    assert found[EXPLOSIVES].permit == "民用爆炸物品生产许可证"
    findings = [f for f in app.decisions.get().findings if f["rule"] == "R-PERMIT-UNVERIFIED"]
    assert {f["permit_number"] for f in findings} == {"银监许字2026第001号", "MB-2026-9999"}
    assert all("查无此证件" in f["basis"] for f in findings)
    assert "银监许字2026第001号" in app.review_comment


def test_a_valid_seeded_permit_is_relied_on_and_recorded():
    app = submit(["保安服务"], {SECURITY: VALID_SECURITY}, name="威海磐石保安服务有限公司")
    assert app.status == Status.ACCEPTED
    check = checks(app)[SECURITY]
    assert (check.number, check.department, check.answer, check.checked_by) == (
        VALID_SECURITY, "公安部门", "valid", "department")
    assert check.asked_at is not None and check.answer_data["valid_to"] == "2036-01-04"
    submitted = AuditEntry.objects.filter(action="application.submitted").latest("id")
    assert submitted.data["decision"]["permits"][0]["checked_by"] == "department"


def test_the_same_number_typed_full_width_is_the_same_permit():
    number = VALID_SECURITY.replace("2026", "２０２６").replace("001", "００１")
    app = submit(["保安服务"], {SECURITY: number}, name="威海磐石保安服务有限公司")
    assert app.status == Status.ACCEPTED


@pytest.mark.parametrize("scope, permits, name, answer", [
    (["保安服务"], {SECURITY: "鲁公保服字〔2020〕007号"}, "威海金盾保安服务有限公司",
     "expired"),
    (["保安服务"], {SECURITY: VALID_SECURITY}, None, "holder_mismatch"),  # another's
    (["保险业务"], {INSURANCE: "B0017H237100001"}, None, "activity_mismatch"),  # a bank's
    (["保安服务"], {SECURITY: "鲁公保服字〔2024〕019号"}, "威海卫安保安服务有限公司",
     "revoked"),
])
def test_a_permit_not_valid_here_goes_to_an_examiner_with_the_answer(scope, permits, name,
                                                                      answer):
    app = submit(scope, permits, name=name)
    assert app.status == Status.IN_REVIEW
    (check,) = checks(app).values()
    assert (check.answer, check.checked_by) == (answer, "")
    (finding,) = app.decisions.get().findings
    assert finding["rule"] == "R-PERMIT-UNVERIFIED"
    assert finding["permit_number"] == next(iter(permits.values()))


def test_the_department_down_sends_the_permit_to_an_examiner(settings):
    settings.SIMULATOR = {**settings.SIMULATOR, "outages": "permits@*"}
    app = submit(["保安服务"], {SECURITY: VALID_SECURITY}, name="威海磐石保安服务有限公司")
    assert app.status == Status.IN_REVIEW
    check = checks(app)[SECURITY]
    assert check.answer == "unreachable" and "down" in check.answer_data["error"]
    assert "暂时无法核验" in app.decisions.get().findings[0]["basis"]


def test_a_pre_registration_permit_held_by_the_legal_representative():
    """出版许可证 issued to the founder before the enterprise existed (holder ID)."""
    app = factories.application(accepted=False)
    # The rep + director becomes 张伟 of the identity population, to whom it was issued.
    app.people.filter(name="张三").update(name="张伟", id_number="371002198603120110",
                                        phone="13906310001")
    app.business_scope = ["软件开发", "图书出版"]
    app.permits = {PUBLISHING: "新出发鲁字第2026018号"}
    app.save()
    factories.confirm_parties(app)
    app = services.submit_application(app, app.owner)
    assert app.status == Status.ACCEPTED and checks(app)[PUBLISHING].checked_by == "department"


def test_an_answer_for_other_particulars_is_not_relied_on():
    """Asked about before an edit, decided after: the answer no longer fits, unchecked."""
    app = factories.application(accepted=False, name="威海磐石保安服务有限公司")
    app.business_scope, app.permits = ["保安服务"], {SECURITY: VALID_SECURITY}
    app.save()
    answers = rules.ask_about_permits(app)
    assert answers[SECURITY].ok
    app.name = "威海另家保安服务有限公司"
    decision = rules.decide_application(app, permit_answers=answers)
    assert decision.outcome == "manual_review"
    assert decision.permits[0]["answer"] == "unchecked"


def test_the_simulator_fails_like_the_other_departments(settings):
    from yilian.departments.base import TransientError

    settings.SIMULATOR = {**settings.SIMULATOR, "failure_rate": 1.0}
    with pytest.raises(TransientError):
        PermitRegisterSimulator().ask({"number": VALID_SECURITY, "department": "公安部门"})
    assert isinstance(queries.get("permits"), PermitRegisterSimulator)


def test_an_examiners_approval_records_who_checked_the_permit():
    app = submit(["银行业务"], {BANKING: "银监许字2026第001号"})
    examiner = get_user_model().objects.create_user("examiner-p", password="pw")
    roles.grant(examiner, roles.EXAMINER)
    review.approve(app, examiner, "原件已核")
    check = checks(app)[BANKING]
    assert (check.checked_by, check.examiner, check.answer) == ("examiner", examiner, "unknown")
    assert check.examined_at is not None
    approved = AuditEntry.objects.filter(action="application.approved").latest("id")
    assert approved.data["permits_checked_by_examiner"] == ["银监许字2026第001号"]


def test_the_review_page_shows_the_permit_and_the_answer(client):
    app = submit(["银行业务"], {BANKING: "银监许字2026第001号"})
    examiner = get_user_model().objects.create_user("examiner-q", password="pw")
    roles.grant(examiner, roles.EXAMINER)
    client.force_login(examiner)
    page = client.get(f"/workbench/applications/{app.pk}/").content.decode()
    assert "R-PERMIT-UNVERIFIED" in page
    assert "银监许字2026第001号" in page and "查无此证件" in page and "金融许可证" in page
    assert 'id="permit-checks"' in page and "未核验" in page
    review.approve(app, examiner)
    page = client.get(f"/workbench/applications/{app.pk}/").content.decode()
    assert "审查员 examiner-q 核对" in page


def test_the_api_shows_how_each_permit_was_checked(client):
    app = submit(["保安服务"], {SECURITY: VALID_SECURITY}, name="威海磐石保安服务有限公司")
    client.force_login(app.owner)
    body = client.get(f"/api/v1/applications/{app.pk}/").json()
    (permit,) = body["decision"]["permits"]
    assert permit["number"] == VALID_SECURITY and permit["checked_by"] == "department"
