"""The electronic business license (电子营业执照) as issued: its content and the signed
document, kept verbatim so the file handed out today is the file handed out in ten years.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class LicenseStatus(models.TextChoices):
    """执照状态 — in force, replaced by a later version (a change reissued it), or revoked
    (the enterprise closed). Only the status ever changes on a license row."""

    CURRENT = "current", "有效 current"
    SUPERSEDED = "superseded", "已换发 superseded"
    REVOKED = "revoked", "已吊销/注销 revoked"


class License(models.Model):
    """营业执照 — one version per registration that changed what is printed: version 1 at
    establishment, one more for each change of a printed particular (变更换照).

    ``fields`` is the content printed on the license (English keys; Chinese labels in
    :data:`yilian.licenses.services.LABELS`); ``signed`` is the whole signed document
    (``{"license": …, "signature": …}``) exactly as signed. Neither changes after issue.
    """

    application = models.OneToOneField("forms.Application", on_delete=models.PROTECT,
                                       related_name="license")
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT,
                                   related_name="licenses")
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    version = models.PositiveSmallIntegerField("版本 version", default=1)
    status = models.CharField("状态 status", max_length=12, choices=LicenseStatus.choices,
                              default=LicenseStatus.CURRENT)
    fields = models.JSONField("执照内容 license fields")
    signed = models.JSONField("签名文档 signed document")
    key_id = models.CharField("签名密钥编号 signing key id", max_length=16)
    issued_at = models.DateTimeField("发照时间 issued at")
    #: When it stopped being current (superseded or revoked).
    ended_at = models.DateTimeField("失效时间 ended at", null=True, blank=True)

    class Meta:
        verbose_name = "电子营业执照 license"
        verbose_name_plural = "电子营业执照 licenses"
        ordering = ["uscc", "version"]
        constraints = [
            models.UniqueConstraint(fields=["uscc", "version"], name="license_version_once"),
            # One license in force per enterprise: a reissue supersedes the old one in
            # the same transaction, or fails.
            models.UniqueConstraint(fields=["enterprise"], condition=Q(status="current"),
                                    name="license_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.fields.get('name', '')} ({self.uscc} v{self.version})"
