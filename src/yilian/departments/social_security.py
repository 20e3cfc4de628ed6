"""社保登记 — human resources and social security: the unit's social-security number and
each employee enrolled (职工参保登记)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from yilian.departments.base import StepRequest
from yilian.departments.simulator import SimulatedDepartment


class SocialSecurityStep(SimulatedDepartment):
    """社保登记 — social-security registration of the unit and its employees."""

    code = "social_security"
    #: What a change tells this department (docs/changes-and-closing.md).
    reads = ("name", "domicile", "people.legal_representative", "employees")
    name_zh = gettext_noop("社保登记")
    name_en = "Social security"

    def build_payload(self, application) -> dict[str, Any]:
        return {
            "name": application.name,
            "employees": [
                {"name": e.name, "id_number": e.id_number, "monthly_wage": str(e.monthly_wage)}
                for e in application.employees.all()
            ],
        }

    def act(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        unit = f"{request.uscc[2:6]}{serial:09d}"
        enrolled = [
            {"name": e["name"], "id_number_tail": e["id_number"][-4:],
             "personal_no": f"{unit}{i:03d}"}
            for i, e in enumerate(request.payload["employees"], start=1)
        ]
        return unit, {"unit_no": unit, "enrolled": enrolled}
