"""银行开户预约 — an optional appointment to open the basic bank account."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from yilian.departments.base import StepRequest
from yilian.departments.simulator import SimulatedDepartment, local_today


class BankStep(SimulatedDepartment):
    """银行开户预约 — bank account appointment (only when the applicant asked for one)."""

    code = "bank"
    #: What a change tells this department (docs/changes-and-closing.md).
    reads = ("name", "domicile", "people.legal_representative", "bank_appointment")
    name_zh = gettext_noop("银行开户预约")
    name_en = "Bank appointment"

    def build_payload(self, application) -> dict[str, Any]:
        return dict(application.bank_appointment or {})

    def act(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        reference = f"YY{local_today():%Y%m%d}{serial:06d}"
        # The bank gives the time: half-hour slots from 09:00 to 16:30.
        minutes = 9 * 60 + 30 * (serial % 16)
        return reference, {**request.payload, "appointment_no": reference,
                           "time": f"{minutes // 60:02d}:{minutes % 60:02d}"}
