"""The one form (一表填报): everything every department needs, filled in once.

An :class:`Application` holds the enterprise's particulars and choices; its parties are
rows of :class:`Investor` (出资人), :class:`Person` (legal representative, directors,
supervisors, manager, financial officer, tax handler, contact) and :class:`Employee`
(the staff to enrol in social security). Drafts may be incomplete; submission checks
everything at once (:mod:`yilian.forms.validation`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from yilian.forms.declaration import DeclarationVia
from yilian.forms.money import MoneyField


class OrgForm(models.TextChoices):
    """组织形式 / 市场主体类型 — the kinds of market entity the one form describes; what
    the law asks of each is data (:mod:`yilian.refdata.kinds`, docs/entity-kinds.md), and
    which of them can be applied for yet is the catalogue's ``available``."""

    LLC_SINGLE_NATURAL = "llc_single_natural", gettext_noop("有限责任公司（自然人独资）")
    LLC_SINGLE_CORPORATE = "llc_single_corporate", gettext_noop(
        "有限责任公司（非自然人投资或控股的法人独资）")
    LLC_MULTI = "llc_multi", gettext_noop("有限责任公司（自然人投资或控股）")
    JOINT_STOCK = "joint_stock", gettext_noop("股份有限公司")
    SOLE_PROPRIETORSHIP = "sole_proprietorship", gettext_noop("个人独资企业")
    PARTNERSHIP_GENERAL = "partnership_general", gettext_noop("普通合伙企业")
    PARTNERSHIP_LIMITED = "partnership_limited", gettext_noop("有限合伙企业")
    PARTNERSHIP_SPECIAL = "partnership_special", gettext_noop("特殊普通合伙企业")
    BRANCH = "branch", gettext_noop("分公司")
    COOPERATIVE = "cooperative", gettext_noop("农民专业合作社")
    INDIVIDUAL_BUSINESS = "individual_business", gettext_noop("个体工商户")


class Composition(models.TextChoices):
    """组成形式 — how an individual business is run (个体工商户登记管理办法第8条)."""

    INDIVIDUAL = "individual", gettext_noop("个人经营")
    FAMILY = "family", gettext_noop("家庭经营")


class Liability(models.TextChoices):
    """承担责任方式 — a partner's liability (合伙企业法第2条)."""

    UNLIMITED = "unlimited", gettext_noop("普通合伙人（无限连带责任）")
    LIMITED = "limited", gettext_noop("有限合伙人（以认缴出资额为限）")


class Status(models.TextChoices):
    """Where the application stands. ``processing`` and ``completed`` are derived from
    the chain's steps (see :meth:`Application.public_status`), never stored."""

    DRAFT = "draft", gettext_noop("草稿")
    SUBMITTED = "submitted", gettext_noop("已提交")
    IN_REVIEW = "in_review", gettext_noop("人工审查中")
    RETURNED = "returned", gettext_noop("退回补正")
    ACCEPTED = "accepted", gettext_noop("已受理")
    REJECTED = "rejected", gettext_noop("不予受理")
    #: 撤回 — the applicant withdrew it before acceptance; it holds nothing any more.
    WITHDRAWN = "withdrawn", gettext_noop("已撤回")
    #: 已过期 — a draft left untouched for ``settings.DRAFT_DAYS``; it holds nothing.
    EXPIRED = "expired", gettext_noop("已过期")


class Purpose(models.TextChoices):
    """What an application asks of the register: 设立 (establish an enterprise), 变更
    (change what is registered, or file 备案 particulars) or 注销 (close it). A change or a
    closing is the same one form, pre-filled with what is registered
    (:mod:`yilian.forms.afterwards`, docs/changes-and-closing.md)."""

    ESTABLISH = "establish", gettext_noop("设立登记")
    CHANGE = "change", gettext_noop("变更登记")
    CLOSE = "close", gettext_noop("注销登记")


class Seal(models.TextChoices):
    """印章 — the free set of four seals a new enterprise may have engraved."""

    OFFICIAL = "official", gettext_noop("公章")
    FINANCIAL = "financial", gettext_noop("财务专用章")
    INVOICE = "invoice", gettext_noop("发票专用章")
    LEGAL_REP = "legal_rep", gettext_noop("法定代表人名章")


class InvoiceType(models.TextChoices):
    """发票种类 — the fully digitalized e-invoices (数电发票) a new taxpayer may apply for."""

    ORDINARY = "数电发票（普通发票）", gettext_noop("数电发票（普通发票）")
    SPECIAL_VAT = "数电发票（增值税专用发票）", gettext_noop("数电发票（增值税专用发票）")


