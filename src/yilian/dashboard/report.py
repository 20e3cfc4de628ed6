"""The dashboard's sections: each turns statistics (:mod:`.stats`) into one table and one
chart (:mod:`.charts`). The page shows both; the CSV export writes the same table, so the
page and the file can never disagree.

A table's cells keep their raw values (counts, percentages, minutes) and a column kind
says how to show them: formatted on the page, plain numbers in the CSV for spreadsheets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yilian import charts
from yilian.dashboard import afterwards, labels, stats

# Column kinds: text, count, share (%), growth (signed %), minutes.
TEXT, COUNT, SHARE, GROWTH, MINUTES = "text", "count", "share", "growth", "minutes"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT


@dataclass
class Table:
    """One table of numbers: ``name`` is its CSV file name; the last row may be a total."""

    name: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    total: list | None = None

    def header(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def display_header(self) -> list[tuple[str, bool]]:
        """(label, is a number) per column: numbers are right-aligned on the page."""
        return [(str(c.label), c.kind != TEXT) for c in self.columns]

    def display(self, row: list) -> list[tuple[str, bool]]:
        return [(show(value, c.kind), c.kind != TEXT)
                for value, c in zip(row, self.columns, strict=True)]

    def display_rows(self) -> list[list[tuple[str, bool]]]:
        return [self.display(row) for row in self.rows]

    def display_total(self) -> list[tuple[str, bool]] | None:
        return self.display(self.total) if self.total else None

    def csv_rows(self) -> list[list]:
        rows = [*self.rows, *([self.total] if self.total else [])]
        return [[plain(value, c.kind) for value, c in zip(row, self.columns, strict=True)]
                for row in rows]


def show(value, kind: str) -> str:
    """A cell as the page shows it."""
    if value is None:
        return "—"
    if kind == COUNT:
        return f"{value:,}"
    if kind == SHARE:
        return f"{value:.1f}%"
    if kind == GROWTH:
        return f"{value:+.1f}%"
    if kind == MINUTES:
        return f"{value / 60:.1f}"
    return str(value)


def plain(value, kind: str):
    """A cell as the CSV holds it: numbers without units or separators."""
    if value is None:
        return ""
    if kind in (SHARE, GROWTH):
        return round(value, 1)
    if kind == MINUTES:
        return round(value / 60, 1)
    return value if kind == COUNT else str(value)


def clock(seconds: float | None) -> str:
    """A duration as h:mm:ss or m:ss (the KPI cards)."""
    if seconds is None:
        return "—"
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


@dataclass
class Section:
    table: Table
    chart: SafeString
    figures: list[tuple[str, str]] = field(default_factory=list)  # (label, value) above it


def monthly(scope: stats.Scope) -> Section:
    """新设市场主体 per month, beside the same month a year before (同比)."""
    data = stats.new_entities(scope)
    this, last = str(scope.year), str(scope.year - 1)
    table = Table("monthly", _("新设市场主体（按月）"), [
        Column(_("月份"), TEXT), Column(_("%(year)s年") % {"year": this}),
        Column(_("%(year)s年同期") % {"year": last}), Column(_("同比增长（%）"), GROWTH)])
    names = [str(labels.month(m.month)) for m in data.months]
    table.rows = [[name, m.count, m.previous, m.growth] for name, m in zip(names, data.months,
                                                                          strict=True)]
    table.total = [_("合计"), data.total, data.previous_total, data.growth]
    chart = charts.columns(
        "chart-monthly", names, [charts.Series(this, [m.count for m in data.months]),
                                 charts.Series(last, [m.previous for m in data.months],
                                               charts.PALE_BLUE)],
        title=_("%(year)s年新设市场主体（按月）") % {"year": this},
        desc=_("每月新设户数，与上年同月对比；合计 %(total)s 户，同比 %(growth)s。") % {
            "total": data.total, "growth": show(data.growth, GROWTH)},
        empty=_("暂无数据"))
    trend = charts.line_chart(
        "chart-growth", names, [m.growth for m in data.months],
        value_labels=[show(m.growth, GROWTH) for m in data.months], name=_("同比增长（%）"),
        title=_("%(year)s年各月同比增长（%%）") % {"year": this},
        desc=_("各月新设户数较上年同月的增减百分比；上年同月为零的月份不计算。"),
        empty=_("暂无数据"))
    return Section(table, chart + trend)


def _categories(name: str, title: str, heading: str, rows: list[stats.CategoryRow],
                label: Callable[[stats.CategoryRow], str], unit: str = "") -> Section:
    table = Table(name, title, [Column(heading, TEXT), Column(unit or _("户数")),
                                Column(_("占比（%）"), SHARE)])
    table.rows = [[label(r), r.count, r.share] for r in rows]
    table.total = [_("合计"), sum(r.count for r in rows), 100.0 if any(r.count for r in rows)
                   else None]
    # The table lists every category; the chart only those with anything to draw.
    drawn = [r for r in rows if r.count]
    chart = charts.horizontal_bars(
        f"chart-{name}", [label(r) for r in drawn], [r.count for r in drawn], title=title,
        desc=_("各类别数量（不含为零的类别）；数值见下表。"), empty=_("暂无数据"))
    return Section(table, chart)


def sections(scope: stats.Scope) -> Section:
    """By GB/T 4754 section (行业门类)."""
    return _categories("sections", _("按行业门类（GB/T 4754-2017）"), _("行业门类"),
                       stats.by_section(scope), labels.section)


def kinds(scope: stats.Scope) -> Section:
    """By kind of market entity (市场主体类型), each with its class: every kind of the
    catalogue is listed, even at zero."""
    data = stats.by_kind(scope)
    table = Table("kinds", _("新设市场主体（按类型）"), [
        Column(_("市场主体类型"), TEXT), Column(_("类别"), TEXT), Column(_("户数")),
        Column(_("占比（%）"), SHARE)])
    table.rows = [[str(labels.org_form(kind)), str(labels.entity_class(data.entity_class(kind))),
                   data.kind_total(kind), stats.share(data.kind_total(kind), data.total)]
                  for kind in data.counts]
    table.total = [_("合计"), "", data.total, 100.0 if data.total else None]
    drawn = [row for row in table.rows if row[2]]
    chart = charts.horizontal_bars(
        "chart-kinds", [row[0] for row in drawn], [row[2] for row in drawn],
        title=_("%(year)s年新设市场主体（按类型）") % {"year": scope.year},
        desc=_("各类型新设户数（不含为零的类型）；数值见下表。"), empty=_("暂无数据"))
    return Section(table, chart)


def entity_classes(scope: stats.Scope) -> Section:
    """新设市场主体 per month: enterprises, individual businesses and cooperatives apart
    (GB 32100 机构类别), and together."""
    data = stats.by_kind(scope)
    classes = [str(labels.entity_class(c)) for c in stats.ENTITY_CLASSES]
    table = Table("entity-classes", _("新设市场主体（企业与个体工商户，按月）"), [
        Column(_("月份"), TEXT), *(Column(name) for name in classes),
        Column(_("市场主体合计"))])
    names = [str(labels.month(m)) for m in data.months]
    table.rows = [[name, *(data.class_month(c, m) for c in stats.ENTITY_CLASSES),
                   data.month_total(m)] for name, m in zip(names, data.months, strict=True)]
    table.total = [_("合计"), *(data.class_total(c) for c in stats.ENTITY_CLASSES), data.total]
    colors = (charts.BLUE, charts.AMBER, charts.GREEN)
    chart = charts.columns(
        "chart-entity-classes", names,
        [charts.Series(name, [data.class_month(c, m) for m in data.months], color)
         for name, c, color in zip(classes, stats.ENTITY_CLASSES, colors, strict=True)],
        title=_("%(year)s年新设企业与个体工商户（按月）") % {"year": scope.year},
        desc=_("每月新设企业、个体工商户、农民专业合作社户数；合计 %(total)s 户，其中企业 "
               "%(enterprises)s 户，个体工商户 %(individual)s 户。") % {
            "total": data.total, "enterprises": data.class_total("1"),
            "individual": data.class_total("2")},
        empty=_("暂无数据"))
    return Section(table, chart)


def employees(scope: stats.Scope) -> Section:
    """社保参保人数: employees enrolled by the chains' social-security steps."""
    rows = stats.employees_enrolled(scope)[:scope.months()]
    table = Table("employees", _("社保参保人数（按月）"), [
        Column(_("月份"), TEXT), Column(_("完成社保登记的企业")), Column(_("参保职工人数"))])
    names = [str(labels.month(r.month)) for r in rows]
    table.rows = [[name, r.units, r.people] for name, r in zip(names, rows, strict=True)]
    people = sum(r.people for r in rows)
    table.total = [_("合计"), sum(r.units for r in rows), people]
    chart = charts.bar_chart(
        "chart-employees", names, [r.people for r in rows], name=_("参保职工人数"),
        title=_("%(year)s年社保参保人数（按月）") % {"year": scope.year},
        desc=_("每月经一链办理完成社保登记的职工人数；合计 %(people)s 人。") % {"people": people},
        empty=_("暂无数据"))
    return Section(table, chart, [(_("参保职工人数"), f"{people:,}")])


