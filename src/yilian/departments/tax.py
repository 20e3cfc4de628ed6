"""涉税事项 — the tax bureau: taxpayer registration (the USCC is the taxpayer number),
invoice types approved, and the first invoices issued (数电发票)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from yilian.departments.base import StepRequest, person
from yilian.departments.simulator import SimulatedDepartment, local_today
from yilian.forms import particulars


class TaxStep(SimulatedDepartment):
    """涉税事项 — tax registration and invoices (申领发票)."""

    code = "tax"
    #: What a change tells this department (docs/changes-and-closing.md).
    reads = ("name", "domicile", "registered_capital", "business_scope", "industry_code",
             "investors", "people.legal_representative", "people.financial_officer",
             "people.tax_handler", "invoices")
    name_zh = gettext_noop("涉税事项")
    name_en = "Tax and invoices"

    def build_payload(self, application) -> dict[str, Any]:
        handler = person(application, "tax_handler")
        officer = person(application, "financial_officer")
        invoices = application.invoices or {}
        return {
            "name": application.name,
            "tax_handler": handler.name if handler else "",
            "financial_officer": officer.name if officer else "",
            "invoice_types": list(invoices.get("types", [])),
            "monthly_quantity": int(invoices.get("monthly_quantity", 0) or 0),
            **particulars.for_tax(application),
        }

    def act(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        payload = request.payload
        return f"SW{local_today():%Y%m%d}{serial:08d}", {
            "taxpayer_id": request.uscc,
            "taxpayer_type": "小规模纳税人",
            "invoice_types": payload["invoice_types"],
            "monthly_quantity": payload["monthly_quantity"],
        }
