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
        return self._engrave(request, serial, request.payload["seals"])

    def act_change(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        """变更: a new name needs a whole new set (every seal bears the name); a new legal
        representative a new 法定代表人名章; seals added to the list are engraved. What
        is replaced is retired (缴销) — the old seal's record ends — in the same act."""
        changes = request.payload["changes"]
        wanted = list(request.payload["seals"])
        before = list((changes.get("seals") or [wanted])[0] or [])
        if "name" in changes:
            replaced = before
        elif "people.legal_representative" in changes and Seal.LEGAL_REP in before:
            replaced = [Seal.LEGAL_REP.value]
        else:
            replaced = []
        new = [kind for kind in wanted if kind in replaced or kind not in before]
        if not new and not replaced:
            return super().act_change(request, serial)
        reference, data = self._engrave(request, serial, new)
        old_name = changes["name"][0] if "name" in changes else request.payload["name"]
        data["retired"] = [{"kind": kind, "name": SEAL_NAMES[kind], "bearing": old_name}
                           for kind in replaced]
        return reference, data

    def _engrave(self, request: StepRequest, serial: int, kinds: list[str]
                 ) -> tuple[str, dict[str, Any]]:
        day = local_today()
        base = f"{request.uscc[2:8]}{day:%Y%m%d}{serial:06d}"
        seals = [
            {"kind": kind, "name": SEAL_NAMES[kind], "record_no": f"{base}{i:02d}"}
            for i, kind in enumerate(kinds, start=1)
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
