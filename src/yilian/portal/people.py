"""The people step (人员): each office asked as a question, answered by picking a person.

A person the form already names — an investor, the person signing for a corporate
investor, or someone already given another office — is offered by name for every
office ("张伟（出资人）"), so their name, ID number and phone are typed once; only
"someone else" (其他人) opens blank fields. No e-mail is asked: no department reads a
person's e-mail (``departments/*``: ``build_payload``), so asking would only add typing;
one given through the API is shown to be corrected or cleared, and kept. The offices
asked, and which of them must be answered, follow the organization form
(:mod:`yilian.refdata.offices`), as the submission checks do.

The one-form JSON does not change: ``people`` stays a list of rows (role, name,
ID number, phone, e-mail), one per office held. This module turns those rows into the
page's questions (:func:`questions`), the page's POST back into rows (:func:`parse`),
and the checks' field errors (``people[2].id_number``) into the input they concern on
this page (:func:`relocate`). Pure functions of the JSON and the POST, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yilian.codes import resident_id
from yilian.codes.errors import InvalidCode
from yilian.departments.identity import normalize_id
from yilian.forms import parties
from yilian.forms.models import OrgForm, Role
from yilian.portal import steps
from yilian.refdata import kinds, offices

QUESTIONS = {
    Role.LEGAL_REPRESENTATIVE: _("谁担任法定代表人？"),
    Role.DIRECTOR: _("谁担任董事？"),
    Role.SUPERVISOR: _("谁担任监事？"),
    Role.MANAGER: _("谁担任经理？"),
    Role.FINANCIAL_OFFICER: _("谁负责财务？"),
    Role.TAX_HANDLER: _("由谁办理涉税事项？"),
    Role.CONTACT: _("联系人是谁？"),
    Role.PERSON_IN_CHARGE: _("谁担任分公司负责人？"),
    Role.FAMILY_MEMBER: _("哪些家庭成员参加经营？"),
}
# A sole proprietorship (个人独资企业) has no legal representative in law: the form's
# legal_representative row is its 负责人, the investor or the person they entrust.
FORM_QUESTIONS = {(OrgForm.SOLE_PROPRIETORSHIP, Role.LEGAL_REPRESENTATIVE):
                  _("谁负责企业事务（负责人）？"),
                  # 农民专业合作社法第33条: 理事长 is its legal representative, 理事 and
                  # 执行监事 or 监事会 its other offices (the catalogue's ``title_zh``).
                  (OrgForm.COOPERATIVE, Role.LEGAL_REPRESENTATIVE):
                  _("谁担任理事长（法定代表人）？"),
                  (OrgForm.COOPERATIVE, Role.DIRECTOR): _("谁担任理事？"),
                  (OrgForm.COOPERATIVE, Role.SUPERVISOR): _("谁担任执行监事或监事会成员？")}
FORM_HINTS = {(OrgForm.COOPERATIVE, Role.LEGAL_REPRESENTATIVE):
              _("理事长由成员大会从本社成员中选举产生。"),
              (OrgForm.COOPERATIVE, Role.DIRECTOR): _("可以设理事会，也可以不设。"),
              (OrgForm.COOPERATIVE, Role.SUPERVISOR): _("可以设执行监事一名或监事会，也可以不设。")}
HINTS = {
    Role.LEGAL_REPRESENTATIVE: _("法定代表人由执行公司事务的董事或经理担任（公司法第十条）。"),
    Role.DIRECTOR: _("设董事会的选三人以上；规模较小、股东人数较少的可不设董事会，选一人。"),
    Role.SUPERVISOR: _("设监事会的选三人以上，或选一名监事；经全体股东一致同意，或设审计委员会"
                       "的，可以不设监事。监事不得由董事、经理、财务负责人兼任。"),
    Role.MANAGER: _("可以不设经理。"),
    Role.FINANCIAL_OFFICER: _("税务机关联系的财务负责人。"),
    Role.TAX_HANDLER: _("可以选多人。"),
    Role.CONTACT: _("登记机关联系企业的登记联络员。"),
    Role.PERSON_IN_CHARGE: _("分公司不具有法人资格，由负责人主持其经营（公司法第十三条）。"),
    Role.FAMILY_MEMBER: _("家庭经营的个体工商户，参加经营的家庭成员姓名应当备案。"),
}
NEW = "new"    # "someone else": the blank fields of a person not yet in the form
NONE = "none"  # an optional office left unfilled (不设)
# "The person typed under someone else for office X" (``same:financial_officer``): a
# choice people.js offers before the page is saved; without a script it never comes.
SAME = "same:"
PERSON_FIELDS = ("name", "id_number", "phone", "email")


@dataclass
class Known:
    """A natural person already in the form, once (the key is the normalized ID number)."""

    n: int
    key: str
    name: str
    id_number: str
    phone: str
    email: str
    roles: list[str]
    from_investors: bool  # name, ID and phone are edited on the investors step
    first_row: int | None = None  # the first people row naming them
    org_form: str = ""  # a member is called by the kind's own word (股东, 合伙人 …)

    @property
    def roles_text(self) -> str:
        return "、".join(gettext(parties.role_label(r, self.org_form)) for r in self.roles)

    @property
    def label(self) -> str:
        return f"{self.name}（{self.roles_text}）"

    @property
    def masked_id(self) -> str:
        return self.id_number[:4] + "*" * 10 + self.id_number[-4:]

    def input_id(self, name: str) -> str:
        """Where the person's own details are typed on this page: the ids of their first
        row (``people-3-phone``), so the checks' errors of that row land there; the ID
        number's id is the office's choice, so it has one of its own."""
        if self.first_row is None or name == "id_number":
            return f"known-{self.n}-{name}"
        return f"people-{self.first_row}-{name}"

    @property
    def ids(self) -> dict[str, str]:
        return {name: self.input_id(name) for name in PERSON_FIELDS}

    @property
    def names(self) -> dict[str, str]:
        """The inputs' names: what :func:`parse` reads back."""
        return {name: f"known-{self.n}-{name}" for name in PERSON_FIELDS}

    def row(self, role: str) -> dict:
        return {"role": role, "name": self.name, "id_number": self.id_number,
                "phone": self.phone, "email": self.email}


