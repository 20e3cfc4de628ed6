"""Calling a reference department as Yilian does — every request signed (§2) — for the
operator's command ``yilian department-sim-set`` and the demo's start-up check."""

from __future__ import annotations

import json
from typing import Any

import httpx

from yilian.departments import protocol


def call(base_url: str, code: str, secret: str, method: str, path: str,
         body: dict[str, Any] | None = None, timeout: float = 10.0) -> tuple[int, Any]:
    """One signed request; the status and the decoded answer (``None`` if not JSON)."""
    raw = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    headers = protocol.signed_headers(secret, code, method, path, raw)
    response = httpx.request(method, base_url.rstrip("/") + path, content=raw,
                             headers=headers, timeout=timeout)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def set_faults(code: str, port: int, settings: list[str]) -> int:
    """``yilian department-sim-set CODE --port P key=value…``: change (or, with no
    settings, show) a running reference department's faults."""
    secret = department_secret(code)
    if not secret:
        print(missing_secret(code))
        return 2
    changes = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"{item!r}: settings are key=value / 设置格式为 key=value")
            return 2
        changes[key.strip()] = value.strip()
    method = "PUT" if changes else "GET"
    try:
        status, answer = call(f"http://127.0.0.1:{port}", code, secret, method,
                              "/v1/admin/faults", changes if changes else None)
    except httpx.HTTPError as failure:
        print(f"cannot reach {code} on 127.0.0.1:{port}: {failure}")
        return 1
    if status != 200:
        said = answer if not isinstance(answer, dict) else \
            f"{answer.get('message_en')} / {answer.get('message_zh')}"
        print(f"{code} refused (HTTP {status}): {said}")
        return 1
    for key, value in answer["faults"].items():
        print(f"{key}={value}")
    return 0


def department_secret(code: str) -> str:
    """The secret this department shares with Yilian, read as Yilian reads it
    (``YILIAN_DEPARTMENT_<CODE>_SECRET`` or ``…_FILE``); empty when there is none."""
    from yilian import conf
    from yilian.departments.network import secret_variable

    try:
        return conf.get_secret(secret_variable(code))
    except OSError:
        return ""


def missing_secret(code: str) -> str:
    from yilian.departments.network import secret_variable

    name = secret_variable(code)
    return (f"no secret for {code}: set {name} or {name}_FILE (the secret shared with "
            f"Yilian, docs/department-protocol.md §1) / 未设置部门密钥 {name}")