#: The form's tables and the fields an applicant fills in each row, in form order: what a
#: party's confirmation covers and what the step pages edit.
ROW_FIELDS = {
    "investors": ("kind", "name", "id_number", "uscc", "phone", "signatory_name",
                  "signatory_id_number", "signatory_phone", "amount", "contribution_date",
                  "contribution_method", "liability", "managing", "representative_name",
                  "representative_id_number", "representative_phone", "farmer", "shares"),
    "people": ("role", "name", "id_number", "phone", "email"),
    "employees": ("name", "id_number", "monthly_wage", "start_date"),
}


class Application(models.Model):
    """设立登记申请 — one company's application, from draft to accepted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    purpose = models.CharField("事项 purpose", max_length=12, choices=Purpose.choices,
                               default=Purpose.ESTABLISH)
    #: 变更 / 注销 only: the register entry the application is for.
    subject = models.ForeignKey("registry.Enterprise", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="changes_and_closings",
                                verbose_name="登记主体 enterprise")
    #: The enterprise this change or closing holds while it is open, so that an enterprise
    #: has one open change or closing at a time — by the database's uniqueness, not by a
    #: check two requests could both pass. Cleared when it ends
    #: (:func:`yilian.forms.afterwards.release`).
    open_on = models.OneToOneField("registry.Enterprise", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="open_application",
                                   verbose_name="办理中的登记主体 held enterprise")
    #: What the register held when the change or closing was opened, as
    #: :func:`yilian.forms.afterwards.snapshot` writes it: what changes is the difference.
    registered = models.JSONField("登记在册内容 registered particulars", default=dict,
                                  blank=True)
    form_version = models.PositiveSmallIntegerField(default=1)

    # The enterprise.
    name = models.CharField("企业名称 name", max_length=100, blank=True)
    org_form = models.CharField(
        "组织形式 organization form", max_length=32, choices=OrgForm.choices, blank=True
    )
    registered_capital = MoneyField(
        "注册资本（认缴，元） registered capital (subscribed, CNY)", null=True, blank=True,
    )
    domicile = models.CharField("住所 domicile", max_length=200, blank=True)
    division_code = models.CharField("行政区划代码 division", max_length=6, blank=True)
    industry_code = models.CharField("行业代码 GB/T 4754", max_length=5, blank=True)
    business_scope = models.JSONField("经营范围 business scope", default=list, blank=True)
    operating_term_years = models.PositiveSmallIntegerField(
        "营业期限（年，空为长期） operating term", null=True, blank=True
    )
    #: 个体工商户 only: 个人经营 or 家庭经营 (family members are people of that role).
    composition = models.CharField("组成形式 composition", max_length=16, blank=True,
                                   choices=Composition.choices)
    #: 分公司 only: the company it belongs to (隶属企业), by its credit code.
    parent_uscc = models.CharField("隶属企业统一社会信用代码 parent's credit code",
                                   max_length=18, blank=True)
    #: 公司 only: the board has an audit committee (审计委员会) doing the supervisors' work,
    #: so there is no board of supervisors or supervisor (公司法第69条、第121条).
    audit_committee = models.BooleanField("董事会设审计委员会 audit committee", default=False)

    # The choices every department after registration acts on.
    seals = models.JSONField("印章 seals", default=list, blank=True)
    invoices = models.JSONField("发票 invoices", default=dict, blank=True)
    bank_appointment = models.JSONField("银行开户预约 bank", null=True, blank=True)
    permits = models.JSONField("许可证件 permits held (scope entry id → number)",
                               default=dict, blank=True)
    pledges = models.JSONField("告知承诺 pledges signed (scope entry ids)", default=list,
                               blank=True)

    # Filled in as the application moves on.
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    review_comment = models.TextField("审查意见 review comment", blank=True)
    #: 补正事由 — the standard reasons the examiner picked when returning it, each with
    #: the step and fields at fault (:mod:`yilian.forms.returns`); empty otherwise.
    return_reasons = models.JSONField("补正事由 return reasons", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间 accepted", null=True, blank=True)
    # 承诺书 — the pledge of truthfulness of the last submission (forms.declaration).
    declared_at = models.DateTimeField("承诺时间 pledge confirmed", null=True, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name="承诺记录人 pledge recorded by")
    declared_via = models.CharField("承诺方式 pledge made via", max_length=16, blank=True,
                                    choices=DeclarationVia.choices)
    declaration_edition = models.CharField("承诺书版本 pledge edition", max_length=32,
                                           blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"]),
                   # The sweeper's stale drafts (forms.lifecycle.expire_drafts).
                   models.Index(fields=["status", "updated_at"], name="forms_status_touched")]

    def __str__(self) -> str:
        return self.name or f"draft {self.pk}"

    @property
    def editable(self) -> bool:
        return self.status in {Status.DRAFT, Status.RETURNED}

    def public_status(self) -> str:
        """The status the API shows: stored until acceptance, derived from the chain after."""
        if self.status != Status.ACCEPTED:
            return self.status
        chain = getattr(self, "chain", None)
        return chain.status if chain is not None else "processing"


class InvestorKind(models.TextChoices):
    NATURAL = "natural", "自然人"
    CORPORATE = "corporate", "企业法人"


class Investor(models.Model):
    """出资人 / 股东 — a natural person (resident ID) or a company (USCC).

    A natural person gives their own mobile number; a company names the person who signs
    for it (签署人: name, resident ID, mobile). Either way that person is a party who
    confirms the application (:class:`Party`)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="investors")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=InvestorKind.choices,
                            default=InvestorKind.NATURAL)
    name = models.CharField(max_length=100, blank=True)
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    signatory_name = models.CharField("签署人姓名", max_length=50, blank=True)
    signatory_id_number = models.CharField("签署人身份证号码", max_length=18, blank=True)
    signatory_phone = models.CharField("签署人手机号码", max_length=20, blank=True)
    amount = MoneyField("认缴出资额（元）", null=True, blank=True)
    contribution_date = models.DateField("出资期限", null=True, blank=True)
    contribution_method = models.CharField("出资方式", max_length=16, default="货币")
    # Partnerships: the partner's liability, whether they carry out the partnership's
    # affairs (执行事务合伙人) and, for a corporate one, the person it appoints (委派代表).
    liability = models.CharField("承担责任方式", max_length=16, blank=True,
                                 choices=Liability.choices)
    managing = models.BooleanField("执行事务合伙人", default=False)
    representative_name = models.CharField("委派代表姓名", max_length=50, blank=True)
    representative_id_number = models.CharField("委派代表身份证号码", max_length=18,
                                                blank=True)
    representative_phone = models.CharField("委派代表手机号码", max_length=20, blank=True)
    #: Cooperatives: a member who is a farmer (农民成员, 农民专业合作社法 art. 20).
    farmer = models.BooleanField("农民成员", default=False)
    #: 股份有限公司 only: the shares this promoter subscribes (认购股份数), paid at one price
    #: per share with every other promoter's (公司法第143条).
    shares = models.PositiveBigIntegerField("认购股份数 shares subscribed", null=True,
                                            blank=True)

    class Meta:
        ordering = ["position", "id"]


