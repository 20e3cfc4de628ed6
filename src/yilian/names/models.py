"""Name reservations (名称保留): a name that passed the checks, held for one applicant.

The database, not the code, guarantees that two people never hold the same name: a
partial unique index over (authority, normalized_key) where ``released_at IS NULL``.
Expiry is lazy — an expired row stays "active" for the index until the next reservation
attempt for that key marks it released in the same transaction (see
:func:`yilian.names.services.reserve`); readers treat ``expires_at <= now`` as released.

A reservation made at submission belongs to its application and lives only while that
application is accepted or under manual review: returning, withdrawing, rejecting or
expiring the application releases it, and registration ends it (the name is then in the
register); ``release_reason`` says which.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ActiveQuerySet(models.QuerySet):
    def active(self, now=None):
        """Not released and not expired."""
        return self.filter(released_at__isnull=True, expires_at__gt=now or timezone.now())


class ReleaseReason(models.TextChoices):
    """Why a reservation stopped holding its name."""

    HOLDER = "holder", "保留人放弃 given up by the holder"
    LAPSED = "lapsed", "保留期满 the reservation period ended"
    REGISTERED = "registered", "已登记 registered (now in the register)"
    RETURNED = "returned", "退回补正 application returned for correction"
    WITHDRAWN = "withdrawn", "撤回 application withdrawn"
    REJECTED = "rejected", "不予受理 application rejected"
    EXPIRED = "expired", "草稿过期 draft expired"
    REPLACED = "replaced", "改用其他名称 the application now holds another name"


class NameReservation(models.Model):
    """名称保留 — one reserved name under one registration authority."""

    name = models.CharField("名称", max_length=100)
    # simplified 字号 + industry words: names differing only in division, its position,
    # the organization form or traditional characters share it (identical_core).
    normalized_key = models.CharField(max_length=100)
    trade_key = models.CharField(max_length=50, db_index=True)
    pinyin_key = models.CharField(max_length=200, db_index=True)  # the first reading
    # Every reading of the 字号 (多音字: similarity.readings), each between bars
    # (|yin hang|yin xing|), so a homophone in any reading is found by ``contains``.
    readings = models.TextField(blank=True, default="")
    division_code = models.CharField("行政区划", max_length=6)
    authority = models.CharField("登记机关", max_length=4)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="name_reservations")
    application = models.ForeignKey("forms.Application", null=True, blank=True,
                                    on_delete=models.SET_NULL,
                                    related_name="name_reservations")
    reserved_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField("释放原因 why released", max_length=16, blank=True,
                                      choices=ReleaseReason.choices)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "normalized_key"],
                                    condition=Q(released_at__isnull=True),
                                    name="names_one_active_reservation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.authority}, until {self.expires_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.released_at is None and self.expires_at > timezone.now()
