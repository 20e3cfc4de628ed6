"""What each kind of market entity (市场主体类型) asks of the form beyond what every form
asks: partners and who manages a partnership, a cooperative's farmers, a joint-stock
company's paid-in shares, a branch's parent, an individual business's composition.

The figures and words are the catalogue's (:mod:`yilian.refdata.kinds`, with the article
each comes from); each error's code names the requirement (``partners.general_required``
…), so a test, an examiner and an API client can tell which rule was broken.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from yilian.codes import uscc
from yilian.codes.errors import InvalidCode
from yilian.forms.models import Application, Investor, InvestorKind, Liability, Role
from yilian.forms.validation._common import Errors, check_id, check_registered, check_required
from yilian.refdata import kinds

ADULT = 18


def check_available(errors: Errors, kind: kinds.Kind) -> None:
    if not kinds.is_open(kind):
        errors.add("org_form", "org_form.not_available",
                   f"“{kind.zh}”的网上设立登记尚未开通，请到政务服务中心窗口办理",
                   f"applying online for a {kind.en.lower()} is not open yet; please apply "
                   "at the service centre's window")


def check_members_of_kind(errors: Errors, app: Application, kind: kinds.Kind,
                          investors: list[Investor], today: dt.date) -> None:
    """The kind's own rules on its members (the form's investors table)."""
    check_shares(errors, kind, investors)
    if kind.family == "partnership":
        _check_partners(errors, app, kind, investors, today)
    elif kind.family == "cooperative":
        _check_cooperative_members(errors, kind, investors)


def check_shares(errors: Errors, kind: kinds.Kind, investors: list[Investor]) -> None:
    """认购股份 — a joint-stock company's promoters each subscribe a number of shares
    (公司法第97条), all at one price per share (第143条: 同次发行的同类别股份，每股的发行条件
    和价格应当相同): each promoter's amount divided by their shares is the same. Other
    kinds have no shares."""
    if not (kind.spec.get("capital") or {}).get("shares"):
        for i, investor in enumerate(investors):
            if investor.shares:
                errors.add(f"investors[{i}].shares", "investors.shares.not_applicable",
                           f"{kind.zh}不发行股份", f"a {kind.en} issues no shares")
        return
    prices = set()
    for i, investor in enumerate(investors):
        if not investor.shares:
            errors.add(f"investors[{i}].shares", "investors.shares.required",
                       "请填写该发起人认购的股份数", "the shares this promoter subscribes")
        elif investor.amount:
            prices.add(investor.amount / investor.shares)
    if len(prices) > 1:
        errors.add("investors", "investors.shares.price",
                   "同次发行的股份每股价格应当相同：各发起人的认购股款除以认购股份数应相等（公司法第143条）",
                   "shares issued together are issued at one price: each promoter's amount "
                   "divided by their shares must be the same (Company Law art. 143)")


def _check_partners(errors: Errors, app: Application, kind: kinds.Kind,
                    investors: list[Investor], today: dt.date) -> None:
    """合伙企业法 arts. 14, 16, 26, 55, 61, 64, 67: liability, labour, who manages. A
    natural partner's full civil capacity (art. 14) is the investor's age check, with the
    age and the rule's code from the catalogue (``min_age``, ``min_age_code``)."""
    members = kind.members or {}
    allowed = set(members.get("liability", ()))
    managers = []
    for i, partner in enumerate(investors):
        path = f"investors[{i}]"
        if not partner.liability:
            errors.add(f"{path}.liability", "partners.liability.required",
                       "请选择合伙人类型（普通合伙人或有限合伙人）",
                       "choose the partner's liability (general or limited partner)")
        elif partner.liability not in allowed:
            errors.add(f"{path}.liability", "partners.liability.not_allowed",
                       f"{kind.zh}的合伙人均为普通合伙人，承担无限连带责任",
                       f"every partner of a {kind.en.lower()} is a general partner with "
                       "unlimited liability")
        if (partner.liability == Liability.LIMITED and partner.contribution_method == "劳务"
                and members.get("no_labour_for") == Liability.LIMITED):
            errors.add(f"{path}.contribution_method", "partners.limited_no_labour",
                       "有限合伙人不得以劳务出资（合伙企业法第64条）",
                       "a limited partner may not contribute labour (Partnership "
                       "Enterprise Law art. 64)")
        if partner.managing:
            managers.append((i, partner))
    if members.get("at_least_one") and investors and not any(
            p.liability == members["at_least_one"] for p in investors):
        errors.add("investors", "partners.general_required",
                   "有限合伙企业至少应当有一个普通合伙人（合伙企业法第61条）",
                   "a limited partnership needs at least one general partner (Partnership "
                   "Enterprise Law art. 61)")
    _check_managing_partners(errors, kind, managers, today)
    _check_professional_services(errors, app, kind)


