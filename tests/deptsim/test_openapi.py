"""docs/department-protocol.openapi.yaml says what the reference department serves: the
same paths and methods, and answers of the shapes it describes."""

from pathlib import Path

import jsonschema
import yaml

from tests.deptsim.harness import step_request
from yilian.deptsim.server import ROUTES

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs"
                       / "department-protocol.openapi.yaml").read_text(encoding="utf-8"))
TAX = {"name": "威海一链科技有限公司", "tax_handler": "张伟", "financial_officer": "李娜",
       "invoice_types": [], "monthly_quantity": 0}


def test_the_file_lists_exactly_the_served_routes():
    assert SPEC["openapi"].startswith("3.1")
    described = {(method.upper(), path) for path, item in SPEC["paths"].items()
                 for method in item if method in ("get", "post", "put", "delete", "patch")}
    assert described == {(method, path) for method, path, *_ in ROUTES}
    for path, item in SPEC["paths"].items():
        for operation in item.values():
            assert operation.get("x-yilian-reference-only", False) == path.startswith(
                "/v1/admin/"), path


def _follow(node: dict) -> dict:
    while "$ref" in node:
        target = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def check(path: str, method: str, status: int, body) -> None:
    """``body`` is valid for ``status`` of the operation the file describes."""
    response = _follow(SPEC["paths"][path][method]["responses"][str(status)])
    schema = response["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**SPEC, **schema}).validate(body)


def test_answers_have_the_described_shapes(department):
    tax = department("tax")
    status, body = tax.call("POST", "/v1/requests", step_request("tax", "k1", TAX))
    check("/v1/requests", "post", status, body)
    status, body = tax.call("GET", "/v1/requests/k1")
    check("/v1/requests/{key}", "get", status, body)
    status, body = tax.call("GET", "/v1/requests/nobody")
    check("/v1/requests/{key}", "get", status, body)
    status, body = tax.call("PUT", "/v1/admin/faults", {"async_after": "60"})
    check("/v1/admin/faults", "put", status, body)
    status, body = tax.call("POST", "/v1/requests", step_request("tax", "k2", TAX))
    assert status == 202
    check("/v1/requests", "post", status, body)
    tax.call("PUT", "/v1/admin/faults", {"async_after": "0"})
    status, body = tax.call("POST", "/v1/requests", step_request("tax", "k3", {}))
    assert status == 422
    check("/v1/requests", "post", status, body)
    status, body = tax.call("POST", "/v1/requests", step_request("tax", "k3", TAX))
    assert status == 409
    check("/v1/requests", "post", status, body)
    items = [{"key": k, "payload": p} for k, p in (("k6", TAX), ("k4", TAX), ("k5", {}))]
    status, body = tax.call("POST", "/v2/batches", {"protocol": "yilian-dept/2",
                                                   "items": items})
    assert [r["status"] for r in body["results"]] == ["done", "done", "refused"]
    check("/v2/batches", "post", status, body)
    status, body = tax.call("POST", "/v2/batches", {"protocol": "yilian-dept/2",
                                                   "items": items * 2})
    assert status == 422
    check("/v2/batches", "post", status, body)
    status, body = tax.call("GET", "/v1/effects?limit=1")
    check("/v1/effects", "get", status, body)
    status, body = tax.call("GET", "/v1/health")
    check("/v1/health", "get", status, body)
    status, body = tax.call("GET", "/v1/health", secret="wrong")
    check("/v1/health", "get", status, body)
