"""What an application's page says (办理结果): one banner from its status, and — once
the chain runs — one list of what the applicant now has and what to do with it: the
license, the seals, invoices, the bank appointment and every department's reference.

Everything here is read from the domain (the application's public status, the chain's
steps and their results); nothing is stored twice, so the banner and the status badge,
and the list and the timeline, cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yilian import labels
from yilian.chain.models import StepStatus
from yilian.forms.models import Seal

# The banner per public status: (title, what happens next). The badge shows the same
# status's label (presenters.STATUS): both come from Application.public_status().
BANNERS = {
    "draft": (_("草稿尚未提交"), _("填完并请各当事人确认后提交。")),
    "submitted": (_("申请已提交"), _("正在核验，请稍候。")),
    "in_review": (_("人工审查中"), _("审查员将在4小时内作出决定，结果会短信通知您。")),
    "returned": (_("需要补正"), _("请按审查意见修改后重新提交。")),
    "processing": (_("已受理，各部门正在办理"),
                   _("每个部门办结都会在下方显示，关键节点会短信通知您。")),
    "completed": (_("已全部办结"), _("营业执照、印章、发票和社保等结果见下方清单。")),
    "rejected": (_("不予受理"), _("可以按原因调整后重新申请。")),
    "withdrawn": (_("申请已撤回"), _("所保留的企业名称已释放。")),
    "expired": (_("草稿已过期"), _("长期未修改的草稿已失效，可以重新开始申请。")),
}


@dataclass(frozen=True)
class Banner:
    code: str
    title: str
    text: str


def banner(code: str) -> Banner:
    title, text = BANNERS.get(code, (code, ""))
    return Banner(code, str(title), str(text))


@dataclass
class Item:
    """One entry of the result list: a title, its state, and (label, value) lines."""

    key: str
    title: str
    done: bool
    lines: list[tuple[str, str]] = field(default_factory=list)
    how: list[str] = field(default_factory=list)


def result(application) -> list[Item]:
    """The result list, in the order the applicant needs them (empty before the chain)."""
    chain = getattr(application, "chain", None)
    if chain is None:
        return []
    steps = {s.code: s for s in chain.steps.all()}
    items = [_license(application, steps.get("registration")),
             _seals(steps.get("seals")), _invoices(steps.get("tax"))]
    if "bank" in steps:
        items.append(_bank(steps["bank"]))
    items.append(_references(steps))
    return [item for item in items if item is not None]


def _done(step) -> bool:
    return step is not None and step.status == StepStatus.DONE


def _license(application, step) -> Item:
    item = Item("license", gettext("电子营业执照"), _done(step))
    if item.done:
        item.lines = [(gettext("统一社会信用代码"), application.uscc)]
        item.how = [
            gettext("下载PDF存档或打印；他人扫描二维码即可核验执照真伪。"),
            gettext("添加到手机：在微信或支付宝搜索“电子营业执照”小程序（或下载“电子营业执照”App），"
                    "由法定代表人实名认证后，即可领取、出示和授权使用本企业的电子营业执照。"),
        ]
    return item


def _seals(step) -> Item | None:
    if step is None:
        return None
    item = Item("seals", gettext("印章"), _done(step))
    data = (step.result or {}) if item.done else {}
    for seal in data.get("seals", []):
        item.lines.append((labels.choice(Seal, seal.get("kind")),
                           gettext("备案号 %(no)s") % {"no": seal.get("record_no", "")}))
    if data.get("maker"):
        item.lines.append((gettext("刻章单位"), data["maker"]))
    if data.get("delivery") == "post":
        item.lines.append((gettext("领取方式"), gettext("邮寄到企业住所")))
        if data.get("tracking_no"):
            item.lines.append((gettext("运单号"), data["tracking_no"]))
    elif item.done:
        item.lines.append((gettext("领取方式"), gettext("到刻章单位自取")))
        if data.get("maker_address"):
            item.lines.append((gettext("地址"), data["maker_address"]))
        if data.get("maker_phone"):
            item.lines.append((gettext("电话"), data["maker_phone"]))
        item.how = [gettext("法定代表人或经办人携带身份证原件领取；印章免费刻制。")]
    return item


def _invoices(step) -> Item | None:
    if step is None:
        return None
    item = Item("invoices", gettext("发票"), _done(step))
    data = (step.result or {}) if item.done else {}
    if item.done:
        item.lines = [(gettext("纳税人识别号"), data.get("taxpayer_id", "")),
                      (gettext("纳税人类型"), gettext(data.get("taxpayer_type", ""))),
                      (gettext("数电发票"), gettext("已开通")),
                      (gettext("发票种类"), "、".join(gettext(t) for t in
                                                   data.get("invoice_types", [])) or "—"),
                      (gettext("每月领用数量"), str(data.get("monthly_quantity", "")))]
        item.how = [gettext("开具第一张发票：办税人登录电子税务局（或“个人所得税”App扫码登录），"
                            "进入“我要办税 → 开票业务 → 蓝字发票开具”，填写购买方和项目后开具；"
                            "数电发票无需领用纸质发票和税控设备。")]
    return item


def _bank(step) -> Item:
    item = Item("bank", gettext("银行开户预约"), _done(step))
    data = (step.result or {}) if item.done else (step.payload or {})
    item.lines = [(gettext("银行"), data.get("bank", "")),
                  (gettext("网点"), data.get("branch", "")),
                  (gettext("时间"), " ".join(str(data[k]) for k in ("date", "time")
                                             if data.get(k)))]
    if item.done:
        item.lines.append((gettext("预约号"), data.get("appointment_no", step.reference)))
        item.how = [gettext("法定代表人携带身份证原件和营业执照按时到网点办理基本存款账户开户。")]
    return item


def _references(steps: dict) -> Item:
    item = Item("references", gettext("各部门业务编号"),
                all(_done(s) for s in steps.values()))
    ordered = sorted(steps.values(), key=lambda s: (s.code != "registration", s.pk))
    item.lines = [(labels.step_name(s.code), s.reference or labels.choice(StepStatus, s.status))
                  for s in ordered]
    return item