@dataclass
class Choice:
    value: str
    label: str
    checked: bool
    input_id: str
    row: int | None = None  # the people row this choice stands for, when chosen


@dataclass
class Question:
    role: str
    text: str
    hint: str
    required: bool
    several: bool
    choices: list[Choice]
    new: Choice
    none: Choice | None
    new_rows: list[tuple[int, dict]] = field(default_factory=list)

    @property
    def input_type(self) -> str:
        return "checkbox" if self.several else "radio"


def _valid(key: str) -> bool:
    try:
        resident_id.validate(key)
    except InvalidCode:
        return False
    return True


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _rows(data: dict, table: str) -> list[dict]:
    return [r for r in (data.get(table) or []) if isinstance(r, dict)]


def known_people(data: dict) -> list[Known]:
    """Everyone the form names with a valid ID number, once each, investors first; the
    first name and phone given win (the checks flag a row that disagrees), and the first
    e-mail given is theirs."""
    found: dict[str, Known] = {}

    def add(number, name, phone, email, role, investor, row=None) -> None:
        key = normalize_id(_text(number))
        if not _valid(key):
            return
        person = found.get(key)
        if person is None:
            person = found[key] = Known(len(found), key, _text(name), key, _text(phone),
                                        _text(email), [], investor,
                                        org_form=_text(data.get("org_form")))
        if role not in person.roles:
            person.roles.append(role)
        person.email = person.email or _text(email)
        if person.first_row is None and row is not None:
            person.first_row = row

    for inv in _rows(data, "investors"):
        if inv.get("kind") == "corporate":
            add(inv.get("signatory_id_number"), inv.get("signatory_name"),
                inv.get("signatory_phone"), "", parties.CORPORATE_SIGNATORY, True)
        else:
            add(inv.get("id_number"), inv.get("name"), inv.get("phone"), "",
                parties.INVESTOR, True)
    for i, person in enumerate(_rows(data, "people")):
        add(person.get("id_number"), person.get("name"), person.get("phone"),
            person.get("email"), person.get("role"), False, i)
    return list(found.values())


