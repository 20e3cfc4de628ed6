"""What each department does for a closing (注销), in the simulated departments and the
reference department systems alike (:meth:`SimulatedDepartment.perform`): the tax bureau
clears the enterprise (清税: its certificate, the unused invoices cancelled), social and
medical insurance and the housing fund close their accounts, the seals are retired, the
bank is told to close the basic account. The register's own act is the registration
step's (:mod:`yilian.registry.afterwards`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yilian.departments.base import StepRequest

#: Per department: the reference's prefix and what it did.
ACTS: dict[str, tuple[str, str]] = {
    "tax": ("QS", "清税"),
    "social_security": ("SB", "社会保险登记注销"),
    "medical_insurance": ("YB", "医疗保险登记注销"),
    "housing_fund": ("GJ", "住房公积金账户注销"),
    "seals": ("YZ", "印章缴销"),
    "bank": ("YH", "告知银行销户"),
}


def act(code: str, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]] | None:
    """The department's act for a closing, or None when it has none of its own here."""
    if code not in ACTS:
        return None
    if not request.uscc and not request.payload.get("uscc"):
        raise ValueError("uscc: the enterprise closing")
    uscc = request.payload.get("uscc") or request.uscc
    prefix, what = ACTS[code]
    day = timezone.localdate()
    reference = f"{prefix}{day:%Y%m%d}{serial:08d}"
    data: dict[str, Any] = {"act": what, "uscc": uscc, "on": day.isoformat()}
    if code == "tax":
        # 清税证明: the taxpayer has no tax owed and no invoice left unused.
        data.update(certificate_no=reference, invoices_cancelled=True)
    elif code == "seals":
        data["retired"] = list(request.payload.get("seals") or [])
    elif code == "bank":
        data["account"] = "to_close"  # the bank closes the basic account when asked
    else:
        data["account"] = "closed"
    return reference, data
