"""The API carries what each kind of market entity adds to the one form (issue 12:
partners' liability and management, a cooperative's farmers, a branch's parent, an
individual business's composition), and refuses, with a reason, a kind not open yet."""

from __future__ import annotations

from tests.api.test_applications import URL, _detail, _fields


def test_a_limited_partnerships_particulars_round_trip_and_its_kind_is_not_open_yet(
        api_client, example, close_kind):
    close_kind("partnership_limited")  # as a zone that handles them at the window
    example["org_form"] = "partnership_limited"
    example["name"] = "威海一链投资合伙企业（有限合伙）"
    example["investors"][0].update(liability="unlimited", managing=True)
    example["investors"][1].update(liability="limited", managing=False)
    created = api_client.post(URL, example, format="json")
    assert created.status_code == 201, created.content
    got = api_client.get(_detail(created.json())).json()
    assert [(i["liability"], i["managing"]) for i in got["investors"]] == [
        ("unlimited", True), ("limited", False)]
    answer = api_client.post(f"{_detail(got)}submit/")
    assert answer.status_code == 400
    assert ("org_form", "org_form.not_available") in _fields(answer)


def test_a_branch_and_an_individual_business_keep_their_own_fields(api_client):
    branch = api_client.post(URL, {"org_form": "branch", "parent_uscc": "91371071ma3cdq7x2m"},
                             format="json").json()
    assert branch["parent_uscc"] == "91371071MA3CDQ7X2M"  # codes are folded upper
    shop = api_client.post(URL, {"org_form": "individual_business", "composition": "family"},
                           format="json").json()
    assert shop["composition"] == "family"


def test_flags_are_json_booleans_and_choices_are_checked(api_client, example):
    example["investors"][0]["farmer"] = 1
    answer = api_client.post(URL, example, format="json")
    assert answer.status_code == 400
    assert "investors[0].farmer" in {f for f, _ in _fields(answer)}
    bad = api_client.post(URL, {"composition": "commune"}, format="json")
    assert bad.status_code == 400 and "composition" in {f for f, _ in _fields(bad)}


def test_a_companys_audit_committee_is_a_json_boolean(api_client, example):
    example["audit_committee"] = True
    created = api_client.post(URL, example, format="json")
    assert created.status_code == 201, created.content
    assert api_client.get(_detail(created.json())).json()["audit_committee"] is True
    example["audit_committee"] = "yes"
    assert api_client.post(URL, example, format="json").status_code == 400
