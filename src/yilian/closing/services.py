"""注销 — the closing of an enterprise, from the application to the chain.

Two routes (docs/changes-and-closing.md):

- 简易注销 (simplified): the enterprise declares it has no debts or has settled them and
  all its investors commit to it; once accepted, the commitment is published on the public
  notice page for ``settings.CLOSING_NOTICE_DAYS`` (20 by default), during which anyone
  may object; the chain starts when the period ends without objection. An individual
  business (个体工商户) is not published: its chain starts at once.
- 普通注销 (general): the liquidation group (清算组) is filed when the closing is opened
  (a ``filed`` event in the register) and its creditors' notice runs 45 days; the
  liquidation report is attached and the application submitted once it has ended; the
  chain starts at acceptance.

The enterprise reads ``closing`` from acceptance, ``closed`` once the register closes it
(the chain's last step), ``active`` again if an objection is upheld.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yilian.audit.services import record, stream_for_application
from yilian.closing.models import (
    Closure,
    Debts,
    Notice,
    NoticeKind,
    Objection,
    Route,
    Stage,
    Verdict,
)
from yilian.registry.models import Enterprise, EnterpriseStatus, EventKind

#: 公司法 (2023) 第二百三十五条: creditors declare their claims within 45 days of the
#: announcement (checked: false, docs/changes-and-closing.md).
CREDITORS_DAYS = 45
# How far back an address's objections count against settings.OBJECTIONS_PER_CLIENT.
OBJECTION_WINDOW = dt.timedelta(hours=1)
TOO_MANY = "objection.too_many"

#: Kinds that close by the simplified route without a public notice (市场主体登记管理条例
#: 第三十三条: an individual business is not published; checked: false).
UNPUBLISHED = frozenset({"individual_business"})

#: Who commits to a closing when the form names no investor: the one who runs it.
RUNNERS = frozenset({"legal_representative", "person_in_charge"})


def _error(field: str, code: str, zh: str, en: str) -> dict:
    return {"field": field, "code": code, "message_zh": zh, "message_en": en}


class ClosingError(Exception):
    """A closing refused with field errors (``errors``: the API's error shape)."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} field error(s)")
        self.errors = errors


def open_closure(enterprise: Enterprise, actor, route: str, *, debts: str = "",
                 liquidation_group: list[dict] | None = None,
                 liquidation_report: str = "", debts_later: bool = False):
    """注销: open a closing application for ``enterprise`` by ``route``; for the general
    route the liquidation group is filed now and its creditors' notice published.
    Raises :class:`yilian.forms.afterwards.CannotOpen` or :class:`ClosingError`."""
    from yilian.forms import afterwards

    group = liquidation_group or []
    # DESIGN.md §5: through the API ``{"route": "simplified"}`` alone opens one (201);
    # the declaration of debts may follow (PATCH …/closure/) and submission asks for it
    # (``debts_later``). The page asks for both on one screen.
    errors = _route_errors(route, debts, group, declared_later=debts_later)
    if errors:
        raise ClosingError(errors)
    with transaction.atomic():
        application = afterwards.open_closing(enterprise, actor)
        closure = Closure.objects.create(
            application=application, route=route,
            debts=debts if route == Route.SIMPLIFIED else "",
            liquidation_group=group if route == Route.GENERAL else [],
            liquidation_report=liquidation_report)
        if route == Route.GENERAL:
            _file_group(closure, enterprise)
        record(stream_for_application(application.pk), "closing.opened", actor=actor,
               data={"route": route, "uscc": enterprise.uscc})
    return application


def _route_errors(route: str, debts: str, group: list[dict], *,
                  declared_later: bool = False) -> list[dict]:
    if route not in Route.values:
        return [_error("route", "closing.route", "请选择注销方式：简易注销或普通注销",
                       "choose the route: simplified or general")]
    if route == Route.SIMPLIFIED and debts not in Debts.values \
            and not (declared_later and not debts):
        return [_error("debts", "closing.debts",
                       "简易注销须承诺未发生债权债务或债权债务已清偿完结",
                       "a simplified closing declares no debts (none) or debts settled "
                       "(settled)")]
    if route == Route.GENERAL and not group:
        return [_error("liquidation_group", "closing.liquidation_group",
                       "普通注销须备案清算组成员", "a general closing files its liquidation "
                       "group's members")]
    if route == Route.GENERAL and sum(1 for m in group if m.get("leader")) != 1:
        return [_error("liquidation_group", "closing.liquidation_leader",
                       "清算组须有且只有一名负责人", "the liquidation group has exactly one "
                       "leader")]
    return []


def _file_group(closure: Closure, enterprise: Enterprise) -> None:
    """清算组备案: a ``filed`` event, and the creditors' notice for 45 days."""
    from yilian.registry import history

    now = timezone.now()
    closure.group_filed_at = now
    closure.save(update_fields=["group_filed_at"])
    members = [m["name"] for m in closure.liquidation_group]
    history.record(enterprise, EventKind.FILED, closure.application_id,
                   {"liquidation_group": [None, members]}, at=now)
    leader = next(m["name"] for m in closure.liquidation_group if m.get("leader"))
    _publish(closure, NoticeKind.CREDITORS, now, now + dt.timedelta(days=CREDITORS_DAYS),
             f"清算组成员：{'、'.join(members)}；负责人：{leader}。请债权人自公告之日起"
             f"{CREDITORS_DAYS}日内向清算组申报债权。")


def _publish(closure: Closure, kind: str, starts: dt.datetime, ends: dt.datetime,
             text: str) -> Notice:
    application = closure.application
    return Notice.objects.create(closure=closure, kind=kind, uscc=application.uscc,
                                 name=application.name,
                                 division_code=application.division_code, text=text,
                                 starts_at=starts, ends_at=ends)


def update_closure(application, actor, data: dict[str, Any]) -> Closure:
    """Change what a closing declares while its form may change: the debts (simplified)
    or the liquidation report (general). The route and the filed group stay."""
    from yilian.forms import services as forms

    forms.check_can_edit(application, actor)
    closure = application.closure
    fields = []
    if "debts" in data:
        if closure.route != Route.SIMPLIFIED or data["debts"] not in Debts.values:
            raise ClosingError(_route_errors(Route.SIMPLIFIED, "", [])
                               if closure.route == Route.SIMPLIFIED else
                               [_error("debts", "closing.debts_general",
                                       "普通注销不作债权债务承诺，由清算报告说明",
                                       "a general closing declares its debts in the "
                                       "liquidation report")])
        closure.debts = data["debts"]
        fields.append("debts")
    if "liquidation_report" in data:
        closure.liquidation_report = data["liquidation_report"]
        fields.append("liquidation_report")
    closure.save(update_fields=fields)
    record(stream_for_application(application.pk), "closing.updated", actor=actor,
           data={"fields": fields})
    return closure


def submission_errors(application, now: dt.datetime | None = None) -> list[dict]:
    """What a closing must have before it is submitted: its route's declarations; for
    the general route, the liquidation report, after the creditors' notice ended."""
    closure = Closure.objects.filter(application=application).first()
    if closure is None:
        return [_error("route", "closing.route", "请选择注销方式：简易注销或普通注销",
                       "choose the route: simplified or general")]
    errors = _route_errors(closure.route, closure.debts, closure.liquidation_group)
    if closure.route == Route.GENERAL:
        notice = closure.notices.filter(kind=NoticeKind.CREDITORS).first()
        if notice and notice.ends_at > (now or timezone.now()):
            day = timezone.localtime(notice.ends_at).date().isoformat()
            errors.append(_error(
                "liquidation_report", "closing.creditors_notice",
                f"债权人公告期至{day}届满，届满后方可提交清算报告",
                f"the creditors' notice runs until {day}: submit the liquidation report "
                "after it"))
        if not closure.liquidation_report.strip():
            errors.append(_error("liquidation_report", "closing.liquidation_report",
                                 "请填写经确认的清算报告",
                                 "attach the liquidation report as confirmed"))
    return errors


def decision():
    """A closing's admission decision: the rules of establishment (names, licensed
    activities) say nothing about closing one; what it must declare is checked by
    :func:`submission_errors`."""
    from yilian.rules.engine import Decision

    return Decision(outcome="approve", findings=())


def needs_consent(application, party) -> bool:
    """Whether ``party`` must confirm the closing application: every investor (全体投资人
    书面承诺, 市场主体登记管理条例第三十三条; the shareholders confirm the liquidation
    report, 公司法第二百三十九条 — checked: false); with no investor on the form, the
    one who runs the enterprise."""
    if "investor" in party.roles:
        return True
    from yilian.forms.models import Party

    has_investor = any("investor" in p.roles
                       for p in Party.objects.filter(application=application))
    return not has_investor and bool(RUNNERS & set(party.roles))


def accepted(application, actor=None) -> None:
    """The closing was accepted (受理): the enterprise is closing; a simplified closing
    is published for its notice period (its chain starts when that ends without
    objection: :func:`start_due`), anything else starts its chain now."""
    closure = Closure.objects.select_related("application").get(application=application)
    Enterprise.objects.filter(uscc=application.uscc).update(status=EnterpriseStatus.CLOSING)
    now = timezone.now()
    if closure.route == Route.SIMPLIFIED and application.org_form not in UNPUBLISHED:
        days = settings.CLOSING_NOTICE_DAYS
        _publish(closure, NoticeKind.SIMPLIFIED, now, now + dt.timedelta(days=days),
                 _commitment(closure))
        record(stream_for_application(application.pk), "closing.published", actor=actor,
               data={"days": days})
        closure.stage = Stage.NOTICE
        closure.save(update_fields=["stage"])
        if days > 0:
            return
    _start(closure, actor)


def _commitment(closure: Closure) -> str:
    debts = Debts(closure.debts).label if closure.debts else ""
    return (f"本企业申请简易注销登记，全体投资人承诺：{debts}，并对承诺的真实性负责。"
            "如有异议，请在公示期内提出。")


def _start(closure: Closure, actor=None) -> bool:
    """Start the closing's chain once (whoever calls first: the sweeper, an examiner's
    dismissal, acceptance): the chain is timed from now, not from acceptance."""
    from yilian.chain.models import Chain
    from yilian.chain.services import start_chain

    moved = Closure.objects.filter(pk=closure.pk, stage__in=(Stage.DRAFT, Stage.NOTICE)
                                   ).update(stage=Stage.CHAIN)
    if not moved:
        return False
    closure.stage = Stage.CHAIN
    chain = start_chain(closure.application, actor)
    now = timezone.now()
    Chain.objects.filter(pk=chain.pk).update(
        accepted_at=now, deadline_at=now + dt.timedelta(seconds=settings.SLA_SECONDS))
    return True


def start_due(now: dt.datetime | None = None) -> int:
    """The sweeper's job: start the chain of every simplified closing whose notice
    ended without an objection standing. Returns how many started."""
    now = now or timezone.now()
    due = (Closure.objects.filter(stage=Stage.NOTICE, notices__kind=NoticeKind.SIMPLIFIED,
                                  notices__ends_at__lte=now)
           .exclude(notices__objections__verdict__in=(Verdict.PENDING, Verdict.UPHELD))
           .select_related("application"))
    started = 0
    for closure in due:
        with transaction.atomic():
            started += _start(closure)
    return started


class ObjectionRefused(Exception):
    """The notice takes no objection now (``errors``: field errors)."""

    def __init__(self, errors: list[dict], retry_after: int | None = None) -> None:
        super().__init__(errors[0]["message_en"])
        self.errors = errors
        self.retry_after = retry_after  # seconds, when refused for too many


def object_to(notice: Notice, objector: str, contact: str, reason: str,
              now: dt.datetime | None = None, client: str = "") -> Objection:
    """异议: anyone objects to a simplified closing during its notice; the closing stops
    and waits for an examiner. ``client`` is the address it came from: past
    ``settings.OBJECTIONS_PER_CLIENT`` in an hour, it is refused (``objection.too_many``)
    and nothing is stored."""
    now = now or timezone.now()
    client = client[:64]
    if client:
        _check_client(client, now)
    errors = []
    for field, value, zh, en in (("objector", objector, "请填写异议人姓名或名称",
                                  "give your name or your organisation's"),
                                 ("contact", contact, "请填写联系方式", "give a contact"),
                                 ("reason", reason, "请说明异议理由", "give the reason")):
        if not (value or "").strip():
            errors.append(_error(field, f"objection.{field}", zh, en))
    for field, value in (("objector", objector), ("contact", contact), ("reason", reason)):
        # What the register keeps of each: longer is refused, never cut or a 500.
        limit = Objection._meta.get_field(field).max_length
        if len((value or "").strip()) > limit:
            errors.append(_error(field, "objection.too_long",
                                 f"不能超过{limit}个字符", f"at most {limit} characters"))
    if notice.kind != NoticeKind.SIMPLIFIED or not notice.starts_at <= now < notice.ends_at:
        errors.append(_error("notice", "objection.closed", "该公告不在公示期内，不能提出异议",
                             "this notice is not open to objections"))
    if errors:
        raise ObjectionRefused(errors)
    with transaction.atomic():
        objection = Objection.objects.create(notice=notice, objector=objector.strip(),
                                             contact=contact.strip(), reason=reason.strip(),
                                             client=client)
        Closure.objects.filter(pk=notice.closure_id, stage=Stage.NOTICE
                               ).update(stage=Stage.OBJECTED)
        record(stream_for_application(notice.closure_id), "closing.objected", actor=None,
               data={"objection": objection.pk})
    return objection


def _check_client(client: str, now: dt.datetime) -> None:
    recent = Objection.objects.filter(client=client, filed_at__gte=now - OBJECTION_WINDOW)
    over = recent.count() - settings.OBJECTIONS_PER_CLIENT
    if over < 0:
        return
    # Free again once enough of them have left the window.
    oldest = recent.order_by("filed_at").values_list("filed_at", flat=True)[over]
    remaining = (oldest + OBJECTION_WINDOW - now).total_seconds()
    wait, minutes = max(1, math.ceil(remaining)), max(1, math.ceil(remaining / 60))
    raise ObjectionRefused([_error(
        "client", TOO_MANY, f"异议提交过于频繁，请{minutes}分钟后再试",
        f"too many objections from this address; try again in {minutes} min")],
        retry_after=wait)


def decide(objection: Objection, examiner, upheld: bool, comment: str = "") -> Objection:
    """An examiner decides an objection: upheld → the closing is refused and the
    enterprise is active again; dismissed → the closing goes on (its chain starts if the
    notice has ended and no other objection stands)."""
    from yilian.forms.models import Application, Status
    from yilian.forms.services import release_name

    with transaction.atomic():
        objection = Objection.objects.select_for_update().select_related(
            "notice__closure__application").get(pk=objection.pk)
        if objection.verdict != Verdict.PENDING:
            raise ObjectionRefused([_error("verdict", "objection.decided",
                                           "该异议已处理", "this objection was decided")])
        objection.verdict = Verdict.UPHELD if upheld else Verdict.DISMISSED
        objection.decided_by, objection.decided_at = examiner, timezone.now()
        objection.comment = comment
        objection.save(update_fields=["verdict", "decided_by", "decided_at", "comment"])
        closure = objection.notice.closure
        application = closure.application
        record(stream_for_application(application.pk), "closing.objection_decided",
               actor=examiner, data={"objection": objection.pk, "verdict": objection.verdict})
        if upheld:
            Closure.objects.filter(pk=closure.pk).update(stage=Stage.REFUSED)
            Application.objects.filter(pk=application.pk).update(
                status=Status.REJECTED,
                review_comment=f"异议成立，不予注销：{comment}".rstrip("：")[:2000])
            application.status = Status.REJECTED
            release_name(application, Status.REJECTED)
            Enterprise.objects.filter(uscc=application.uscc,
                                      status=EnterpriseStatus.CLOSING
                                      ).update(status=EnterpriseStatus.ACTIVE)
            return objection
        standing = Objection.objects.filter(notice__closure=closure,
                                            verdict=Verdict.PENDING).exists()
        if not standing:
            Closure.objects.filter(pk=closure.pk, stage=Stage.OBJECTED
                                   ).update(stage=Stage.NOTICE)
    start_due()
    return objection