def questions(data: dict, add_role: str = "") -> list[Question]:
    """One question per office the organization form has, each offering everyone in
    the form; rows whose person is not known yet (no valid ID number) stay as typed
    under "someone else", and every question has blank fields for a new person."""
    known = known_people(data)
    people = _rows(data, "people")
    spare = len(people)
    out = []
    for role, office in offices.for_form(data.get("org_form") or "").items():
        if not office.exists or not _asked(data, role):
            continue
        held: dict[str, int] = {}
        typed: list[tuple[int, dict]] = []
        for i, row in enumerate(people):
            if row.get("role") != role:
                continue
            key = normalize_id(_text(row.get("id_number")))
            if any(k.key == key for k in known):
                held.setdefault(key, i)
            else:
                typed.append((i, row))
        if not typed or (office.several and add_role == role):
            typed.append((spare, {"role": role}))
            spare += 1
        typed_any = any(_typed(row) for _, row in typed)
        choices = [Choice(k.key, k.label, k.key in held,
                          f"people-{held[k.key]}-id_number" if k.key in held
                          else f"pick-{role}-{k.n}", held.get(k.key)) for k in known]
        new = Choice(NEW, gettext("其他人（填写姓名、身份证号码、手机号码）"),
                     typed_any or add_role == role, f"pick-{role}-new")
        none = None
        if not office.required and not office.several:
            none = Choice(NONE, gettext("不设"), not held and not new.checked,
                          f"pick-{role}-none")
        text = FORM_QUESTIONS.get((data.get("org_form"), role), QUESTIONS[role])
        hint = FORM_HINTS.get((data.get("org_form"), role), HINTS.get(role, ""))
        out.append(Question(role, str(text), str(hint), office.required,
                            office.several, choices, new, none, typed))
    return out


def _asked(data: dict, role: str) -> bool:
    """Is the office asked of this form? One the catalogue ties to a composition
    (``when_composition``: family members, of a family-run individual business) only
    when the form has that composition."""
    kind = kinds.all_kinds().get(data.get("org_form") or "")
    spec = kind.spec.get("offices") if kind else None
    when = spec.get(role, {}).get("when_composition") if isinstance(spec, dict) else None
    return when is None or data.get("composition") == when


def _typed(row: dict) -> bool:
    return any(_text(row.get(f)) for f in PERSON_FIELDS)


def parse(post: QueryDict, current: dict) -> dict:
    """The page's POST as the one-form ``people`` rows: each office's chosen people,
    copied from the form (with the details edited on this page), and the new people
    typed under "someone else"; an office nobody was chosen for keeps what was typed."""
    known = known_people(current)
    by_key = {k.key: k for k in known}
    for person in known:
        editable = ("email",) if person.from_investors else PERSON_FIELDS
        for name in editable:
            value = post.get(f"known-{person.n}-{name}")
            if value is not None:
                setattr(person, name, value.strip())
    drop = steps.row_index(post.get("remove"), "people")
    typed = [row for index, row in steps.indexed_rows(post, "people")
             if index != drop and _typed(row)]
    out: list[dict] = []
    for role in steps.ROLE_ORDER:
        new_rows = [row for row in typed if row.get("role") == role]
        picks = list(dict.fromkeys(post.getlist(f"pick-{role}")))
        if not picks:
            out += new_rows
        for value in picks:
            if value == NEW:
                out += new_rows
            elif value.startswith(SAME):  # people.js: the person typed for another office
                source = [row for row in typed if row.get("role") == value[len(SAME):]]
                out += [{**source[0], "role": role}] if source else []
            elif (person := by_key.get(normalize_id(value))) is not None:
                out.append(person.row(role))
    # The audit committee is asked of a company only; for any other kind it is off.
    offered = audit_committee_offered(current)
    return {"people": out, "audit_committee": offered and bool(post.get("audit_committee"))}


