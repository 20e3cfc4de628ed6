"""The counter's one-form page (一表填报, desktop layout) to and from the one-form JSON.

The page posts flat fields (the enterprise, the choices) and three JSON boxes (investors,
people, employees); :func:`to_data` puts them back in the one-form JSON shape and the
API's :class:`~yilian.api.applications.ApplicationSerializer` parses it, so the counter
and the API accept exactly the same input and report the same field paths.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import QueryDict
from django.utils.translation import get_language

from yilian import labels
from yilian.api.applications import ApplicationSerializer
from yilian.api.errors import flatten as flatten_errors
from yilian.forms.models import Application, InvoiceType, OrgForm, Seal

SCALARS = ("name", "org_form", "registered_capital", "domicile", "division_code",
           "industry_code", "operating_term_years")
PARTIES = ("investors", "people", "employees")
def choice_lists() -> dict[str, list[tuple[str, str]]]:
    """The counter form's options, labelled in the page's language."""
    return {"ORG_FORMS": list(labels.choices(OrgForm).items()),
            "SEALS": list(labels.choices(Seal).items()),
            "INVOICE_TYPES": list(labels.choices(InvoiceType).items())}


class BadInput(Exception):
    """The posted form did not parse; ``errors`` are field errors like the API's."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _json_box(post: QueryDict, key: str, errors: list[dict]) -> Any:
    text = post.get(key, "").strip()
    if not text:
        return []
    try:
        return json.loads(text)
    except ValueError as exc:
        errors.append({"field": key, "code": "json", "message_zh": f"JSON 格式错误：{exc}",
                       "message_en": f"not valid JSON: {exc}"})
        return None


def to_data(post: QueryDict) -> tuple[dict[str, Any], list[dict]]:
    """The posted page as one-form JSON (not yet parsed), and the JSON boxes that did not
    parse (left out of the data)."""
    errors: list[dict] = []
    data: dict[str, Any] = {}
    for key in SCALARS:
        value = post.get(key, "").strip()
        data[key] = value or None if key in ("registered_capital", "operating_term_years") \
            else value
    data["business_scope"] = [line.strip() for line in post.get("business_scope", "")
                              .splitlines() if line.strip()]
    data["seals"] = post.getlist("seals")
    quantity = post.get("monthly_quantity", "").strip()
    data["invoices"] = {"types": post.getlist("invoice_types"),
                        "monthly_quantity": quantity or None}
    bank = {k: post.get(f"bank_{k}", "").strip() for k in ("bank", "branch", "date")}
    data["bank_appointment"] = ({**bank, "date": bank["date"] or None}
                                if any(bank.values()) else None)
    data["pledges"] = [p.strip() for p in post.get("pledges", "").replace("，", ",")
                       .split(",") if p.strip()]
    permits = {}
    for line in post.get("permits", "").splitlines():
        entry, _, number = line.partition("=")
        if entry.strip():
            permits[entry.strip()] = number.strip()
    data["permits"] = permits
    for key in PARTIES:
        value = _json_box(post, key, errors)
        if value is not None:
            data[key] = value
    return data, errors


def parse(post: QueryDict) -> dict[str, Any]:
    """Typed input for :mod:`yilian.forms.services`; raises :class:`BadInput`."""
    data, errors = to_data(post)
    serializer = ApplicationSerializer(data=data)
    if not serializer.is_valid():
        errors += flatten_errors(serializer.errors)
    if errors:
        raise BadInput(errors)
    return serializer.validated_data


def initial(application: Application | None) -> dict[str, Any]:
    """What the page shows: a saved application's values, as the API would show them."""
    if application is None:
        return {"seals": list(Seal.values), "investors": "[]", "people": "[]",
                "employees": "[]", "business_scope": "", "invoices": {}, "bank": {},
                "permits": "", "pledges": ""}
    data = dict(ApplicationSerializer(application).data)
    for key in PARTIES:
        data[key] = json.dumps(data[key], ensure_ascii=False, indent=1)
    data["business_scope"] = "\n".join(data.get("business_scope") or [])
    data["bank"] = data.get("bank_appointment") or {}
    data["permits"] = "\n".join(f"{k}={v}" for k, v in (data.get("permits") or {}).items())
    data["pledges"] = ", ".join(data.get("pledges") or [])
    return data


def redisplay(post: QueryDict) -> dict[str, Any]:
    """The posted values, shaped like :func:`initial`, to show again beside errors."""
    values: dict[str, Any] = {k: post.get(k, "") for k in
                              (*SCALARS, *PARTIES, "business_scope", "permits", "pledges")}
    values["seals"] = post.getlist("seals")
    values["invoices"] = {"types": post.getlist("invoice_types"),
                          "monthly_quantity": post.get("monthly_quantity", "")}
    values["bank"] = {k: post.get(f"bank_{k}", "") for k in ("bank", "branch", "date")}
    return values


def messages_by_field(errors: list[dict]) -> dict[str, list[str]]:
    """Error messages in the page's language, keyed by top-level field (``investors``
    for ``investors[0].id_number``), each message keeping its full path."""
    english = get_language() == "en"
    out: dict[str, list[str]] = {}
    for error in errors:
        path = error.get("field", "")
        top = path.split("[")[0].split(".")[0] or "form"
        text = error["message_en"] if english else error["message_zh"]
        out.setdefault(top, []).append(f"{path}：{text}" if path != top else text)
    return out
