"""公示 — the public notice page's reading of the notices: searchable by name or code,
by zone (a division code or its prefix: 37 a province, 3710 a city), newest first,
paginated."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone

from yilian.closing.models import Notice, Verdict

PER_PAGE = 20


def search(q: str = "", zone: str = "", page: int | str = 1) -> Page:
    notices = Notice.objects.all()
    q = (q or "").strip()[:100]
    if q:
        notices = notices.filter(Q(name__icontains=q) | Q(uscc__iexact=q.upper()))
    zone = "".join(c for c in (zone or "") if c.isdigit())[:6].rstrip("0")
    if zone:
        notices = notices.filter(division_code__startswith=zone)
    return Paginator(notices.order_by("-starts_at", "-pk"), PER_PAGE).get_page(page)


def is_open(notice: Notice, now=None) -> bool:
    """Whether the notice runs now (a simplified closing's takes objections then)."""
    now = now or timezone.now()
    return notice.starts_at <= now < notice.ends_at


def as_dict(notice: Notice) -> dict:
    return {"id": notice.pk, "kind": notice.kind, "kind_label": notice.get_kind_display(),
            "uscc": notice.uscc, "name": notice.name, "division_code": notice.division_code,
            "text": notice.text, "starts_at": notice.starts_at.isoformat(),
            "ends_at": notice.ends_at.isoformat(), "open": is_open(notice),
            "objections": notice.objections.exclude(verdict=Verdict.DISMISSED).count()}
