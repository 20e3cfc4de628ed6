"""公积金登记 — the housing provident fund centre: the unit's fund account (缴存登记)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from yilian.departments.base import StepRequest
from yilian.departments.simulator import SimulatedDepartment


class HousingFundStep(SimulatedDepartment):
    """住房公积金缴存登记 — opens the unit's housing-fund account."""

    code = "housing_fund"
    #: What a change tells this department (docs/changes-and-closing.md).
    reads = ("name", "domicile", "people.legal_representative", "employees")
    name_zh = gettext_noop("公积金登记")
    name_en = "Housing fund"

    def build_payload(self, application) -> dict[str, Any]:
        return {"name": application.name, "employees": len(application.employees.all())}

    def act(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        account = f"{request.uscc[2:6]}01{serial:010d}"
        return account, {"account_no": account, "contribution_rate": "12%"}
