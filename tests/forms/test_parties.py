"""Parties (实名确认) derived from the form: who they are, one per person, consistent
rows, and the three ways to confirm."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tests import factories
from tests.forms.conftest import example_data, parse
from yilian.codes import resident_id, uscc
from yilian.departments import identity
from yilian.forms import consent, parties, services
from yilian.forms.models import Party
from yilian.forms.validation import check_application

pytestmark = pytest.mark.django_db


def _names(application) -> dict[str, list[str]]:
    return {p.name: p.roles for p in Party.objects.filter(application=application)}


def test_the_person_signing_for_a_corporate_investor_is_a_party(draft, owner):
    signatory = identity.synthetic(42)
    investors = example_data()["investors"]
    factories.registered(uscc.make("371071", 42), "威海某某投资有限公司")
    investors[1] = {**investors[1], "kind": "corporate", "name": "威海某某投资有限公司",
                    "id_number": "", "phone": "", "uscc": uscc.make("371071", 42),
                    "signatory_name": signatory.name,
                    "signatory_id_number": signatory.id_number,
                    "signatory_phone": signatory.phone}
    services.update_draft(draft, owner, parse({"investors": investors}))
    assert _names(draft)[signatory.name] == ["corporate_signatory"]
    assert _names(draft)["李娜"] == ["supervisor"]
    assert check_application(draft) == []


def test_a_corporate_investor_must_name_its_signatory(draft, owner):
    investors = example_data()["investors"]
    investors[1] = {**investors[1], "kind": "corporate", "id_number": "", "phone": "",
                    "uscc": uscc.make("371071", 42)}
    services.update_draft(draft, owner, parse({"investors": investors}))
    fields = {e["field"] for e in check_application(draft)}
    assert {"investors[1].signatory_name", "investors[1].signatory_id_number",
            "investors[1].signatory_phone"} <= fields


def test_every_person_gives_their_own_phone_and_one_person_one_phone(draft, owner):
    data = example_data()
    data["investors"][0]["phone"] = ""
    data["people"][1]["phone"] = "13906310077"  # 张伟 as director, another number
    services.update_draft(draft, owner, parse({"investors": data["investors"],
                                               "people": data["people"]}))
    errors = {(e["field"], e["code"]) for e in check_application(draft)}
    assert ("investors[0].phone", "investors.phone") in errors
    assert ("people[1].phone", "parties.same_person") in errors


def test_full_width_digits_name_the_same_person_once(draft, owner):
    data = example_data()
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    data["people"][1]["id_number"] = data["people"][1]["id_number"].translate(wide)
    services.update_draft(draft, owner, parse({"people": data["people"]}))
    assert list(_names(draft)).count("张伟") == 1


def test_the_applicant_confirms_as_themselves(draft, owner):
    zhang = Party.objects.get(application=draft, name="张伟")
    with pytest.raises(parties.PartyError):
        consent.confirm_signed_in(zhang, owner)  # not their phone
    himself = get_user_model().objects.create_user(zhang.phone)
    draft.owner = himself
    draft.save()
    consent.confirm_signed_in(Party.objects.get(pk=zhang.pk), himself)
    assert parties.state(Party.objects.get(pk=zhang.pk)) == "confirmed"


def test_a_confirmation_binds_the_form_as_it_stood(draft, owner):
    lina = Party.objects.get(application=draft, name="李娜")
    consent.confirm_in_person(lina, None)
    assert parties.state(Party.objects.get(pk=lina.pk)) == "confirmed"
    employees = example_data()["employees"][:1]
    services.update_draft(draft, owner, parse({"employees": employees}))
    assert parties.state(Party.objects.get(pk=lina.pk)) == "stale"


def test_an_identity_mismatch_at_submission_points_at_the_field(draft, owner):
    data = example_data()
    someone = resident_id.make("371002", dt.date(1970, 1, 1), 9)
    data["people"][2] = {**data["people"][2], "id_number": someone}  # 王强, wrong number
    services.update_draft(draft, owner, parse({"people": data["people"]}))
    for party in Party.objects.filter(application=draft):
        consent._confirm(party, None, "code")
    with pytest.raises(services.InvalidApplication) as refused:
        services.submit_application(draft, owner)
    [error] = refused.value.errors
    assert error["field"] == "people[2].id_number" and "王强" in error["message_zh"]