class Role(models.TextChoices):
    """The people on the form besides investors, each with a role."""

    LEGAL_REPRESENTATIVE = "legal_representative", gettext_noop("法定代表人")
    DIRECTOR = "director", gettext_noop("董事/执行董事")
    SUPERVISOR = "supervisor", gettext_noop("监事")
    MANAGER = "manager", gettext_noop("经理")
    FINANCIAL_OFFICER = "financial_officer", gettext_noop("财务负责人")
    TAX_HANDLER = "tax_handler", gettext_noop("办税人")
    CONTACT = "contact", gettext_noop("联络员")
    #: 分公司负责人 — the person in charge of a branch.
    PERSON_IN_CHARGE = "person_in_charge", gettext_noop("负责人")
    #: 参加经营的家庭成员 — of an individual business run by a family.
    FAMILY_MEMBER = "family_member", gettext_noop("参加经营的家庭成员")


class Person(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="people")
    role = models.CharField(max_length=32, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=50, blank=True)
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["role", "position", "id"]


class Employee(models.Model):
    """参保职工 — a member of staff to enrol in social and medical insurance."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="employees")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=50, blank=True)
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    monthly_wage = MoneyField("缴费基数（元/月）", max_digits=12, null=True, blank=True)
    start_date = models.DateField("参保日期", null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]


class Party(models.Model):
    """当事人 — a natural person named in the application (实名确认): an investor, the
    person signing for a corporate investor, or anyone in office, bound to their name,
    resident ID number and own mobile number. One person is one party, whatever roles
    they hold (the key is the normalized ID number).

    Parties are derived from the form (:func:`yilian.forms.parties.sync`): a person is a
    party exactly while the form names them. Each confirms the application — with a
    one-time code sent to their number, signed in as themselves, or in person at the
    counter (ID card seen) — and a confirmation binds the form as it stood
    (``form_digest``): an edit afterwards voids it.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="parties")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    roles = models.JSONField("职务 roles", default=list)
    position = models.PositiveSmallIntegerField(default=0)
    # The public confirmation link's secret; the one-time code is the second factor.
    token = models.CharField(max_length=43, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    invited_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    # "code" | "account" | "in_person" (现场核验身份证, recorded by the clerk)
    confirmed_via = models.CharField(max_length=10, blank=True)
    form_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "id_number"],
                                    name="one_party_per_person"),
        ]

    def __str__(self) -> str:
        return self.name