def durations(scope: stats.Scope) -> Section:
    """一链办理用时: acceptance to last step, against the one-hour promise."""
    data = stats.durations(scope)
    bins = data.histogram()
    names = [labels.duration_bin(low, high) for low, high, _n in bins]
    table = Table("durations", _("一链办理用时分布"), [
        Column(_("用时（分钟）"), TEXT), Column(_("件数")), Column(_("占比（%）"), SHARE)])
    table.rows = [[name, n, stats.share(n, data.count)] for name, (_lo, _hi, n)
                  in zip(names, bins, strict=True)]
    table.total = [_("合计"), data.count, 100.0 if data.count else None]
    late = [i for i, (low, _hi, _n) in enumerate(bins) if low >= data.promise]
    chart = charts.histogram(
        "chart-durations", names, [n for _lo, _hi, n in bins], highlight=late,
        title=_("一链办理用时分布（分钟，受理至全部办结）"),
        desc=_("%(count)s 件已办结：中位数 %(median)s，95%% 分位 %(p95)s，%(share)s 在承诺的"
               "1小时内办结；超过1小时的区间以橙色标出。") % {
            "count": data.count, "median": clock(data.median), "p95": clock(data.p95),
            "share": show(data.within_share, SHARE)},
        empty=_("暂无数据"))
    return Section(table, chart, [
        (_("一链已办结"), f"{data.count:,}"), (_("中位用时"), clock(data.median)),
        (_("95% 分位用时"), clock(data.p95)), (_("1小时内办结"), show(data.within_share, SHARE)),
        (_("办理中"), f"{data.unfinished:,}")])