def _check_managing_partners(errors: Errors, kind: kinds.Kind,
                             managers: list[tuple[int, Investor]], today: dt.date) -> None:
    spec = kind.spec["managing_partner"]
    if not managers:
        errors.add("investors", "partners.managing_required",
                   "请指定执行事务合伙人（合伙企业法第26条）",
                   "name the partner(s) who carry out the partnership's affairs "
                   "(Partnership Enterprise Law art. 26)")
    for i, partner in managers:
        path = f"investors[{i}]"
        if spec.get("liability") and partner.liability != spec["liability"]:
            errors.add(f"{path}.managing", "partners.managing_general_only",
                       "有限合伙企业由普通合伙人执行合伙事务（合伙企业法第67条）",
                       "in a limited partnership only general partners carry out its "
                       "affairs (Partnership Enterprise Law art. 67)")
        if partner.kind == InvestorKind.CORPORATE and spec.get("corporate_needs_representative"):
            check_required(errors, f"{path}.representative_name", partner.representative_name,
                           "委派代表姓名", "the appointed representative's name")
            check_id(errors, f"{path}.representative_id_number",
                     partner.representative_id_number, today, min_age=ADULT, role="委派代表")
            from yilian.forms.validation.parties import check_mobile

            check_mobile(errors, f"{path}.representative_phone", partner.representative_phone,
                         "委派代表", "investors.representative_phone")


def _check_professional_services(errors: Errors, app: Application, kind: kinds.Kind) -> None:
    spec = (kind.members or {}).get("professional_services")
    if spec and app.industry_code[:2] not in spec["industry_divisions"]:
        errors.add("industry_code", "partners.special.professional_services",
                   "特殊的普通合伙企业限于以专业知识和专门技能提供有偿服务的专业服务机构"
                   "（合伙企业法第55条），所属行业应为商务服务、研究和试验发展或专业技术服务",
                   "a special general partnership is for professional-service firms "
                   "(Partnership Enterprise Law art. 55): its industry must be business, "
                   "research or professional technical services (GB/T 4754 72-74)")


def _check_cooperative_members(errors: Errors, kind: kinds.Kind,
                               investors: list[Investor]) -> None:
    """农民专业合作社法 (2017) art. 20: farmers at least 80 %; one organisation in up to
    20 members, at most 5 % organisations above that."""
    members = kind.members or {}
    total = len(investors)
    if not total:
        return
    for i, member in enumerate(investors):
        if member.kind == InvestorKind.CORPORATE and member.farmer:
            errors.add(f"investors[{i}].farmer", "members.farmer_natural_only",
                       "企业、事业单位或者社会组织成员不是农民成员",
                       "an enterprise or organisation member is not a farmer member")
    farmers = sum(1 for m in investors if m.kind == InvestorKind.NATURAL and m.farmer)
    share = Decimal(str(members["farmers_at_least"]))
    if Decimal(farmers) < share * total:
        errors.add("investors", "members.farmer_share",
                   f"农民至少应当占成员总数的{share * 100:.0f}%（现{farmers}/{total}）",
                   f"farmers must be at least {share * 100:.0f}% of the members "
                   f"({farmers} of {total})")
    organisations = sum(1 for m in investors if m.kind == InvestorKind.CORPORATE)
    limits = members["organisations"]
    if total <= 20 and organisations > limits["up_to_20_members"]:
        errors.add("investors", "members.organisations",
                   "成员总数二十人以下的，企业、事业单位或者社会组织成员至多一个",
                   "with 20 members or fewer, at most one member may be an enterprise or "
                   "organisation")
    elif total > 20 and Decimal(organisations) > Decimal(str(limits["over_20_share"])) * total:
        errors.add("investors", "members.organisations",
                   "成员总数超过二十人的，企业、事业单位和社会组织成员不得超过成员总数的5%",
                   "with more than 20 members, enterprises and organisations may be at most "
                   "5% of the members")


