"""A license's standing in the register (执照状态), beside its signature: a genuine license
may no longer be the one in force — superseded by the license a change reissued, or
revoked when the enterprise closed. Verification says so (DESIGN.md §5), so that nobody
takes an old or a closed enterprise's license for a current one."""

from __future__ import annotations

from typing import Any

from yilian.licenses.models import License, LicenseStatus

CURRENT, SUPERSEDED, REVOKED = (LicenseStatus.CURRENT.value, LicenseStatus.SUPERSEDED.value,
                                LicenseStatus.REVOKED.value)
STATUSES = (CURRENT, SUPERSEDED, REVOKED)


def standing(content: dict[str, Any] | None) -> str | None:
    """``current``, ``superseded`` or ``revoked`` for a license this register issued with
    exactly ``content`` (its signature already verified); None when it holds none —
    signed by a key Yilian trusts, but not found here."""
    row = issued_with(content)
    return row.status if row is not None else None


def issued_with(content: dict[str, Any] | None) -> License | None:
    """The license row this register issued with exactly ``content``, if any."""
    if not isinstance(content, dict) or not isinstance(content.get("uscc"), str):
        return None
    for row in License.objects.filter(uscc=content["uscc"]).order_by("-version"):
        if row.signed.get("license") == content:
            return row
    return None


def current(uscc: str) -> License | None:
    """The license in force for ``uscc`` (None when it closed or none was issued here)."""
    return License.objects.filter(uscc=uscc, status=LicenseStatus.CURRENT).first()
