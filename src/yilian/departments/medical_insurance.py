"""医保登记 — healthcare security: the unit's medical-insurance number."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from yilian.departments.base import StepRequest
from yilian.departments.simulator import SimulatedDepartment


class MedicalInsuranceStep(SimulatedDepartment):
    """医保登记 — medical-insurance registration of the unit."""

    code = "medical_insurance"
    #: What a change tells this department (docs/changes-and-closing.md).
    reads = ("name", "domicile", "people.legal_representative", "employees")
    name_zh = gettext_noop("医保登记")
    name_en = "Medical insurance"

    def build_payload(self, application) -> dict[str, Any]:
        return {"name": application.name, "employees": len(application.employees.all())}

    def act(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        unit = f"H{request.uscc[2:8]}{serial:08d}"
        return unit, {"unit_no": unit, "insured": request.payload["employees"]}
