"""变更 — what a change application asks beyond an establishment's (who consents)."""

from __future__ import annotations


def needs_consent(application, party) -> bool:
    """Whether ``party`` must confirm this change."""
    return True
