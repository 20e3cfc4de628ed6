"""Issue 12 on the form's pages: the kind is the first question, in words; the fields
follow the kind (capital term, composition, parent company, members' columns, offices);
the new checks' errors land on the right step and field; the counter uses the same
pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from yilian.codes import uscc
from yilian.forms import services
from yilian.forms.models import Application, Investor, Person
from yilian.portal import kinds as kind_pages
from yilian.refdata import kinds
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db
PLACE = {"division-province": "370000", "division-city": "371000",
         "division-county": "371071", "division-street": "371071004", "domicile": "火炬路1号"}


@pytest.fixture
def opened(settings):
    """Kinds opened ahead of the catalogue (YILIAN_KINDS_OPEN), as the browser tests do."""
    settings.KINDS_OPEN = frozenset({"individual_business", "partnership_general",
                                     "partnership_limited", "branch", "cooperative"})


def _step(application, slug: str, **query) -> str:
    url = reverse("portal:step", kwargs={"pk": application.pk, "step": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _page(response) -> str:
    return response.content.decode()


def _new(signed_in, applicant) -> Application:
    signed_in.post(reverse("portal:new"))
    return Application.objects.get(owner=applicant)


def _radio(page: str, code: str) -> str:
    return re.search(rf'<input type="radio" name="org_form" value="{code}"[^>]*>', page).group(0)


def test_every_kind_is_offered_once_in_words_the_common_first():
    codes = [code for _title, choices in kind_pages.GROUPS for code, _l, _e in choices]
    assert sorted(codes) == sorted(kinds.all_kinds()) and len(codes) == len(set(codes))
    assert codes[0] == "individual_business"  # most of what a zone registers


def test_the_kind_is_the_first_question_and_a_closed_kind_says_where_to_go(signed_in,
                                                                           applicant,
                                                                           close_kind):
    close_kind("partnership_general")
    close_kind("cooperative")
    page = _page(signed_in.get(_step(_new(signed_in, applicant), "enterprise")))
    question = page.index('id="org_form"')
    assert question < page.index('id="name"')  # before anything else is asked
    assert "开一家店或摊位（个体工商户）" in page and "和朋友合伙做生意（普通合伙企业）" in page
    assert page.index("individual_business") < page.index("llc_multi") < page.index("branch")
    # A kind closed online (here: by the fixture) is shown, not pickable, and the page
    # says where it is handled (submission refuses it alike).
    assert "disabled" in _radio(page, "partnership_general")
    assert "disabled" not in _radio(page, "llc_multi")
    assert page.count(str(kind_pages.CLOSED_NOTE)) == sum(
        not kinds.is_open(k) for k in kinds.all_kinds().values())
    # A draft that already holds one (made through the API) keeps it, and is told.
    made = services.create_draft(applicant, {"org_form": "cooperative"})
    page = _page(signed_in.get(_step(made, "enterprise")))
    assert "disabled" not in _radio(page, "cooperative") and 'id="kind-closed"' in page


def test_without_a_script_the_button_under_the_kinds_shows_the_kinds_fields(
        signed_in, applicant, opened):
    application = _new(signed_in, applicant)
    answer = signed_in.post(_step(application, "enterprise"), {
        "org_form": "branch", **PLACE, "refresh": "kind"})
    assert answer.status_code == 302 and answer["Location"] == _step(application,
                                                                     "enterprise")
    assert 'id="parent_uscc"' in _page(signed_in.get(answer["Location"]))


def test_the_fields_follow_the_kind_picked_without_saving_it(signed_in, applicant, opened):
    application = _new(signed_in, applicant)
    individual = _page(signed_in.get(_step(application, "enterprise",
                                           org_form="individual_business")))
    assert "资金数额（万元）" in individual and 'name="composition"' in individual
    assert 'id="operating_term_years"' not in individual  # its license shows no term
    assert "个体工商户名称（选填）" in individual and 'id="parent_uscc"' not in individual
    branch = _page(signed_in.get(_step(application, "enterprise", org_form="branch")))
    assert 'id="parent_uscc"' in branch and 'id="registered_capital"' not in branch
    partnership = _page(signed_in.get(_step(application, "enterprise",
                                            org_form="partnership_general")))
    assert "出资额（万元）" in partnership and 'name="composition"' not in partnership
    application.refresh_from_db()
    assert application.org_form == ""  # a preview: the autosave (or a button) saves


def test_an_individual_business_is_saved_with_its_composition_and_funds(signed_in,
                                                                       applicant, opened):
    application = _new(signed_in, applicant)
    answer = signed_in.post(_step(application, "enterprise"), {
        "org_form": "individual_business", "composition": "family", "name": "",
        "registered_capital": "3", "operating_term_years": "5", **PLACE, "go": "next"})
    assert answer.status_code == 302
    application.refresh_from_db()
    assert (application.composition, str(application.registered_capital)) == \
        ("family", "30000.00")
    assert application.operating_term_years is None  # not a field of this kind
    # Another kind picked later: what only the individual business had goes with it.
    signed_in.post(_step(application, "enterprise"), {
        "org_form": "llc_multi", "composition": "family", "name": "", **PLACE,
        "go": "save"})
    application.refresh_from_db()
    assert application.composition == ""


def test_a_branch_names_its_company_found_in_the_register(signed_in, applicant, opened):
    code = uscc.make("371071", 5150)
    Enterprise.objects.create(uscc=code, name="威海一链母体科技有限公司", org_form="llc_multi",
                              division_code="371071", established=timezone.localdate())
    found = _page(signed_in.get(reverse("portal:check-parent"), {"parent_uscc": code}))
    assert "威海一链母体科技有限公司" in found and 'data-invalid="false"' in found
    missing = _page(signed_in.get(reverse("portal:check-parent"),
                                  {"parent_uscc": uscc.make("371071", 5151)}))
    assert "登记簿中没有" in missing and 'data-invalid="true"' in missing
    application = _new(signed_in, applicant)
    signed_in.post(_step(application, "enterprise"), {
        "org_form": "branch", "parent_uscc": code.lower(), "registered_capital": "10",
        "name": "威海一链母体科技有限公司火炬分公司", **PLACE, "go": "save"})
    application.refresh_from_db()
    assert application.parent_uscc == code and application.registered_capital is None
    page = _page(signed_in.get(_step(application, "enterprise")))
    assert '<strong id="parent-name">威海一链母体科技有限公司</strong>' in page  # no script
    investors = _page(signed_in.get(_step(application, "investors")))
    assert 'id="no-members"' in investors and 'id="investors-0-name"' not in investors


def _partnership(applicant, org_form="partnership_limited") -> Application:
    return services.create_draft(applicant, {"org_form": org_form, "division_code": "371071"})


def test_partners_give_liability_management_and_labour_only_as_general_partners(
        signed_in, applicant, opened):
    application = _partnership(applicant)
    page = _page(signed_in.get(_step(application, "investors")))
    assert 'id="investors-0-liability"' in page and 'id="investors-0-managing"' in page
    assert 'id="investors-0-representative_name"' in page and "合伙人 1" in page
    assert '<option value="劳务"' in page and 'id="investors-0-farmer"' not in page
    general, limited = factories.resident("普通合伙人"), factories.resident("有限合伙人")
    row = {"kind": "natural", "amount": "10", "contribution_date": "2030-12-31"}
    post = {"go": "next"}
    for i, (person, liability, method) in enumerate(
            ((general, "unlimited", "劳务"), (limited, "limited", "劳务"))):
        post.update({f"investors-{i}-{k}": v for k, v in {
            **row, "name": person.name, "id_number": person.id_number, "phone": person.phone,
            "liability": liability, "contribution_method": method}.items()})
    post["investors-0-managing"] = "1"
    answer = signed_in.post(_step(application, "investors"), post)
    assert answer.status_code == 302
    saved = list(Investor.objects.filter(application=application).order_by("position"))
    assert [(i.liability, i.managing) for i in saved] == [("unlimited", True),
                                                          ("limited", False)]
    # Art. 64 beside the limited partner's method, on this step; the general partner's
    # labour is allowed.
    page = _page(signed_in.get(answer["Location"]))
    assert "check=1" in answer["Location"]
    error = re.search(r'id="investors-1-contribution_method-error"[^>]*>([^<]*)<', page)
    assert "劳务" in error.group(1)
    assert re.search(r'id="investors-0-contribution_method-error"[^>]*></span>', page)
    # Unticking "managing" is saved as false (an unticked box sends nothing).
    post.pop("investors-0-managing")
    signed_in.post(_step(application, "investors"), post)
    assert not Investor.objects.get(application=application, position=0).managing


def test_an_individual_business_has_one_operator_and_no_contribution(signed_in, applicant,
                                                                    opened):
    application = services.create_draft(applicant, {"org_form": "individual_business",
                                                     "composition": "individual"})
    page = _page(signed_in.get(_step(application, "investors")))
    assert "经营者 1" in page and 'id="investors-0-amount"' not in page
    assert 'id="investors-0-kind"' not in page and 'id="investors-0-uscc"' not in page
    assert 'value="investors"' not in page  # no second operator to add
    cooperative = _page(signed_in.get(_step(services.create_draft(
        applicant, {"org_form": "cooperative"}), "investors")))
    assert 'id="investors-0-farmer"' in cooperative and "成员 1" in cooperative


def test_family_members_are_asked_of_a_family_run_business_only(signed_in, applicant,
                                                                opened):
    operator = factories.resident("经营者")
    application = services.create_draft(applicant, {
        "org_form": "individual_business", "composition": "individual",
        "investors": [{"kind": "natural", "name": operator.name,
                       "id_number": operator.id_number, "phone": operator.phone}]})
    page = _page(signed_in.get(_step(application, "people")))
    assert 'id="people-family_member"' not in page and 'id="people-contact"' in page
    assert 'id="people-legal_representative"' not in page
    application.composition = "family"
    application.save()
    page = _page(signed_in.get(_step(application, "people", check=1)))
    assert 'id="people-family_member"' in page
    # The check's error (people.family_member.required) is beside its question.
    error = re.search(r'id="people-family_member-error"[^>]*>([^<]*)<', page).group(1)
    assert "家庭成员" in error
    relative = factories.resident("家庭成员")
    signed_in.post(_step(application, "people"), {
        "pick-family_member": "new", "people-0-role": "family_member",
        "people-0-name": relative.name, "people-0-id_number": relative.id_number,
        "people-0-phone": relative.phone, "pick-contact": operator.id_number, "go": "save"})
    assert set(Person.objects.filter(application=application).values_list("role", flat=True)) \
        == {"family_member", "contact"}


def test_the_review_links_a_kind_error_to_its_step_and_field(signed_in, applicant, opened):
    application = services.create_draft(applicant, {"org_form": "individual_business"})
    page = _page(signed_in.get(_step(application, "review")))
    assert _step(application, "enterprise", check=1) + "#composition" in page
    enterprise = _page(signed_in.get(_step(application, "enterprise", check=1)))
    error = re.search(r'id="composition-error"[^>]*>([^<]*)<', enterprise).group(1)
    assert "组成形式" in error


def test_the_counter_fills_the_same_pages(client, applicant, django_user_model, opened):
    from yilian.accounts import roles
    from yilian.forms import counter

    clerk = django_user_model.objects.create_user("clerk-kinds", password="pw-clerk-1")
    roles.grant(clerk, roles.CLERK)
    client.force_login(clerk)
    application = counter.start(clerk, applicant, {"division_code": "371071"})
    url = reverse("workbench:counter-step", kwargs={"pk": application.pk,
                                                     "step": "enterprise"})
    page = _page(client.get(url + "?org_form=individual_business"))
    assert 'id="org_form"' in page and 'name="composition"' in page
    assert "资金数额（万元）" in page


def test_an_individual_business_may_go_without_a_name(signed_in, applicant, opened):
    application = services.create_draft(applicant, {
        "org_form": "individual_business", "composition": "individual",
        "division_code": "371071", "name": ""})
    page = _page(signed_in.get(_step(application, "review")))
    assert "#name" not in page  # nothing to fix about the name


def test_a_company_is_asked_for_an_audit_committee_and_the_tick_is_saved(signed_in,
                                                                         applicant):
    application = _new(signed_in, applicant)
    services.update_draft(application, applicant, {"org_form": "joint_stock"})
    page = _page(signed_in.get(_step(application, "people")))
    assert 'name="audit_committee"' in page and "监事会还是审计委员会？" in page
    answer = signed_in.post(_step(application, "people"),
                            {"audit_committee": "on", "go": "save"})
    assert answer.status_code == 302
    application.refresh_from_db()
    assert application.audit_committee is True
    signed_in.post(_step(application, "people"), {"go": "save"})  # unticked: not sent
    application.refresh_from_db()
    assert application.audit_committee is False


def test_other_kinds_are_not_asked_for_an_audit_committee(signed_in, applicant):
    application = _new(signed_in, applicant)
    services.update_draft(application, applicant, {"org_form": "individual_business"})
    assert 'name="audit_committee"' not in _page(signed_in.get(_step(application, "people")))


def test_a_joint_stock_companys_promoters_are_asked_their_shares(signed_in, applicant):
    from django.http import QueryDict

    from yilian.portal import steps

    application = _new(signed_in, applicant)
    services.update_draft(application, applicant, {"org_form": "joint_stock"})
    page = _page(signed_in.get(_step(application, "investors")))
    assert "认购股份数（股）" in page and 'name="investors-0-shares"' in page
    data, errors = steps.read("investors", QueryDict(
        "investors-0-name=张伟&investors-0-shares=1000000"), {"org_form": "joint_stock"})
    assert data["investors"][0]["shares"] == "1000000" and not errors
    services.update_draft(application, applicant, {"org_form": "llc_multi"})
    assert "认购股份数（股）" not in _page(signed_in.get(_step(application, "investors")))
