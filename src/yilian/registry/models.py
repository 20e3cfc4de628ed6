"""The register of market entities (企业登记簿): every enterprise that exists, whether
registered through Yilian or imported, keyed by its unified social credit code, and
what happened to each (登记事项: establishment, changes, filings, closing)."""

from __future__ import annotations

from django.db import models


class EnterpriseStatus(models.TextChoices):
    """登记状态 — in the register's words: 存续 (in business), 注销中 (closing: a
    closing application is under way or its notice period runs), 注销 (closed)."""

    ACTIVE = "active", "存续 active"
    CLOSING = "closing", "注销中 closing"
    CLOSED = "closed", "注销 closed"


class Enterprise(models.Model):
    """市场主体 — one registered enterprise."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=100, db_index=True)
    org_form = models.CharField("类型", max_length=32, blank=True)
    division_code = models.CharField("行政区划", max_length=6, blank=True, db_index=True)
    industry_code = models.CharField("行业代码", max_length=5, blank=True)
    established = models.DateField("成立日期", null=True, blank=True)
    application = models.OneToOneField("forms.Application", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="enterprise")
    source = models.CharField(max_length=16, default="yilian")  # yilian | import
    status = models.CharField("登记状态", max_length=8, choices=EnterpriseStatus.choices,
                              default=EnterpriseStatus.ACTIVE)
    closed_on = models.DateField("注销日期 closed on", null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["established"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc})"


class EventKind(models.TextChoices):
    """The kinds of registration event (登记事项) the register keeps for an enterprise."""

    ESTABLISHED = "established", "设立登记 establishment"
    CHANGED = "changed", "变更登记 change"
    FILED = "filed", "备案 filing"
    CLOSED = "closed", "注销登记 closing"


class RegistrationEvent(models.Model):
    """登记事项 — one event in an enterprise's history, written in the transaction that
    makes it true in the register, never edited afterwards. ``changes`` maps each field
    that changed to ``[before, after]`` (empty for an establishment); ``application`` is
    the one-form application that asked for it (none for an imported enterprise)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT,
                                   related_name="events")
    kind = models.CharField("事项", max_length=12, choices=EventKind.choices)
    at = models.DateTimeField("登记时间")
    application = models.ForeignKey("forms.Application", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        ordering = ["enterprise", "at", "pk"]
        constraints = [
            # An application asks for one event: a retried step must not write two.
            models.UniqueConstraint(fields=["application", "kind"],
                                    name="registry_event_once_per_application"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind} {self.at:%Y-%m-%d}"
