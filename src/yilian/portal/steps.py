"""The one form (一表填报) in steps (分步填报), for a phone.

Each :class:`Step` names the parts of the one-form JSON its page edits. A page's POST is
turned back into that JSON (:func:`parse`) and handed to the API's serializer, so the
portal and the API parse the form one way; the services save it. Field ids follow the
JSON paths (``investors[1].amount`` ↔ ``investors-1-amount``), so the field errors of the
serializer and of the submission checks land beside their inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from yilian import labels
from yilian.forms import amounts, industry, places
from yilian.forms.models import ROW_FIELDS, Role
from yilian.refdata import scope as scope_catalogue


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple[str, ...]  # top-level one-form keys this page edits

    def owns(self, path: str) -> bool:
        """Does the error at ``path`` (``investors[0].amount``) belong on this page?"""
        return any(path == f or path.startswith((f + "[", f + ".")) for f in self.fields)


STEPS: tuple[Step, ...] = (
    Step("enterprise", _("企业信息"), ("org_form", "name", "composition", "parent_uscc",
                                      "registered_capital", "domicile", "division_code",
                                      "operating_term_years")),
    Step("scope", _("经营范围"), ("business_scope", "industry_code", "permits", "pledges")),
    Step("investors", _("出资人"), ("investors",)),
    Step("people", _("人员"), ("people", "audit_committee")),
    Step("employees", _("参保职工"), ("employees",)),
    Step("choices", _("印章发票银行"), ("seals", "invoices", "bank_appointment")),
    Step("parties", _("当事人确认"), ("parties",)),
    Step("review", _("核对提交"), ()),
)
BY_SLUG = {step.slug: step for step in STEPS}
# Pages whose POST is a part of the one form (parties and review have their own).
FORM_STEPS = ("enterprise", "scope", "investors", "people", "employees", "choices")

# Typed fields for which an empty input means "not given" (null), not "".
NULLABLE = {"registered_capital", "operating_term_years", "amount", "contribution_date", "shares",
            "monthly_wage", "start_date", "monthly_quantity", "date"}
# Amounts typed as people write them (:mod:`yilian.forms.amounts`): in 万元 where people
# think in 万元 (capital, contributions), in 元 for a monthly wage.
MONEY_UNITS = {"registered_capital": "wan", "amount": "wan", "monthly_wage": "yuan"}
# Fields a row may hold without the applicant having typed anything in it.
_DEFAULTED = {"kind", "role", "contribution_method", "liability", "managing", "farmer"}
# Check boxes: a ticked one is sent, an unticked one is not sent at all; a JSON boolean
# either way (the API takes nothing else).
FLAGS = {"managing", "farmer"}
ROLE_ORDER = [role.value for role in Role]
_ROW = re.compile(r"^(?P<table>[a-z_]+)-(?P<index>\d+)-(?P<field>[a-z_]+)$")
_INDEX = re.compile(r"\[(\d+)\]")


def neighbours(slug: str) -> tuple[Step | None, Step | None]:
    i = [s.slug for s in STEPS].index(slug)
    return (STEPS[i - 1] if i else None, STEPS[i + 1] if i + 1 < len(STEPS) else None)


def field_id(path: str) -> str:
    """``investors[1].amount`` → ``investors-1-amount`` (the input's id and name)."""
    return _INDEX.sub(r"-\1", path).replace(".", "-")


def _value(name: str, raw: str | None):
    raw = (raw or "").strip()
    return None if name in NULLABLE and not raw else raw


def indexed_rows(post: QueryDict, table: str) -> list[tuple[int, dict]]:
    """(index, row) of the table's ``table-<i>-<field>`` inputs, in index order."""
    found: dict[int, dict] = {}
    for key in post:
        match = _ROW.match(key)
        if match and match["table"] == table and match["field"] in ROW_FIELDS[table]:
            row = found.setdefault(int(match["index"]), {})
            row[match["field"]] = _value(match["field"], post.get(key))
    for row in found.values():
        for flag in FLAGS & set(ROW_FIELDS[table]):
            row[flag] = bool(row.get(flag))
    return sorted(found.items())


def rows(post: QueryDict, table: str, drop: int | None = None) -> list[dict]:
    """The table's rows, in index order; rows left wholly blank, and row ``drop`` (its
    remove button), are left out."""
    out = []
    for index, row in indexed_rows(post, table):
        typed = [v for k, v in row.items() if k not in _DEFAULTED and v not in (None, "")]
        if index != drop and typed:
            out.append(row)
    return out


class Typed(str):
    """An input kept as typed because it could not be read (shown back as is)."""


def parse(slug: str, post: QueryDict, current: dict | None = None) -> dict:
    """The one-form JSON for the step's fields, as the API would receive it."""
    return read(slug, post, current)[0]


def read(slug: str, post: QueryDict, current: dict | None = None) -> tuple[dict, list[dict]]:
    """The step's one-form JSON, and the field errors of what could not be read (an
    amount such as "一百万"): those inputs are kept as :class:`Typed`. ``current`` is the
    form as saved (the JSON the page was rendered from): the people step picks people
    from it, and the investors step carries an investor's corrections to the offices
    they hold."""
    current = current or {}
    if slug == "enterprise":
        data = _parse_enterprise(post)
    elif slug == "scope":
        data = _parse_scope(post)
    elif slug in ("people", "investors"):
        from yilian.portal import people

        data = people.parse(post, current) if slug == "people" else \
            people.parse_investors(post, current)
    elif slug in ROW_FIELDS:
        data = {slug: rows(post, slug, row_index(post.get("remove"), slug))}
    elif slug == "choices":
        data = _parse_choices(post)
    else:
        raise KeyError(slug)
    return data, _read_amounts(data)


def _read_amounts(data: dict) -> list[dict]:
    """Amounts in the data, typed as people write them, turned into exact 元 strings."""
    errors: list[dict] = []

    def convert(holder: dict, key: str, path: str) -> None:
        raw = holder.get(key)
        if isinstance(raw, str) and raw:
            try:
                holder[key] = str(amounts.parse_amount(raw, MONEY_UNITS[key]))
            except amounts.AmountError as exc:
                holder[key] = Typed(raw)
                errors.append(exc.as_error(path))

    if "registered_capital" in data:
        convert(data, "registered_capital", "registered_capital")
    for table in ("investors", "employees"):
        for i, row in enumerate(data.get(table) or []):
            for key in MONEY_UNITS:
                if key in row:
                    convert(row, key, f"{table}[{i}].{key}")
    return errors


def _parse_enterprise(post: QueryDict) -> dict:
    """The enterprise's fields; the division code and the domicile from the picker and
    the typed address (:mod:`yilian.forms.places`), never typed."""
    from yilian.portal import kinds as kind_pages
    from yilian.portal import pickers

    data = {f: _value(f, post.get(f)) for f in ("name", "org_form", "composition",
                                                 "parent_uscc", "registered_capital",
                                                 "operating_term_years")}
    place = pickers.from_post(post)
    data["division_code"] = place.code
    data["domicile"] = places.domicile(place.code, place.street,
                                       post.get("domicile", "").strip())
    return kind_pages.enterprise_fields(data)


def row_index(value: str | None, table: str) -> int | None:
    """The row a ``remove`` button names (``people-3`` → 3), or None."""
    prefix = f"{table}-"
    if value and value.startswith(prefix) and value[len(prefix):].isdigit():
        return int(value[len(prefix):])
    return None


def _parse_scope(post: QueryDict) -> dict:
    chosen = [t.strip() for t in post.getlist("business_scope") if t.strip()]
    drop = post.get("remove")
    if drop and drop.isdigit() and int(drop) < len(chosen):
        del chosen[int(drop)]
    added = (post.get("add_scope") or "").strip()
    if added and added not in chosen:
        chosen.append(added)
    # Permits and pledges of the licensed entries still chosen (a removed line drops its).
    kept = {entry.id for entry in map(scope_catalogue.by_text, chosen) if entry}
    ids = set(post.getlist("scope_id")) & kept
    permits = {i: post.get(f"permit-{i}", "").strip() for i in sorted(ids)}
    return {"business_scope": chosen, "industry_code": _industry(post, chosen),
            "permits": {i: number for i, number in permits.items() if number},
            "pledges": [i for i in post.getlist("pledges") if i in ids]}


def _industry(post: QueryDict, chosen: list[str]) -> str:
    """行业: picked in words (``pick_industry``), kept, or — while it follows the scope
    (``industry_auto``) or is not set — the main (first) scope entry's class."""
    picked = (post.get("pick_industry") or "").strip()
    if picked and picked != "auto" and industry.choice(picked):
        return picked
    kept = (post.get("industry_code") or "").strip()
    if picked == "auto" or post.get("industry_auto") or not kept:
        return industry.main_class(chosen) or kept
    return kept


def _parse_choices(post: QueryDict) -> dict:
    bank = None
    if post.get("bank_wanted"):
        bank = {f: _value(f, post.get(f"bank_appointment-{f}"))
                for f in ("bank", "branch", "date")}
        picked = post.get("bank_appointment-choice") or ""
        if "|" in picked:  # the list's picker: "bank|branch"
            bank["bank"], bank["branch"] = picked.split("|", 1)
    return {
        "seals": post.getlist("seals"),
        "invoices": {"types": post.getlist("invoices-types"),
                     "monthly_quantity": _value("monthly_quantity",
                                                post.get("invoices-monthly_quantity"))},
        "bank_appointment": bank,
    }


def errors_by_id(errors: Iterable[dict], language: str) -> dict[str, str]:
    """Field errors keyed by input id, in the page's language; the first error of a
    field wins (one message beside one input)."""
    out: dict[str, str] = {}
    for error in errors:
        out.setdefault(field_id(error["field"]), message(error, language))
    return out


def message(error: dict, language: str) -> str:
    """A field error in the page's language (:func:`yilian.labels.bilingual`)."""
    return labels.bilingual(error["message_zh"], error["message_en"], language)
