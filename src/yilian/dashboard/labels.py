"""What the dashboard calls things, in the reader's language.

Reference data (GB/T 4754 section names, organization forms, departments) is kept in
Chinese only; the page strings that name them live here as translatable literals, and
the tests check they still match the reference data they stand for.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yilian import labels
from yilian.forms.models import OrgForm
from yilian.refdata import divisions

MONTHS = (gettext_lazy("1月"), gettext_lazy("2月"), gettext_lazy("3月"), gettext_lazy("4月"),
          gettext_lazy("5月"), gettext_lazy("6月"), gettext_lazy("7月"), gettext_lazy("8月"),
          gettext_lazy("9月"), gettext_lazy("10月"), gettext_lazy("11月"), gettext_lazy("12月"))

# GB/T 4754-2017 门类, A–T (refdata/data/industries.json has the same names).
SECTIONS = {
    "A": gettext_lazy("农、林、牧、渔业"), "B": gettext_lazy("采矿业"), "C": gettext_lazy("制造业"),
    "D": gettext_lazy("电力、热力、燃气及水生产和供应业"), "E": gettext_lazy("建筑业"),
    "F": gettext_lazy("批发和零售业"), "G": gettext_lazy("交通运输、仓储和邮政业"),
    "H": gettext_lazy("住宿和餐饮业"), "I": gettext_lazy("信息传输、软件和信息技术服务业"),
    "J": gettext_lazy("金融业"), "K": gettext_lazy("房地产业"),
    "L": gettext_lazy("租赁和商务服务业"), "M": gettext_lazy("科学研究和技术服务业"),
    "N": gettext_lazy("水利、环境和公共设施管理业"),
    "O": gettext_lazy("居民服务、修理和其他服务业"), "P": gettext_lazy("教育"),
    "Q": gettext_lazy("卫生和社会工作"), "R": gettext_lazy("文化、体育和娱乐业"),
    "S": gettext_lazy("公共管理、社会保障和社会组织"), "T": gettext_lazy("国际组织"),
}

# 实名确认 — how a party's confirmation was made (forms.Party.confirmed_via).
CONFIRMATION_WAYS = {"in_person": gettext_lazy("现场核验身份证"),
                     "code": gettext_lazy("短信验证码"), "account": gettext_lazy("本人登录确认")}


# GB 32100 机构类别 of market entities (dashboard.stats.ENTITY_CLASSES).
ENTITY_CLASSES = {"1": gettext_lazy("企业"), "2": gettext_lazy("个体工商户"),
                  "3": gettext_lazy("农民专业合作社")}


def entity_class(code: str) -> str:
    return ENTITY_CLASSES.get(code, code)


def confirmation_way(code: str) -> str:
    return CONFIRMATION_WAYS.get(code, code)


def month(number: int) -> str:
    return MONTHS[number - 1]


def section(row) -> str:
    """``I 信息传输、软件和信息技术服务业``; the unclassified row says so."""
    if not row.code:
        return _("未分类")
    return f"{row.code} {SECTIONS.get(row.code, row.name)}"


def org_form(code: str) -> str:
    if not code:
        return _("未登记组织形式")
    return labels.choice(OrgForm, code)


def department(code: str) -> str:
    return labels.step_name(code)


def duration_bin(low: int, high: int | None) -> str:
    """A histogram bin in minutes: ``≤1``, ``1–2``, ``>60`` (the unit is in the titles)."""
    if high is None:
        return f">{low // 60}"
    return f"≤{high // 60}" if low == 0 else f"{low // 60}–{high // 60}"


def division_choices(zone: str) -> list[tuple[str, str]]:
    """The division picker: the zone first, then its city as a whole and each division in
    it, then everywhere."""
    parent = divisions.division(zone).parent
    city = divisions.division(parent)
    rows = [(zone, divisions.division(zone).name),
            (city.code, _("%(city)s（全市）") % {"city": city.name})]
    rows += [(d.code, d.name) for d in divisions.children(city.code) if d.code != zone]
    return [*rows, ("", _("全部地区"))]