def departments(scope: stats.Scope) -> Section:
    """各部门时限达标: each department's steps against the deadline and its own target."""
    rows = stats.by_department(scope)
    table = Table("departments", _("各部门时限达标情况"), [
        Column(_("部门环节"), TEXT), Column(_("环节数")), Column(_("已办结")),
        Column(_("承诺时限内办结")), Column(_("承诺时限达标率（%）"), SHARE),
        Column(_("环节时限（分钟）"), MINUTES), Column(_("环节时限内办结")),
        Column(_("环节时限达标率（%）"), SHARE), Column(_("办理用时中位数（分钟）"), MINUTES),
        Column(_("需人工处理"))])
    table.rows = [[str(labels.department(r.code)), r.total, r.done, r.within_deadline,
                   r.deadline_share, r.target, r.within_target, r.target_share,
                   r.median_handling, r.failed] for r in rows]
    chart = charts.horizontal_bars(
        "chart-departments", [str(labels.department(r.code)) for r in rows],
        [r.target_share or 0 for r in rows],
        value_labels=[show(r.target_share, SHARE) for r in rows], max_value=100,
        title=_("各部门环节时限达标率"),
        desc=_("各部门已办结环节中，在本部门环节时限内办结的比例。"), color=charts.BLUE,
        empty=_("暂无数据"))
    return Section(table, chart)


def confirmations(scope: stats.Scope) -> Section:
    """实名确认: how the people named in the year's applications confirmed them — in
    person at the counter (ID card seen) or by a code to their own phone."""
    return _categories("confirmations", _("当事人实名确认方式"), _("确认方式"),
                       stats.confirmations(scope),
                       lambda r: str(labels.confirmation_way(r.code)), _("人数"))