def check_people_of_kind(errors: Errors, app: Application, kind: kinds.Kind,
                         by_role: dict[str, list[tuple[int, str]]],
                         investors: list[Investor]) -> None:
    """Offices the kind ties to its members, an individual business's family, and a
    company's supervisory arrangement."""
    check_supervision(errors, app, kind, by_role)
    if kind.family == "cooperative":
        numbers = {i.id_number.upper() for i in investors if i.id_number}
        for i, number in by_role[Role.LEGAL_REPRESENTATIVE]:
            if number and number.upper() not in numbers:
                errors.add(f"people[{i}].id_number", "people.legal_representative.not_member",
                           "理事长由成员大会从本社成员中选举产生，应为本社成员",
                           "the chair (理事长) is elected from the cooperative's members")
    if kind.family == "individual":
        family = by_role[Role.FAMILY_MEMBER]
        if app.composition == "family" and not family:
            errors.add("people", "people.family_member.required",
                       "家庭经营的，请填写参加经营的家庭成员",
                       "a family-run business lists the family members who take part")
        elif app.composition == "individual" and family:
            errors.add("people", "people.family_member.not_applicable",
                       "个人经营的个体工商户不填写家庭成员",
                       "an individually run business lists no family members")


def check_supervision(errors: Errors, app: Application, kind: kinds.Kind,
                      by_role: dict[str, list[tuple[int, str]]]) -> None:
    """监督机构 — a board of supervisors or a supervisor, or an audit committee of the
    board instead (公司法第69条、第121条; the catalogue's ``audit_committee``). A
    joint-stock company without either is refused; an LLC may have neither with all
    shareholders' consent (第83条), which the pledge covers."""
    rule = kind.spec.get("audit_committee")
    if not rule:
        if app.audit_committee:
            errors.add("audit_committee", "audit_committee.not_applicable",
                       f"{kind.zh}不设董事会审计委员会", f"a {kind.en} has no audit committee")
        return
    directors = len(by_role[Role.DIRECTOR])
    if app.audit_committee and directors < rule["needs_board_of"]:
        errors.add("audit_committee", "audit_committee.needs_board",
                   f"审计委员会设在董事会中，董事会成员为{rule['needs_board_of']}人以上"
                   f"（现有董事{directors}名）",
                   f"an audit committee sits in a board of directors of "
                   f"{rule['needs_board_of']} or more (there are {directors} directors)")
    if (rule["without_supervisors"] == "audit_committee" and not app.audit_committee
            and not by_role[Role.SUPERVISOR]):
        errors.add("people", "people.supervisor.or_audit_committee",
                   "股份有限公司应设监事会或监事，或在董事会中设审计委员会（公司法第121条、第130条、第133条）",
                   "a joint-stock company has a board of supervisors or a supervisor, or an "
                   "audit committee of its board")


def check_enterprise_of_kind(errors: Errors, app: Application, kind: kinds.Kind) -> None:
    """The enterprise fields a kind adds or takes away."""
    if kind.family == "individual":
        choices = kind.spec["composition"]["choices"]
        if app.composition not in choices:
            errors.add("composition", "composition.required",
                       "请选择组成形式（个人经营或家庭经营）",
                       "choose how the business is run (individually or by a family)")
    elif app.composition:
        errors.add("composition", "composition.not_applicable", "仅个体工商户填写组成形式",
                   "only an individual business has a composition")
    if kind.family == "branch":
        _check_parent(errors, app)
    elif app.parent_uscc:
        errors.add("parent_uscc", "parent_uscc.not_applicable", "仅分公司填写隶属企业",
                   "only a branch belongs to a parent company")


def _check_parent(errors: Errors, app: Application) -> None:
    """公司法第13条: a branch belongs to a company — one in the register."""
    if not check_required(errors, "parent_uscc", app.parent_uscc, "隶属企业统一社会信用代码",
                          "the parent company's credit code"):
        return
    parent = parent_company(errors, app.parent_uscc)
    name = (app.name or "").strip()
    if parent is not None and name and not name.startswith(parent.name):
        errors.add("name", "name.branch_parent",
                   f"分公司名称应冠以隶属企业的名称“{parent.name}”",
                   f"a branch's name begins with its company's name ({parent.name})")


def parent_company(errors: Errors, code: str):
    """隶属企业 — the register's enterprise of credit code ``code`` that a branch belongs
    to, or None with the reason in ``errors`` (on ``parent_uscc``); one that is there but
    not a company is returned, with its error. The submission check and the page's live
    lookup (which shows the company's name) ask this one function."""
    try:
        code = uscc.validate(code.strip().upper()).code
    except InvalidCode as exc:
        errors.invalid("parent_uscc", exc)
        return None
    parent = check_registered(errors, "parent_uscc", code)
    if parent is None:
        return None
    parent_kind = kinds.all_kinds().get(parent.org_form)
    if parent_kind is not None and parent_kind.family != "company":
        errors.add("parent_uscc", "parent_uscc.not_company",
                   f"“{parent.name}”不是公司，不能设立分公司",
                   f"{parent.name} is not a company and cannot have a branch company")
    return parent
