"""The electronic business license (电子营业执照) as issued: its content and the signed
document, kept verbatim so the file handed out today is the file handed out in ten years.
"""

from __future__ import annotations

from django.db import models


class License(models.Model):
    """营业执照 — one per registered enterprise, issued in the registration transaction.

    ``fields`` is the content printed on the license (English keys; Chinese labels in
    :data:`yilian.licenses.services.LABELS`); ``signed`` is the whole signed document
    (``{"license": …, "signature": …}``) exactly as signed. Neither changes after issue.
    """

    application = models.OneToOneField("forms.Application", on_delete=models.PROTECT,
                                       related_name="license")
    enterprise = models.OneToOneField("registry.Enterprise", on_delete=models.PROTECT,
                                      related_name="license")
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    fields = models.JSONField("执照内容 license fields")
    signed = models.JSONField("签名文档 signed document")
    key_id = models.CharField("签名密钥编号 signing key id", max_length=16)
    issued_at = models.DateTimeField("发照时间 issued at")

    class Meta:
        verbose_name = "电子营业执照 license"
        verbose_name_plural = "电子营业执照 licenses"

    def __str__(self) -> str:
        return f"{self.fields.get('name', '')} ({self.uscc})"
