"""What admission rules keep in the database: amendments to the shipped catalogues, the
decision taken on each submission, and the checks departments owe after a pledge."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Amendment(models.Model):
    """What every amendment carries: from when it applies, why, and who made it."""

    effective_from = models.DateField("生效日期 effective from")
    note = models.TextField("调整依据 basis", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class CatalogueAmendment(Amendment):
    """目录调整 — a zone administrator's change to one business-scope entry, in force from
    a date. The shipped catalogue plus every amendment in force on a day is the catalogue
    of that day; decisions record which amendments they used."""

    entry_id = models.CharField("条目编号 scope entry id", max_length=32)
    text = models.CharField("规范表述 wording", max_length=100, blank=True,
                            help_text="Leave empty to keep the shipped wording.")
    kind = models.CharField(max_length=16, choices=[("general", "一般项目"),
                                                    ("licensed", "许可项目")])
    timing = models.CharField(max_length=8, blank=True,
                              choices=[("pre", "前置"), ("post", "后置")])
    department = models.CharField("审批部门", max_length=64, blank=True)
    permit = models.CharField("许可证件", max_length=100, blank=True)
    commitment = models.BooleanField("可告知承诺", default=False)
    negative_list_id = models.CharField("负面清单事项", max_length=32, blank=True)

    class Meta:
        ordering = ["entry_id", "-effective_from", "-id"]
        indexes = [models.Index(fields=["effective_from"])]

    def __str__(self) -> str:
        return f"{self.entry_id} from {self.effective_from}"


class NegativeListAmendment(Amendment):
    """负面清单调整 — a zone administrator's change to one item of the market-access
    negative list (市场准入负面清单), in force from a date: its wording, its kind
    (禁止准入类 / 许可准入类), whether the scope entries under it may go by pledge
    (告知承诺), or its withdrawal from the list. Like :class:`CatalogueAmendment`, the
    newest amendment in force on a day is the item of that day, and decisions record
    which amendments they used."""

    item_id = models.CharField("事项编号 negative-list item id", max_length=32)
    text = models.CharField("事项表述 wording", max_length=200, blank=True,
                            help_text="Leave empty to keep the shipped wording.")
    kind = models.CharField("类别 kind", max_length=16, blank=True,
                            choices=[("prohibited", "禁止准入类"), ("licensed", "许可准入类")],
                            help_text="Leave empty to keep the shipped kind.")
    commitment = models.BooleanField(
        "可告知承诺 pledge allowed", null=True, blank=True,
        help_text="Empty: as each business-scope entry under the item says. Yes / No: "
                  "for every entry under it.")
    withdrawn = models.BooleanField("移出清单 withdrawn", default=False,
                                    help_text="From the effective date the item no "
                                              "longer applies.")

    class Meta:
        ordering = ["item_id", "-effective_from", "-id"]
        indexes = [models.Index(fields=["effective_from"])]

    def __str__(self) -> str:
        return f"{self.item_id} from {self.effective_from}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from yilian.refdata import catalogues

        if catalogues.negative_list().item(self.item_id) is None and not (
                self.text and self.kind):
            raise ValidationError("负面清单中没有该事项：新增事项须填写表述和类别 / no such "
                                  "item on the list: a new item needs its wording and kind")


class AdmissionDecision(models.Model):
    """准入决定 — one decision per submission, with the findings and editions it used."""

    application = models.ForeignKey("forms.Application", on_delete=models.CASCADE,
                                    related_name="decisions")
    outcome = models.CharField(max_length=16)
    findings = models.JSONField(default=list)
    editions = models.JSONField(default=dict)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        get_latest_by = "decided_at"


class PostVerification(models.Model):
    """事后核查 — a department's check of a pledge (告知承诺) after registration."""

    application = models.ForeignKey("forms.Application", on_delete=models.CASCADE,
                                    related_name="post_verifications")
    department = models.CharField(max_length=64)
    subject = models.CharField("经营项目", max_length=100)
    permit = models.CharField(max_length=100, blank=True)
    rule = models.CharField(max_length=32)
    due_on = models.DateField("核查期限")
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]


class PermitCheck(models.Model):
    """许可核验 — one permit number given for a business-scope entry, as it was checked.

    Written with the decision. A permit is *relied on* only once checked: by its issuing
    department (``checked_by="department"``, its answer and when), or — when the
    department did not confirm it — by the examiner who approved the application after
    looking at it (``checked_by="examiner"``, who and when)."""

    class CheckedBy(models.TextChoices):
        NOBODY = "", "未核验 not checked"
        DEPARTMENT = "department", "发证部门核验 confirmed by the issuing department"
        EXAMINER = "examiner", "审查员核验 checked by an examiner"

    decision = models.ForeignKey(AdmissionDecision, on_delete=models.CASCADE,
                                 related_name="permit_checks")
    entry_id = models.CharField("经营范围条目", max_length=32)
    subject = models.CharField("经营项目", max_length=100)
    permit = models.CharField("许可证件", max_length=100)
    number = models.CharField("证件编号", max_length=100)
    department = models.CharField("发证部门", max_length=64)
    answer = models.CharField("部门答复 department's answer", max_length=32)
    answer_data = models.JSONField(default=dict, blank=True)
    asked_at = models.DateTimeField("核验时间 asked at")
    checked_by = models.CharField(max_length=16, blank=True, choices=CheckedBy.choices)
    examiner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    examined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decision", "entry_id"]

    def __str__(self) -> str:
        return f"{self.permit} {self.number} ({self.answer})"

    @property
    def relied_on(self) -> bool:
        return bool(self.checked_by)

    @property
    def answer_zh(self) -> str:
        """The department's answer as the examiner reads it."""
        from yilian.rules.permits import MESSAGES

        return MESSAGES.get(self.answer, (self.answer, ""))[0]

    def as_dict(self) -> dict:
        return {"entry_id": self.entry_id, "subject": self.subject, "permit": self.permit,
                "number": self.number, "department": self.department,
                "answer": self.answer, "asked_at": self.asked_at.isoformat(),
                "checked_by": self.checked_by,
                "examiner": self.examiner.get_username() if self.examiner else "",
                "examined_at": self.examined_at.isoformat() if self.examined_at else ""}