def changes(scope: stats.Scope) -> Section:
    """变更与注销（按月）: changes, filings and closings per month, and the net growth of
    market entities (新设 − 注销)."""
    rows = afterwards.by_month(scope)
    table = Table("changes", _("变更、注销与净增长（按月）"), [
        Column(_("月份"), TEXT), Column(pgettext("dashboard", "新设")),
        Column(pgettext("dashboard", "变更登记")), Column(pgettext("dashboard", "备案")),
        Column(pgettext("dashboard", "注销")), Column(pgettext("dashboard", "净增长"))])
    names = [str(labels.month(r.month)) for r in rows]
    table.rows = [[name, r.established, r.changed, r.filed, r.closed, r.net]
                  for name, r in zip(names, rows, strict=True)]
    total = [sum(getattr(r, f) for r in rows) for f in ("established", "changed", "filed",
                                                          "closed")]
    table.total = [_("合计"), *total, total[0] - total[3]]
    chart = charts.columns(
        "chart-changes", names,
        [charts.Series(pgettext("dashboard", "变更（含备案）"), [r.changes for r in rows]),
         charts.Series(pgettext("dashboard", "注销"), [r.closed for r in rows], charts.AMBER)],
        title=_("%(year)s年变更与注销（按月）") % {"year": scope.year},
        desc=_("每月变更登记与备案件数、注销户数；变更 %(changes)s 件，注销 %(closed)s 户。") % {
            "changes": total[1] + total[2], "closed": total[3]},
        empty=_("暂无数据"))
    net = charts.line_chart(
        "chart-net-growth", names, [r.net for r in rows],
        name=pgettext("dashboard", "净增长"),
        title=_("%(year)s年市场主体净增长（按月）") % {"year": scope.year},
        desc=_("每月新设户数减注销户数；全年净增长 %(net)s 户。") % {"net": total[0] - total[3]},
        empty=_("暂无数据"))
    return Section(table, chart + net, [(_("市场主体净增长"), f"{total[0] - total[3]:,}")])


def changes_by_kind(scope: stats.Scope) -> Section:
    """变更与注销（按类型）: per kind of market entity, established, changed, closed, net."""
    rows = afterwards.by_kind(scope)
    table = Table("changes-kinds", _("变更、注销与净增长（按类型）"), [
        Column(_("市场主体类型"), TEXT), Column(pgettext("dashboard", "新设")),
        Column(pgettext("dashboard", "变更（含备案）")), Column(pgettext("dashboard", "注销")),
        Column(pgettext("dashboard", "净增长"))])
    table.rows = [[str(labels.org_form(r.kind)), r.established, r.changes, r.closed, r.net]
                  for r in rows]
    table.total = [_("合计"), *(sum(row[i] for row in table.rows) for i in range(1, 5))]
    charts_ = SafeString("")
    for column, title, color in ((2, pgettext("dashboard", "变更（含备案）"), charts.BLUE),
                                 (3, pgettext("dashboard", "注销"), charts.AMBER)):
        drawn = [row for row in table.rows if row[column]]
        charts_ += charts.horizontal_bars(
            f"chart-changes-kinds-{column}", [row[0] for row in drawn],
            [row[column] for row in drawn], color=color,
            title=_("%(year)s年%(what)s（按类型）") % {"year": scope.year, "what": title},
            desc=_("各类型数量（不含为零的类型）；数值见下表。"), empty=_("暂无数据"))
    return Section(table, charts_)


SECTIONS: dict[str, Callable[[stats.Scope], Section]] = {
    "monthly": monthly, "entity-classes": entity_classes, "kinds": kinds, "sections": sections,
    "employees": employees, "durations": durations, "departments": departments,
    "confirmations": confirmations, "changes": changes, "changes-kinds": changes_by_kind,
}


def build(scope: stats.Scope) -> dict[str, Section]:
    """Every section of the page, in page order."""
    return {name: make(scope) for name, make in SECTIONS.items()}


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    note: str = ""


def kpis(built: dict[str, Section]) -> list[Kpi]:
    """The figures at the top of the page, read from the sections' own tables."""
    monthly_table = built["monthly"].table
    _label, total, previous, change = monthly_table.total
    months = len(monthly_table.rows)
    period = _("1–%(n)d月") % {"n": months} if 0 < months < 12 else _("全年")
    cards = [Kpi(_("新设市场主体"), show(total, COUNT), period),
             Kpi(_("同比增长"), show(change, GROWTH),
                 _("上年同期 %(n)s 户") % {"n": show(previous, COUNT)})]
    # The classes apart: 企业 and 个体工商户 (cooperatives are in the table).
    classes = built["entity-classes"].table
    for column, count in list(zip(classes.columns, classes.total, strict=True))[1:3]:
        cards.append(Kpi(str(column.label), show(count, COUNT),
                         _("占 %(share)s") % {"share": show(stats.share(count, total), SHARE)}))
    cards += [Kpi(label, value) for label, value in built["durations"].figures[:4]]
    cards += [Kpi(label, value) for label, value in built["employees"].figures]
    cards += [Kpi(label, value) for label, value in built["changes"].figures]
    return cards