def audit_committee_offered(data: dict) -> bool:
    """Is the board's audit committee (审计委员会) asked of this kind? (kinds.json)"""
    from yilian.portal import kinds

    kind = kinds.of(data)
    return bool(kind and kind.spec.get("audit_committee"))


def parse_investors(post: QueryDict, current: dict) -> dict:
    """The investors step's rows; and where an investor's name, ID number or phone was
    corrected, the same correction in every office they hold (the people rows copied
    them), so a person is still one person everywhere."""
    drop = steps.row_index(post.get("remove"), "investors")
    data: dict = {"investors": steps.rows(post, "investors", drop)}
    before = _rows(current, "investors")
    people = [dict(row) for row in _rows(current, "people")]
    changed = False
    for index, row in steps.indexed_rows(post, "investors"):
        if index == drop or index >= len(before):
            continue
        old, new = _identity(before[index]), _identity(row)
        if old == new or not _valid(old[0]) or not new[0]:
            continue
        for person in people:
            if normalize_id(_text(person.get("id_number"))) == old[0]:
                person.update(id_number=new[0], name=new[1], phone=new[2])
                changed = True
    if changed:
        data["people"] = people
    return data


def _identity(investor: dict) -> tuple[str, str, str]:
    """(ID number, name, phone) of the natural person an investor row names."""
    prefix = "signatory_" if investor.get("kind") == "corporate" else ""
    return (normalize_id(_text(investor.get(f"{prefix}id_number"))),
            _text(investor.get(f"{prefix}name")), _text(investor.get(f"{prefix}phone")))


def relocate(errors: list[dict], data: dict) -> list[dict]:
    """The checks' errors with each ``people[i]…`` path moved to where this page shows
    row ``i``: a chosen person's office errors to their choice, their own details to
    the inputs where they are typed (or, for an investor, to the choice too), an
    office's count to its question (``people.director``)."""
    known = {k.key: k for k in known_people(data)}
    people = _rows(data, "people")
    shown = {q.role: q for q in questions(data)}
    out = []
    for error in errors:
        out.append({**error, "field": _place(error, people, known, shown)})
    return out


def _place(error: dict, people: list[dict], known: dict, shown: dict) -> str:
    path, code = error["field"], error.get("code", "")
    if path == "people":
        role = code.split(".")[1] if code.count(".") >= 2 else ""
        return f"people.{role}" if role in shown else path
    index, _, name = path.partition("].")
    if not index.startswith("people[") or not index[7:].isdigit():
        return path
    i = int(index[7:])
    row = people[i] if i < len(people) else {}
    question = shown.get(row.get("role"))
    if question is None:
        return "people"
    person = known.get(normalize_id(_text(row.get("id_number"))))
    if person is None:
        return path  # typed under "someone else": its inputs are on the page
    if name in PERSON_FIELDS and name != "id_number" and (
            not person.from_investors or name == "email") and person.first_row is not None:
        return f"people[{person.first_row}].{name}"
    chosen = next(c for c in question.choices if c.value == person.key)
    return f"people[{chosen.row}].id_number" if chosen.row is not None else "people"


def people_context(data: dict, add_role: str = "") -> dict:
    """What the people page renders: who is in the form, and the questions."""
    return {"known": known_people(data), "questions": questions(data, add_role),
            "audit_committee_offered": audit_committee_offered(data),
            "audit_committee": bool(data.get("audit_committee"))}
