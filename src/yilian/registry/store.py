"""Writing many enterprises at once, keyed by USCC (so a second import changes nothing)."""

from __future__ import annotations

from django.db import transaction

from yilian.registry.models import Enterprise

UPDATED = ["name", "org_form", "division_code", "industry_code", "established"]


def upsert(rows: list[dict], source: str = "import") -> int:
    """Insert or update ``rows`` (Enterprise fields); returns how many rows were written.
    Enterprises registered through Yilian keep their source and application link."""
    with transaction.atomic():
        Enterprise.objects.bulk_create(
            [Enterprise(source=source, **{"org_form": "", **row}) for row in rows],
            update_conflicts=True, unique_fields=["uscc"], update_fields=UPDATED,
            batch_size=1000,
        )
    return len(rows)
