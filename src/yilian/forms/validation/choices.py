"""The choices of the one form: seals (印章), invoices (发票), the bank appointment
(银行开户预约), and the permits (许可证件) and pledges (告知承诺) given for business-scope
entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import TextChoices

from yilian.forms.models import InvoiceType, Seal
from yilian.forms.validation._common import Errors, check_required, field_code
from yilian.refdata import local

MAX_MONTHLY_INVOICES = 10_000


def check_seals(errors: Errors, seals: Any) -> None:
    """An empty list means the free set of four (applied at submission)."""
    if not isinstance(seals, list):
        errors.add("seals", "seals.type", "印章应为列表", "seals must be a list")
    else:
        _check_members(errors, "seals", seals, Seal, "印章种类", "a seal")


def check_invoices(errors: Errors, invoices: Any) -> None:
    if not isinstance(invoices, dict):
        errors.add("invoices", "invoices.type", "发票申领信息格式不正确",
                   "invoices must be an object")
        return
    types = invoices.get("types") or []
    types = types if isinstance(types, list) else [types]
    _check_members(errors, "invoices.types", types, InvoiceType, "发票种类", "an invoice type")
    quantity = invoices.get("monthly_quantity")
    if quantity is None:
        if types:
            errors.add("invoices.monthly_quantity", "invoices.monthly_quantity.required",
                       "申领发票时请填写每月用量", "give the monthly quantity of invoices")
    elif (isinstance(quantity, bool) or not isinstance(quantity, int)
          or not 0 <= quantity <= MAX_MONTHLY_INVOICES):
        errors.add("invoices.monthly_quantity", "invoices.monthly_quantity.range",
                   f"每月发票用量应为0至{MAX_MONTHLY_INVOICES}份",
                   f"the monthly quantity must be 0 to {MAX_MONTHLY_INVOICES}")


def check_bank(errors: Errors, bank: Any, today: dt.date, division_code: str = "") -> None:
    """银行开户预约 — optional; when given, complete, not in the past, and — where the
    division has a list of banks (:func:`yilian.refdata.local.banks`) — a bank and a
    branch of it."""
    if bank is None:
        return
    if not isinstance(bank, dict):
        errors.add("bank_appointment", "bank_appointment.type", "银行开户预约格式不正确",
                   "the bank appointment must be an object or null")
        return
    check_required(errors, "bank_appointment.bank", bank.get("bank"), "银行", "the bank")
    if check_required(errors, "bank_appointment.branch", bank.get("branch"), "网点",
                      "the branch") and isinstance(bank.get("bank"), str):
        _check_listed(errors, bank["bank"].strip(), bank["branch"].strip(), division_code)
    try:
        day = dt.date.fromisoformat(bank.get("date") or "")
    except (TypeError, ValueError):
        errors.add("bank_appointment.date", "bank_appointment.date.required",
                   "请填写预约日期（YYYY-MM-DD）", "the appointment date (YYYY-MM-DD) is required")
        return
    if day < today:
        errors.add("bank_appointment.date", "bank_appointment.date.past", "预约日期不能早于今天",
                   "the appointment date may not be in the past")


def _check_listed(errors: Errors, name: str, branch: str, division_code: str) -> None:
    listed = local.banks(division_code)
    if not listed:
        return
    found = next((b for b in listed if b.name == name), None)
    if found is None:
        errors.add("bank_appointment.bank", "bank_appointment.bank.unknown",
                   "本地可预约开户的银行为：" + "、".join(b.name for b in listed),
                   "the banks taking appointments here are: "
                   + ", ".join(b.name for b in listed))
    elif branch not in found.branches:
        errors.add("bank_appointment.branch", "bank_appointment.branch.unknown",
                   f"{name}在本地可预约的网点为：" + "、".join(found.branches),
                   f"the branches of {name} taking appointments here are: "
                   + ", ".join(found.branches))


def _check_members(errors: Errors, path: str, values: list, choices: type[TextChoices],
                   what_zh: str, what_en: str) -> None:
    """Each value one of ``choices``, none twice."""
    for i, value in enumerate(values):
        if value not in choices.values:
            errors.add(f"{path}[{i}]", field_code(path, "unknown"),
                       f"{what_zh}应为：" + "、".join(choices.labels),
                       f"{what_en} is one of: " + ", ".join(choices.values))
        elif value in values[:i]:
            errors.add(f"{path}[{i}]", field_code(path, "duplicate"), f"{what_zh}重复",
                       f"{what_en} is listed twice")


def check_permits_and_pledges(errors: Errors, scope: Any, permits: Any, pledges: Any,
                              today: dt.date) -> None:
    """许可证件 and 告知承诺 — each is given for a business-scope entry, by its catalogue
    id. The admission rules read only those for entries the application lists, so one
    given for another entry would be silently ignored: it is reported instead (the
    applicant meant another entry, or forgot to list it), as is an id the catalogue in
    force does not have."""
    if not permits and not pledges:
        return
    from yilian.rules import catalogues
    from yilian.rules.engine import normalize

    in_force = catalogues.in_force(today)
    by_id = {item.id: item for item in in_force.scope.values()}
    texts = [t for t in scope if isinstance(t, str)] if isinstance(scope, list) else []
    listed = {item.id for item in (in_force.scope.get(normalize(t)) for t in texts) if item}
    if not isinstance(permits, dict):
        errors.add("permits", "permits.type", "许可证件应为“经营范围条目编号：证件编号”",
                   "permits must map a business-scope entry id to the permit number")
    else:
        for entry_id, number in permits.items():
            path = f"permits.{entry_id}"
            _check_entry(errors, path, "permits", entry_id, listed, by_id, "许可证件",
                         "a permit")
            if not isinstance(number, str) or not number.strip():
                errors.add(path, "permits.number.required", "请填写许可证件编号",
                           "the permit number is required")
    if not isinstance(pledges, list):
        errors.add("pledges", "pledges.type", "告知承诺应为经营范围条目编号的列表",
                   "pledges must be a list of business-scope entry ids")
        return
    for i, entry_id in enumerate(pledges):
        path = f"pledges[{i}]"
        if entry_id in pledges[:i]:
            errors.add(path, "pledges.duplicate", "同一条目的告知承诺重复",
                       "the same entry is pledged for twice")
        else:
            _check_entry(errors, path, "pledges", entry_id, listed, by_id, "告知承诺",
                         "a pledge")


def _check_entry(errors: Errors, path: str, part: str, entry_id: Any, listed: set[str],
                 by_id: dict, what_zh: str, what_en: str) -> None:
    """``entry_id`` is a catalogue entry that the application's scope lists."""
    item = by_id.get(entry_id) if isinstance(entry_id, str) else None
    if item is None:
        errors.add(path, f"{part}.unknown", f"经营范围目录中没有编号为“{entry_id}”的条目",
                   f"no business-scope entry has the id {entry_id}")
    elif entry_id not in listed:
        errors.add(path, f"{part}.not_in_scope",
                   f"{what_zh}对应的“{item.text}”（{entry_id}）不在本申请的经营范围中",
                   f"{what_en} is given for “{item.text}” ({entry_id}), which is not in "
                   "this application's business scope")
