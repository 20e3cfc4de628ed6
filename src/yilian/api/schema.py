"""The published OpenAPI schema says every answer an operation can give.

Some answers come from layers no view declares: the request guard (:mod:`yilian.guards`:
400 for NUL, lone surrogates, bad UTF-8 or deep JSON anywhere in a request; 413 for a
body over the limit), authentication and permissions (401, 403) and the URL lookup
(404). :func:`document_common_answers` adds them to every operation, in the API's error
shape, so a client — and Schemathesis in the test suite — can rely on the schema.
"""

from __future__ import annotations

ERRORS = "Errors"
_COMMON = {
    "400": "Invalid input (field errors), or a request the guard refuses: NUL, lone "
           "surrogates or bytes that are not UTF-8 anywhere, JSON nested too deep.",
    "401": "Not signed in, or the bearer token is not valid.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such resource (or not one of yours).",
    "413": "The request body is larger than the limit (YILIAN_MAX_BODY_BYTES).",
}
_ERRORS_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {"errors": {"type": "array", "items": {
        "type": "object",
        "required": ["field", "code", "message_zh", "message_en"],
        "properties": {name: {"type": "string"}
                       for name in ("field", "code", "message_zh", "message_en")},
    }}},
}


# Operations that read their body as raw bytes (a signed license is checked as sent), so
# drf-spectacular cannot tell from a serializer that the body is required.
_BODY_REQUIRED = {("/api/v1/licenses/verify/", "post")}


def document_common_answers(result, generator, request, public):
    """drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS``)."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERRORS] = _ERRORS_SCHEMA
    answer = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERRORS}"}}}
    for path_name, path in result.get("paths", {}).items():
        for method, operation in path.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if (path_name, method) in _BODY_REQUIRED and "requestBody" in operation:
                operation["requestBody"]["required"] = True
            responses = operation.setdefault("responses", {})
            for status, description in _COMMON.items():
                responses.setdefault(status, {"description": description, "content": answer})
    return result
