"""印章刻制 — seals: public-security seal management records the free set of four seals
(公章, 财务专用章, 发票专用章, 法定代表人名章) engraved by a licensed company."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from yilian.departments.base import StepRequest
from yilian.departments.simulator import SimulatedDepartment, local_today
from yilian.forms.models import Seal

SEAL_NAMES = dict(Seal.choices)
FREE_SET = tuple(Seal.values)


class SealStep(SimulatedDepartment):
    """印章刻制 — seal engraving and its record (备案) with public security."""

    code = "seals"
    name_zh = gettext_noop("印章刻制")
    name_en = "Seals"

    def build_payload(self, application) -> dict[str, Any]:
        return {"name": application.name, "seals": list(application.seals or FREE_SET)}

    def act(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        day = local_today()
        base = f"{request.uscc[2:8]}{day:%Y%m%d}{serial:06d}"
        seals = [
            {"kind": kind, "name": SEAL_NAMES[kind], "record_no": f"{base}{i:02d}"}
            for i, kind in enumerate(request.payload["seals"], start=1)
        ]
        return f"YZ{base}", {"seals": seals, "free_of_charge": True}
