"""Looking an enterprise up in the register (登记簿查询) by its credit code: the one place
the form's checks (a corporate investor, a branch's parent company) and the type label of
a company's sole corporate shareholder ask whether an enterprise exists and what it is."""

from __future__ import annotations

from yilian.registry.models import Enterprise


def by_uscc(code: str) -> Enterprise | None:
    """The registered enterprise whose credit code is ``code`` (already validated and in
    canonical form), or None when the register does not hold it."""
    if not code:
        return None
    return (Enterprise.objects.filter(uscc=code)
            .only("uscc", "name", "org_form", "application_id").first())
