"""注销 — a closing (:class:`Closure`), its public notices (:class:`Notice`, 公示/公告) and
the objections anyone may file against a simplified closing (:class:`Objection`, 异议).

The closing application itself is the one form (``forms.Application``, purpose
``close``); the closure holds what only a closing has: the route, the declaration of
debts (简易注销), the liquidation group and its report (普通注销), and where it stands.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop


class Route(models.TextChoices):
    """注销方式 — the two routes in force (docs/changes-and-closing.md)."""

    SIMPLIFIED = "simplified", gettext_noop("简易注销")
    GENERAL = "general", gettext_noop("普通注销")


class Debts(models.TextChoices):
    """债权债务 — what a simplified closing declares (市场主体登记管理条例第三十三条)."""

    NONE = "none", gettext_noop("未发生债权债务")
    SETTLED = "settled", gettext_noop("债权债务已清偿完结")


class Stage(models.TextChoices):
    """Where a closing stands before the register closes the enterprise."""

    DRAFT = "draft", gettext_noop("填报中")
    NOTICE = "notice", gettext_noop("公示中")
    OBJECTED = "objected", gettext_noop("异议审查中")
    CHAIN = "chain", gettext_noop("部门办理中")
    REFUSED = "refused", gettext_noop("不予注销")


class Closure(models.Model):
    """注销 — one closing application's own particulars."""

    application = models.OneToOneField("forms.Application", on_delete=models.CASCADE,
                                       primary_key=True, related_name="closure")
    route = models.CharField("注销方式 route", max_length=12, choices=Route.choices)
    debts = models.CharField("债权债务 debts", max_length=8, choices=Debts.choices,
                             blank=True)
    #: 清算组: [{"name", "id_number", "leader"}], filed when the general route opens.
    liquidation_group = models.JSONField("清算组 liquidation group", default=list,
                                         blank=True)
    group_filed_at = models.DateTimeField("清算组备案时间", null=True, blank=True)
    #: 清算报告: its summary as the liquidation group signed it.
    liquidation_report = models.TextField("清算报告 liquidation report", blank=True)
    stage = models.CharField("阶段 stage", max_length=10, choices=Stage.choices,
                             default=Stage.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_route_display()} {self.application_id}"


class NoticeKind(models.TextChoices):
    """The kinds of public notice a closing publishes."""

    #: 简易注销公告: the enterprise's commitment, open to objections.
    SIMPLIFIED = "simplified", gettext_noop("简易注销公告")
    #: 债权人公告: the liquidation group calls creditors to declare their claims.
    CREDITORS = "creditors", gettext_noop("清算组债权人公告")


class Notice(models.Model):
    """公示 — a notice on the public gazette page for a period, by zone."""

    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    name = models.CharField("名称", max_length=100)
    division_code = models.CharField("行政区划", max_length=6, db_index=True)
    #: What is published: the commitment, or the liquidation group and where to declare.
    text = models.TextField(blank=True)
    starts_at = models.DateTimeField("公示开始")
    ends_at = models.DateTimeField("公示结束", db_index=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["closure", "kind"],
                                               name="closing_one_notice_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class Verdict(models.TextChoices):
    PENDING = "pending", gettext_noop("待审查")
    UPHELD = "upheld", gettext_noop("异议成立")
    DISMISSED = "dismissed", gettext_noop("异议不成立")


class Objection(models.Model):
    """异议 — filed by anyone against a simplified closing during its notice: it stops
    the closing until an examiner decides."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    objector = models.CharField("异议人 objector", max_length=100)
    contact = models.CharField("联系方式 contact", max_length=40)
    reason = models.TextField("异议理由 reason", max_length=2000)
    filed_at = models.DateTimeField(auto_now_add=True)
    # The address it came from (as the sign-in codes keep theirs): anyone may object,
    # so one address may file only so many in an hour (settings.OBJECTIONS_PER_CLIENT).
    client = models.CharField(max_length=64, blank=True, default="")
    verdict = models.CharField(max_length=10, choices=Verdict.choices,
                               default=Verdict.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["filed_at", "pk"]
        indexes = [models.Index(fields=["client", "filed_at"], name="objection_client_idx")]
