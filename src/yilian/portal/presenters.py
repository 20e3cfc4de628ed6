"""What the portal's pages show, computed from the domain (no state changes here): status
labels in the page's language, the chain's timeline (一链办理进度), business-scope flags,
and the one-form JSON a page renders its inputs from."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yilian import charts, labels
from yilian.api.applications import ApplicationSerializer
from yilian.chain.models import StepStatus
from yilian.forms import parties
from yilian.forms.models import Application
from yilian.refdata import scope as scope_catalogue

STATUS = {
    "draft": _("草稿"), "submitted": _("已提交"), "in_review": _("人工审查中"),
    "returned": _("退回补正"), "accepted": _("已受理"), "processing": _("办理中"),
    "completed": _("已办结"), "rejected": _("不予受理"), "withdrawn": _("已撤回"),
    "expired": _("已过期"),
}
# Contribution methods' labels in the page's language (the stored value stays the
# Chinese word): every method a kind of the catalogue allows (refdata/data/kinds.json).
CONTRIBUTION_METHOD_LABELS = {"货币": _("货币"), "实物": _("实物"), "知识产权": _("知识产权"),
                              "土地使用权": _("土地使用权"), "股权": _("股权"), "债权": _("债权"),
                              "其他财产权利": _("其他财产权利"), "劳务": _("劳务（仅普通合伙人）"),
                              "土地经营权": _("土地经营权"), "林权": _("林权")}
# The name rules (名称相同或近似) of yilian.names.similarity, as short labels.
NAME_RULES = {
    "identical": _("名称相同"), "variant": _("繁简字号相同且同行业"),
    "identical_core": _("仅行政区划或组织形式不同"),
    "same_trade_name_same_industry": _("同行业字号相同"), "homophone": _("同行业字号同音"),
}
PARTY_STATE = {"pending": _("待确认"), "confirmed": _("已确认"), "stale": _("需重新确认"),
               # 变更: the law asks this person's consent for nothing that changes.
               "not_needed": _("无需确认")}
VIA = {"code": _("短信验证码"), "account": _("本人登录"), "in_person": _("现场核验身份证")}


def form_data(application: Application) -> dict:
    """The application as the API shows it: the one-form JSON the pages render."""
    return dict(ApplicationSerializer(application).data)


def status_of(application: Application) -> tuple[str, str]:
    """(css class / code, label) of the public status."""
    code = application.public_status()
    return code, STATUS.get(code, code)


@dataclass(frozen=True)
class Flag:
    label: str
    css: str = ""


def scope_flags(entry: scope_catalogue.ScopeEntry | None) -> list[Flag]:
    """How the normalized scope catalogue (经营范围规范表述) classes an entry."""
    if entry is None:
        return [Flag(_("目录外表述，需人工审查"), "returned")]
    if not entry.licensed:
        return [Flag(_("一般项目"), "done")]
    flags = [Flag(_("许可项目（登记前审批）") if entry.timing == "pre"
                  else _("许可项目（登记后审批）"), "retrying")]
    if entry.department:
        flags.append(Flag(entry.department))
    if entry.commitment:
        flags.append(Flag(_("可告知承诺"), "running"))
    return flags


@dataclass(frozen=True)
class Chosen:
    """A business-scope line the applicant chose, with its catalogue entry if any."""

    index: int
    text: str
    entry: scope_catalogue.ScopeEntry | None
    flags: list[Flag]
    permit: str
    pledged: bool

    @property
    def needs_permit(self) -> bool:
        return bool(self.entry and self.entry.licensed and self.entry.timing == "pre")


def chosen_scope(data: dict) -> list[Chosen]:
    permits, pledges = data.get("permits") or {}, set(data.get("pledges") or [])
    out = []
    for i, text in enumerate(data.get("business_scope") or []):
        entry = scope_catalogue.by_text(text)
        out.append(Chosen(i, text, entry, scope_flags(entry),
                          permits.get(entry.id, "") if entry else "",
                          bool(entry and entry.id in pledges)))
    return out


def scope_results(query: str, limit: int = 20) -> list[tuple]:
    return [(e, scope_flags(e)) for e in scope_catalogue.search(query, limit=limit)]


@dataclass(frozen=True)
class TimelineRow:
    code: str
    name: str
    status: str
    status_label: str
    started_at: object
    finished_at: object
    attempts: int
    reference: str
    expected_at: object = None  # while the department works on it (待部门办结)
    overdue: bool = False
    waiting_on: str | None = None


def timeline(application: Application) -> list[TimelineRow]:
    """The chain's steps (一链), registration first, as the applicant sees them."""
    chain = getattr(application, "chain", None)
    if chain is None:
        return []
    steps = sorted(chain.steps.all(), key=lambda s: (s.code != "registration", s.pk))
    return [TimelineRow(s.code, labels.step_name(s.code), s.status,
                        labels.choice(StepStatus, s.status), s.started_at,
                        s.finished_at, s.attempts, s.reference,
                        s.expected_at if s.status == StepStatus.WAITING else None,
                        s.is_overdue(), s.waiting_on) for s in steps]


def timeline_chart(application: Application, rows: list[TimelineRow]):
    """The same steps as bars on one clock from acceptance (进度图), or None before it."""
    chain = getattr(application, "chain", None)
    if chain is None or not rows:
        return None
    start = chain.accepted_at
    now = chain.finished_at or timezone.now()

    def offset(moment):
        return None if moment is None else max((moment - start).total_seconds(), 0.0)

    spans = [charts.Span(r.name, offset(r.started_at), offset(r.finished_at), r.status,
                         f"{r.status_label} · {charts.seconds(_took(r, now))}")
             for r in rows]
    span = max([offset(now) or 0.0, *(s.end or 0.0 for s in spans)]) or 1.0
    return charts.gantt("chain-chart", spans, span=span, title=_("办理进度图"),
                        desc=_("各部门事项自受理起的开始与办结时间"))


def _took(row: TimelineRow, now) -> float:
    if row.started_at is None:
        return 0.0
    return ((row.finished_at or now) - row.started_at).total_seconds()


@dataclass(frozen=True)
class PartyRow:
    """One party on the parties page: who, which roles, where they stand, what can be
    done from here."""

    party: object
    roles: str
    state: str
    state_label: str
    via: str
    link: str
    can_confirm: bool


def role_names(roles, org_form: str = "") -> str:
    """A party's roles in the reader's language: 股东、法定代表人 (members by the kind's
    own word)."""
    return "、".join(gettext(parties.role_label(r, org_form)) for r in roles)


def party_rows(application: Application, editor, request) -> list[PartyRow]:
    from yilian.forms.afterwards import needs_consent
    from yilian.forms.consent import confirm_path

    def shown(party, state: str) -> str:
        if state == "confirmed" or application.purpose == "establish":
            return state
        return state if needs_consent(application, party) else "not_needed"

    rows = [(p, shown(p, state)) for p, state in parties.parties_of(application)]
    return [PartyRow(p, role_names(p.roles, application.org_form), state, PARTY_STATE[state],
                     VIA.get(p.confirmed_via, "") if state == "confirmed" else "",
                     request.build_absolute_uri(confirm_path(p)),
                     state not in ("confirmed", "not_needed") and editor.can_confirm(p))
            for p, state in rows]
