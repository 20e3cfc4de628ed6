"""The reference departments act on a change (变更, issue 13) as real processes over
HTTP: ``purpose`` and ``changes`` in the payload (docs/department-protocol.md) — seals
engrave what the change replaces and retire the old, tax puts the new name on invoices,
the others update their record; a change with nothing of theirs in it is refused."""

from __future__ import annotations

from tests.deptsim.harness import step_request

OLD, NEW = "威海一链科技有限公司", "威海一链信息技术有限公司"
SEALS = ["official", "financial", "invoice", "legal_rep"]


def _change(payload: dict, changes: dict) -> dict:
    return {**payload, "purpose": "change", "changes": changes}


def test_a_new_name_gets_a_new_set_of_seals_and_the_old_set_is_retired(department):
    seals = department("seals", async_after="0")
    body = step_request("seals", "c1", _change({"name": NEW, "seals": SEALS},
                                               {"name": [OLD, NEW]}))
    status, answer = seals.call("POST", "/v1/requests", body)
    assert (status, answer["status"]) == (200, "done"), answer
    data = answer["data"]
    assert [s["kind"] for s in data["seals"]] == SEALS
    assert [(r["kind"], r["bearing"]) for r in data["retired"]] == [(k, OLD) for k in SEALS]
    # Asked again with the same key: the same answer, nothing engraved twice.
    assert seals.call("POST", "/v1/requests", body)[1]["reference"] == answer["reference"]
    assert seals.call("GET", "/v1/effects")[1]["effects"][0]["calls"] == 2


def test_a_new_legal_representative_gets_a_new_name_seal_only(department):
    seals = department("seals", async_after="0")
    body = step_request("seals", "c2", _change(
        {"name": OLD, "seals": SEALS},
        {"people.legal_representative": [[{"name": "张伟"}], [{"name": "王新"}]]}))
    status, answer = seals.call("POST", "/v1/requests", body)
    assert status == 200, answer
    assert [s["kind"] for s in answer["data"]["seals"]] == ["legal_rep"]
    assert [r["kind"] for r in answer["data"]["retired"]] == ["legal_rep"]


def test_tax_puts_the_new_name_on_invoices(department):
    tax = department("tax")
    payload = {"name": NEW, "tax_handler": "张伟", "financial_officer": "李娜",
               "invoice_types": ["数电普票"], "monthly_quantity": 25}
    status, answer = tax.call("POST", "/v1/requests", step_request(
        "tax", "c3", _change(payload, {"name": [OLD, NEW]})))
    assert status == 200, answer
    assert answer["data"]["invoice_title"] == NEW
    assert answer["data"]["updated"] == ["name"]
    assert answer["data"]["taxpayer_id"] == step_request("tax", "c3", {})["uscc"]


def test_social_security_updates_its_record_and_refuses_an_empty_change(department):
    social = department("social_security")
    payload = {"name": OLD, "employees": []}
    status, answer = social.call("POST", "/v1/requests", step_request(
        "social_security", "c4", _change(payload, {"domicile": ["旧址", "新址"]})))
    assert status == 200 and answer["data"]["updated"] == ["domicile"], answer
    assert answer["reference"].startswith("BG")
    status, answer = social.call("POST", "/v1/requests", step_request(
        "social_security", "c5", _change(payload, {})))
    assert status == 422 and answer["reason"]["code"] == "bad_payload"
