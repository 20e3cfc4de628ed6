"""Parties' consent (实名确认): every natural person the application names confirms it.

A **party** (:class:`~yilian.forms.models.Party`) is derived from the form (:func:`sync`):
each natural-person investor, the person signing for each corporate investor, and each
person in office (legal representative, directors, supervisors, manager, financial
officer, tax handler, contact) — one party per person (the normalized ID number), with
every role they hold. Nobody chooses who must confirm: a person is a party exactly while
the form names them, so a party cannot be dropped while still in the form.

A confirmation binds the form as it stood (:func:`form_digest`): an edit afterwards makes
it stale and the party confirms again. :func:`pending_errors` is the gate that
:func:`yilian.forms.services.submit_application` adds to the form's own checks, and
:func:`identity_errors` asks the identity service (身份核验, :mod:`yilian.departments.
identity`) once more at submission whether each party's name, ID number and phone belong
together. The actions (invite, confirm) are in :mod:`yilian.forms.consent`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from yilian.audit.services import record, stream_for_application
from yilian.codes import resident_id
from yilian.codes.errors import InvalidCode
from yilian.departments import queries
from yilian.departments.base import TransientError
from yilian.departments.identity import normalize_id
from yilian.forms.models import ROW_FIELDS, Application, InvestorKind, Party, Role
from yilian.forms.validation._common import field_error

# What a party agrees to: every part of the form an applicant fills in.
_SIGNED_FIELDS = ("name", "org_form", "registered_capital", "domicile", "division_code",
                  "industry_code", "business_scope", "operating_term_years", "seals",
                  "invoices", "bank_appointment", "permits", "pledges", "composition",
                  "parent_uscc", "audit_committee")
INVESTOR = "investor"
CORPORATE_SIGNATORY = "corporate_signatory"
ROLE_LABELS = {INVESTOR: gettext_noop("出资人"),
               CORPORATE_SIGNATORY: gettext_noop("企业出资人签署人"),
               **{role.value: role.label for role in Role}}
_ROLE_EN = {INVESTOR: "investor", CORPORATE_SIGNATORY: "signatory of a corporate investor"}
# How often a query is asked again at once when the identity service stumbles: it
# changes nothing, so asking again is safe, and a person should not retry by hand for a
# dropped packet. An outage outlasts these and is said as such.
_IDENTITY_TRIES = 3


class PartyError(Exception):
    """A bilingual reason an invitation or a confirmation was refused; ``field`` is the
    form path it concerns (``people[0].phone``) when there is one."""

    def __init__(self, code: str, zh: str, en: str, field: str = "parties") -> None:
        super().__init__(en)
        self.code, self.message_zh, self.message_en, self.field = code, zh, en, field

    def as_field_error(self) -> dict:
        return field_error(self.field, self.code, self.message_zh, self.message_en)


@dataclass(frozen=True)
class Named:
    """A natural person as the form names them, at their first place in the form."""

    id_number: str
    name: str
    phone: str
    roles: tuple[str, ...]
    path: str  # investors[1] or people[3]
    fields: tuple[str, str, str]  # the row's name, ID number and phone fields


def role_label(role: str, org_form: str = "") -> str:
    """One role's label in Chinese: a member is called what the kind calls its members
    (股东, 发起人, 合伙人, 成员, 经营者, 投资人 — the catalogue's ``members.term_zh``), else
    出资人."""
    if role == INVESTOR:
        members = _members(org_form)
        if members:
            return members["term_zh"]
    return ROLE_LABELS.get(role, role)


def _members(org_form: str) -> dict | None:
    from yilian.refdata import kinds

    kind = kinds.all_kinds().get(org_form)
    return kind.members if kind is not None else None


def role_labels(roles, org_form: str = "") -> str:
    """职务 in Chinese (audit, messages): 股东、法定代表人."""
    return "、".join(role_label(r, org_form) for r in roles)


def roles_en(roles, org_form: str = "") -> str:
    members = _members(org_form) if INVESTOR in roles else None
    return ", ".join(members["term_en"] if r == INVESTOR and members
                     else _ROLE_EN.get(r, r.replace("_", " ")) for r in roles)


def named_in(application: Application) -> list[Named]:
    """Every natural person the form names, once each, in form order (investors first).
    Rows without a valid ID number are left out: the form's checks report them, and a
    person cannot be told apart without one."""
    found: dict[str, dict] = {}

    def add(number: str, name: str, phone: str, role: str, path: str, fields) -> None:
        try:
            number = resident_id.validate(normalize_id(number)).number
        except InvalidCode:
            return
        entry = found.setdefault(number, {"name": (name or "").strip(),
                                          "phone": (phone or "").strip(), "roles": [],
                                          "path": path, "fields": fields})
        if role not in entry["roles"]:
            entry["roles"].append(role)

    for i, investor in enumerate(_in_order(application.investors.all())):
        if investor.kind == InvestorKind.CORPORATE:
            add(investor.signatory_id_number, investor.signatory_name,
                investor.signatory_phone, CORPORATE_SIGNATORY, f"investors[{i}]",
                ("signatory_name", "signatory_id_number", "signatory_phone"))
        else:
            add(investor.id_number, investor.name, investor.phone, INVESTOR,
                f"investors[{i}]", ("name", "id_number", "phone"))
    for i, person in enumerate(_in_order(application.people.all())):
        add(person.id_number, person.name, person.phone, person.role, f"people[{i}]",
            ("name", "id_number", "phone"))
    return [Named(number, e["name"], e["phone"], tuple(e["roles"]), e["path"], e["fields"])
            for number, e in found.items()]


def _in_order(rows) -> list:
    return sorted(rows, key=lambda row: (row.position, row.pk))


def sync(application: Application, actor=None) -> list[Party]:
    """Make the parties exactly the people the form names: add the newly named, drop
    those no longer named, and bring names, phones and roles up to date. Called on every
    save of the form's people and at submission."""
    named = named_in(application)
    existing = {p.id_number: p for p in Party.objects.filter(application=application)}
    stream = stream_for_application(application.pk)
    for number, party in existing.items():
        if number not in {n.id_number for n in named}:
            record(stream, "party.removed", actor=actor,
                   data={"party": party.pk, "roles": party.roles})
            party.delete()
    parties = []
    for position, person in enumerate(named):
        party = existing.get(person.id_number)
        wanted = {"name": person.name[:50], "phone": person.phone[:20],
                  "roles": list(person.roles), "position": position}
        if party is None:
            party = Party.objects.create(application=application, id_number=person.id_number,
                                         token=secrets.token_urlsafe(32), **wanted)
            record(stream, "party.added", actor=actor,
                   data={"party": party.pk, "roles": party.roles})
        elif any(getattr(party, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(party, key, value)
            party.save(update_fields=list(wanted))
        parties.append(party)
    return parties


def form_digest(application: Application) -> str:
    """SHA-256 of the form's content (not its status or timestamps), rows in form order:
    what a party's confirmation is bound to."""
    content = {field: getattr(application, field) for field in _SIGNED_FIELDS}
    for key, fields in ROW_FIELDS.items():
        rows = _in_order(getattr(application, key).all())
        content[key] = [[getattr(row, f) for f in fields] for row in rows]
    body = json.dumps(content, ensure_ascii=False, sort_keys=True, default=_plain)
    return hashlib.sha256(body.encode()).hexdigest()


def _plain(value):
    # Decimal("1000000.00") and Decimal("1000000") are one amount; dates as ISO text.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def state(party: Party, digest: str | None = None) -> str:
    """``pending`` (not yet), ``confirmed``, or ``stale`` (the form changed since)."""
    if party.confirmed_at is None:
        return "pending"
    digest = digest or form_digest(party.application)
    return "confirmed" if party.form_digest == digest else "stale"


def parties_of(application: Application,
               parties: list[Party] | None = None) -> list[tuple[Party, str]]:
    """Each party with its :func:`state`, in form order; ``parties``: the rows
    :func:`sync` just returned (the same rows, in that order), when the caller has them."""
    digest = form_digest(application)
    if parties is None:
        parties = Party.objects.filter(application=application)
    return [(p, state(p, digest)) for p in parties]


def pending_errors(application: Application, parties: list[Party] | None = None) -> list[dict]:
    """One error (``parties.unconfirmed``) per party who has not confirmed this form,
    naming them and their roles (``parties``: as in :func:`parties_of`)."""
    from yilian.forms import afterwards

    errors = []
    for party, now in parties_of(application, parties):
        if now == "confirmed" or (application.purpose != "establish"
                                  and not afterwards.needs_consent(application, party)):
            continue
        zh, en = (role_labels(party.roles, application.org_form),
                  roles_en(party.roles, application.org_form))
        stale_zh = "（确认后表单已修改，需重新确认）" if now == "stale" else ""
        stale_en = " (the form changed after they confirmed)" if now == "stale" else ""
        errors.append(field_error(
            "parties", "parties.unconfirmed",
            f"{zh}{party.name}尚未确认{stale_zh}，全部当事人确认后才能提交",
            f"{party.name} ({en}) has not confirmed{stale_en}; every "
            "party must confirm before submission"))
    return errors


def check_identity(person: Named | Party, path: str = "", fields=None) -> None:
    """身份核验 — raise :class:`PartyError` unless the identity service says this name,
    ID number and phone belong to one person; the error names the person and points at
    the field that does not belong (``people[0].phone``)."""
    name_field, id_field, phone_field = fields or ("name", "id_number", "phone")
    payload = {"name": person.name, "id_number": person.id_number, "phone": person.phone}
    answer = _ask(payload)
    if answer.ok:
        return
    where = f"{path}." if path else ""
    who = person.name or "—"
    if answer.reason == "phone_mismatch":
        raise PartyError("identity.phone_mismatch",
                         f"身份核验未通过：{who}的身份证号码与手机号码不属于同一人",
                         f"identity check failed: {who}'s ID number and mobile number do "
                         "not belong to the same person", f"{where}{phone_field}")
    if answer.reason == "name_mismatch":
        raise PartyError("identity.name_mismatch",
                         f"身份核验未通过：{who}的姓名与身份证号码不符",
                         f"identity check failed: the name {who} does not match the ID "
                         "number", f"{where}{name_field}")
    raise PartyError("identity.not_found", f"身份核验未通过：查无{who}的身份证号码",
                     f"identity check failed: no person is registered under {who}'s ID "
                     "number", f"{where}{id_field}")


def _ask(payload: dict):
    service = queries.get("identity")
    for attempt in range(_IDENTITY_TRIES):
        try:
            return service.ask(payload)
        except TransientError:
            if attempt + 1 == _IDENTITY_TRIES:
                raise PartyError("identity.unavailable",
                                 "身份核验服务暂时无法使用，请稍后再试",
                                 "the identity check service cannot be reached right now; "
                                 "please try again in a few minutes") from None
    raise AssertionError("unreachable")


def identity_errors(application: Application) -> list[dict]:
    """身份核验 of every party at submission, as field errors. When the service cannot
    answer the submission is refused with one "try again" error: never a silent pass."""
    errors = []
    for person in named_in(application):
        try:
            check_identity(person, person.path, person.fields)
        except PartyError as exc:
            errors.append(exc.as_field_error())
            if exc.code == "identity.unavailable":
                return [exc.as_field_error()]
    return errors


def path_of(party: Party) -> tuple[str, tuple[str, str, str]]:
    """Where the form first names ``party`` (for errors beside their inputs)."""
    for person in named_in(party.application):
        if person.id_number == party.id_number:
            return person.path, person.fields
    return "parties", ("name", "id_number", "phone")


def invitations_for(user) -> QuerySet[Party]:
    """Parties with this account's phone (its username) on forms still open."""
    return (Party.objects.filter(phone=user.get_username(),
                                 application__status__in=("draft", "returned"))
            .exclude(application__owner=user)
            .select_related("application"))
