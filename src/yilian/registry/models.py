"""The register of market entities (企业登记簿): every enterprise that exists, whether
registered through Yilian or imported, keyed by its unified social credit code."""

from __future__ import annotations

from django.db import models


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

    class Meta:
        indexes = [models.Index(fields=["established"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc})"
