"""印章刻制 — seals: public-security seal management records the free set of four seals
(公章, 财务专用章, 发票专用章, 法定代表人名章) engraved by a licensed company."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from yilian.departments.base import StepRequest
from yilian.departments.simulator import SimulatedDepartment, local_today
from yilian.forms.models import Seal

SEAL_NAMES = dict(Seal.choices)
# The simulator's licensed engraving companies (特种行业许可: 印章刻制), in the zone.
MAKERS = (
    {"name": "威海高区诚信印章刻制有限公司", "address": "威海市火炬高技术产业开发区文化西路88号",
     "phone": "0631-5200001"},
    {"name": "威海市公安局指定刻章点（政务服务中心）",
     "address": "威海市火炬高技术产业开发区政务服务中心一楼", "phone": "0631-5200002"},
)
FREE_SET = tuple(Seal.values)


class SealStep(SimulatedDepartment):
    """印章刻制 — seal engraving and its record (备案) with public security."""

    code = "seals"
    #: What a change tells this department (docs/changes-and-closing.md).
    reads = ("name", "people.legal_representative", "seals")
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
        # The engraving company (刻章单位) and how the seals reach the applicant: picked
        # up at the maker's counter, or posted (with a tracking number once sent).
        maker = MAKERS[serial % len(MAKERS)]
        posted = serial % 2 == 0
        return f"YZ{base}", {
            "seals": seals, "free_of_charge": True,
            "maker": maker["name"], "maker_address": maker["address"],
            "maker_phone": maker["phone"],
            "delivery": "post" if posted else "pickup",
            "tracking_no": f"SF{day:%y%m%d}{serial:08d}" if posted else "",
        }
