"""A license's standing in the register (执照状态), beside its signature: a genuine license
may no longer be the one in force — superseded by the license a change reissued, or
revoked when the enterprise closed. Verification says so (DESIGN.md §5), so that nobody
takes an old or a closed enterprise's license for a current one."""

from __future__ import annotations

from typing import Any

from yilian.licenses.models import License
from yilian.registry.models import EnterpriseStatus

CURRENT, SUPERSEDED, REVOKED = "current", "superseded", "revoked"
STATUSES = (CURRENT, SUPERSEDED, REVOKED)


def standing(content: dict[str, Any] | None) -> str | None:
    """``current``, ``superseded`` or ``revoked`` for a license this register issued with
    exactly ``content`` (its signature already verified); None when it holds none —
    signed by a key Yilian trusts, but not found here."""
    if not isinstance(content, dict) or not isinstance(content.get("uscc"), str):
        return None
    issued = list(License.objects.filter(uscc=content["uscc"]).select_related("enterprise")
                  .order_by("-issued_at", "-pk"))
    for newest_first, row in enumerate(issued):
        if row.signed.get("license") != content:
            continue
        if row.enterprise.status == EnterpriseStatus.CLOSED:
            return REVOKED
        return CURRENT if newest_first == 0 else SUPERSEDED
    return None
