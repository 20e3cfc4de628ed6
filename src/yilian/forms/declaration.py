"""承诺书 — the pledge of truthfulness every submission carries.

The applicant, and every party the form names, pledge that what the form says is true
and lawful and that they bear the legal responsibility for it — the pledge of the usual
市场主体登记 forms (全体投资人承诺书), in Yilian's own words. It is confirmed before
submitting and recorded on the application with who, when, how and which edition of the
text (:func:`record`):

- ``online`` — the applicant ticked it on the review page (掌上办);
- ``counter`` — at the counter (一窗受理) the applicant signed the paper pledge and the
  window clerk recorded that they did; the clerk is who recorded it;
- ``api`` — another system submitted through the API: submitting is the pledge, made
  by the account that submits (docs/DECISIONS.md, "Never lose what was typed").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

#: The edition of the text below; recorded with each pledge, changed with the text.
EDITION = "yilian-2026-1"

#: The pledge, paragraph by paragraph.
TEXT = (
    _("本申请人及本申请所列全体投资人、法定代表人和其他人员郑重承诺："),
    _("一、所填写的信息和提交的材料真实、准确、完整、合法有效，复印件与原件一致；"),
    _("二、企业名称、住所、经营范围等登记事项符合法律法规的规定，所列人员的任职资格符合"
      "法律法规和公司章程的规定；"),
    _("三、已认真阅读并知悉申请企业开办相关的法律法规和告知事项，所列人员均已确认本次申请；"),
    _("四、如有隐瞒有关情况或者提供虚假材料、虚假信息的，愿意承担相应的法律责任，并接受"
      "登记机关依法作出的撤销登记等处理。"),
)


class DeclarationVia(models.TextChoices):
    """How the pledge was made."""

    ONLINE = "online", gettext_noop("申请人在线确认")
    COUNTER = "counter", gettext_noop("申请人在窗口签字，窗口人员记录")
    API = "api", gettext_noop("通过接口提交（提交即承诺）")


class PledgeRequired(Exception):
    """Submission refused: the pledge was not confirmed."""

    code = "declaration.required"
    field = "declaration"
    message_zh = "提交前请阅读并确认承诺书"
    message_en = "read and confirm the pledge of truthfulness before submitting"

    def as_error(self) -> dict:
        return {"field": self.field, "code": self.code, "message_zh": self.message_zh,
                "message_en": self.message_en}


@dataclass(frozen=True)
class Pledge:
    """A confirmed pledge: made ``via`` a channel, recorded by ``by`` (a user)."""

    via: str
    by: object

    @classmethod
    def confirmed(cls, ticked: bool, via: str, by) -> Pledge:
        """The pledge from a page's checkbox (or the API's ``pledge``); raises
        :class:`PledgeRequired` when it was not confirmed."""
        if not ticked:
            raise PledgeRequired()
        return cls(via=via, by=by)


def record(application, pledge: Pledge) -> list[str]:
    """Set the pledge on ``application`` (not saved); returns the fields set."""
    application.declared_at = timezone.now()
    application.declared_by = pledge.by
    application.declared_via = pledge.via
    application.declaration_edition = EDITION
    return ["declared_at", "declared_by", "declared_via", "declaration_edition"]
