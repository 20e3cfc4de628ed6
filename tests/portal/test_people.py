"""The people step (人员): offices asked as questions and answered by picking people
already in the form — the presenter and the parse as pure functions of the one-form JSON
and a POST, then the pages without JavaScript (plain POSTs), online and at the counter."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.portal.conftest import example_data
from yilian.forms.models import ROW_FIELDS, Person, Role
from yilian.forms.validation import check_application
from yilian.portal import people

ZHANG, LI = "371002198603120110", "371082199007230221"  # the example's investors
WANG, LIU, CHEN = "371003198411050310", "371071198801300422", "371083199509080522"


def _post(**fields) -> QueryDict:
    post = QueryDict(mutable=True)
    for key, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            post.appendlist(key, v)
    return post


def _investors_only() -> dict:
    data = example_data()
    data["people"] = []
    return data


# What the page offers

def test_everyone_in_the_form_is_offered_once_investors_first():
    known = people.known_people(example_data())
    assert [k.name for k in known] == ["张伟", "李娜", "王强", "刘洋", "陈静"]
    zhang = known[0]
    assert zhang.from_investors and zhang.roles == ["investor", "legal_representative",
                                                    "director"]
    assert zhang.label == "张伟（股东、法定代表人、董事/执行董事）"
    # The e-mail given in an office is theirs, once.
    assert zhang.email == "zhangwei@example.com" and zhang.first_row == 0
    assert not known[2].from_investors and known[2].ids["phone"] == "people-2-phone"


def test_a_corporate_investors_signatory_is_offered_and_a_bad_id_is_not():
    data = _investors_only()
    data["investors"][1].update(kind="corporate", uscc="91371071MA3C000000",
                                signatory_name="周敏", signatory_id_number=WANG,
                                signatory_phone="13906310099")
    data["investors"][0]["id_number"] = "371002198603120111"  # wrong check digit
    known = people.known_people(data)
    assert [(k.name, k.roles) for k in known] == [("周敏", ["corporate_signatory"])]


def test_each_office_is_a_question_with_the_investors_to_pick():
    questions = {q.role: q for q in people.questions(_investors_only())}
    # Every office an LLC has; 负责人 (a branch's) and family members (an individual
    # business's) are not asked of it.
    assert list(questions) == [r.value for r in Role
                               if r not in (Role.PERSON_IN_CHARGE, Role.FAMILY_MEMBER)]
    assert questions["legal_representative"].text == "谁担任法定代表人？"
    assert questions["financial_officer"].text == "谁负责财务？"
    assert questions["tax_handler"].text == "由谁办理涉税事项？"
    assert questions["contact"].text == "联系人是谁？"
    legal = questions["legal_representative"]
    assert [c.label for c in legal.choices] == ["张伟（股东）", "李娜（股东）"]
    assert legal.required and not legal.several and legal.none is None
    assert not any(c.checked for c in legal.choices) and not legal.new.checked
    # Optional offices can be left unfilled; boards take several people.
    assert questions["manager"].none.checked and not questions["manager"].required
    assert questions["director"].input_type == "checkbox"
    assert not questions["supervisor"].required and questions["supervisor"].several
    # Every question has one blank "someone else", each with its own row index.
    indices = [i for q in questions.values() for i, _ in q.new_rows]
    assert len(indices) == 7 and len(set(indices)) == 7


def test_a_sole_proprietorship_is_asked_only_what_it_has():
    data = _investors_only()
    data["org_form"] = "sole_proprietorship"
    questions = {q.role: q for q in people.questions(data)}
    assert "director" not in questions and "supervisor" not in questions
    assert questions["legal_representative"].text == "谁负责企业事务（负责人）？"


def test_the_saved_choice_is_checked_and_stands_for_its_row():
    questions = {q.role: q for q in people.questions(example_data())}
    supervisor = questions["supervisor"]
    chosen = [c for c in supervisor.choices if c.checked]
    assert [(c.label, c.row, c.input_id) for c in chosen] == [
        ("李娜（股东、监事）", 3, "people-3-id_number")]
    assert not supervisor.new.checked


# What the POST becomes

def test_picked_people_are_copied_not_retyped():
    post = _post(**{"pick-legal_representative": ZHANG, "pick-director": ZHANG,
                    "pick-supervisor": LI, "pick-manager": "none",
                    "pick-financial_officer": "new",
                    "people-9-role": "financial_officer", "people-9-name": "刘洋",
                    "people-9-id_number": LIU, "people-9-phone": "15806310004",
                    "people-9-email": "liuyang@example.com",
                    "pick-tax_handler": LI, "pick-contact": ZHANG,
                    "known-0-email": "zw@example.com"})
    rows = people.parse(post, _investors_only())["people"]
    assert [(r["role"], r["name"]) for r in rows] == [
        ("legal_representative", "张伟"), ("director", "张伟"), ("supervisor", "李娜"),
        ("financial_officer", "刘洋"), ("tax_handler", "李娜"), ("contact", "张伟")]
    zhang = rows[0]
    assert zhang == {"role": "legal_representative", "name": "张伟", "id_number": ZHANG,
                     "phone": "13906310001", "email": "zw@example.com"}
    assert rows[5]["email"] == "zw@example.com"  # given once, in every office


def test_a_person_edited_on_the_page_changes_in_every_office():
    data = example_data()
    chen = next(k for k in people.known_people(data) if k.name == "陈静")
    post = _post(**{"pick-tax_handler": CHEN, "pick-contact": CHEN,
                    f"known-{chen.n}-phone": "18606319999",
                    f"known-{chen.n}-email": "cj@example.com"})
    rows = people.parse(post, data)["people"]
    assert [(r["role"], r["phone"], r["email"]) for r in rows] == [
        ("tax_handler", "18606319999", "cj@example.com"),
        ("contact", "18606319999", "cj@example.com")]


def test_a_person_typed_for_one_office_is_chosen_for_another_before_saving():
    """people.js offers the person typed under "someone else" to the other questions."""
    post = _post(**{"pick-financial_officer": "new", "people-9-role": "financial_officer",
                    "people-9-name": "刘洋", "people-9-id_number": LIU,
                    "people-9-phone": "15806310004",
                    "pick-tax_handler": ["same:financial_officer"],
                    "pick-contact": "same:financial_officer", "pick-manager": "same:nobody"})
    rows = people.parse(post, _investors_only())["people"]
    assert [(r["role"], r["id_number"], r["phone"]) for r in rows] == [
        (role, LIU, "15806310004") for role in ("financial_officer", "tax_handler", "contact")]


def test_an_investor_is_edited_on_the_investors_step_only():
    post = _post(**{"pick-contact": ZHANG, "known-0-phone": "13000000000",
                    "known-0-name": "别人"})
    assert people.parse(post, _investors_only())["people"][0]["phone"] == "13906310001"


def test_unknown_picks_none_and_removed_rows_are_dropped():
    post = _post(**{"pick-legal_representative": "110101199003070000",
                    "pick-manager": "none", "pick-director": ["new"],
                    "people-7-role": "director", "people-7-name": "赵一",
                    "people-8-role": "director", "people-8-name": "钱二",
                    "remove": "people-7"})
    rows = people.parse(post, _investors_only())["people"]
    assert [(r["role"], r["name"]) for r in rows] == [("director", "钱二")]


def test_typed_without_choosing_is_kept():
    """Without a script, someone may type the blank fields and not tick "someone
    else": what they typed is not thrown away."""
    post = _post(**{"people-7-role": "contact", "people-7-name": "孙七"})
    assert people.parse(post, {})["people"] == [
        {"role": "contact", "name": "孙七"}]


KEYS = st.sampled_from([
    *(f"pick-{r}" for r in Role.values), "pick-x", "remove", "people-0-role",
    *(f"people-{i}-{f}" for i in (0, 1, 7, 99) for f in ROW_FIELDS["people"]),
    *(f"known-{i}-{f}" for i in (0, 1, 4, 9) for f in people.PERSON_FIELDS), "known--x"])
VALUES = st.one_of(st.text(max_size=20), st.sampled_from(
    ["new", "none", ZHANG, LI, WANG, ZHANG.lower().replace("0", "０"), "people-1",
     "people-x", "same:contact", "same:financial_officer", "same:", *Role.values, ""]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(KEYS, VALUES), max_size=20), st.booleans())
def test_any_post_parses_into_rows_of_known_fields(pairs, saved):
    current = example_data() if saved else _investors_only()
    before = copy.deepcopy(current)
    post = QueryDict(mutable=True)
    for key, value in pairs:
        post.appendlist(key, value)
    rows = people.parse(post, current)["people"]
    assert current == before  # the saved form is read, never changed
    known = {k.key for k in people.known_people(current)}
    typed = {post.get(k) for k in post if k.endswith("-id_number")}
    for row in rows:
        assert set(row) <= set(ROW_FIELDS["people"]) and row.get("role") in Role.values
        # Every ID number was either in the form already or typed in this POST.
        assert row.get("id_number") in known | typed | {None, ""}
    ranks = [Role.values.index(r["role"]) for r in rows]
    assert ranks == sorted(ranks)


# Where the checks' errors go

def test_errors_land_on_the_choice_or_the_persons_inputs():
    data = example_data()
    errors = [{"field": "people[3].id_number", "code": "people.supervisor.conflict"},
              {"field": "people[6].phone", "code": "people.phone"},
              {"field": "people[1].phone", "code": "people.phone"},
              {"field": "people[0].email", "code": "invalid"},
              {"field": "people", "code": "people.director.count"},
              {"field": "people", "code": "parties.something"},
              {"field": "people[99].name", "code": "x"}]
    placed = [e["field"] for e in people.relocate(errors, data)]
    assert placed == [
        "people[3].id_number",   # 李娜's supervisor choice
        "people[5].phone",       # 陈静's phone is typed once, on her first row's inputs
        "people[1].id_number",   # 张伟's phone is an investor's: beside his choice
        "people[0].email",       # his e-mail is given here
        "people.director",       # the question
        "people", "people"]


# The pages, without JavaScript


def _step(application, slug: str, **query) -> str:
    url = reverse("portal:step", kwargs={"pk": application.pk, "step": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def investors_only(draft):
    Person.objects.filter(application=draft).delete()
    return draft


@pytest.mark.django_db
def test_a_two_investor_company_is_staffed_by_picking(signed_in, investors_only):
    draft = investors_only
    page = signed_in.get(_step(draft, "people")).content.decode()
    assert "谁担任法定代表人？" in page and "张伟（股东）" in page
    answer = signed_in.post(_step(draft, "people"), {
        "pick-legal_representative": ZHANG, "pick-director": ZHANG, "pick-supervisor": LI,
        "pick-manager": "none", "pick-financial_officer": "new",
        "people-7-role": "financial_officer", "people-7-name": "刘洋",
        "people-7-id_number": LIU, "people-7-phone": "15806310004", "go": "save"})
    assert answer.status_code == 302
    # Saved, 刘洋 is in the form: the tax handler and the contact are picked too.
    page = signed_in.get(_step(draft, "people")).content.decode()
    assert "刘洋（财务负责人）" in page
    assert 'type="email"' not in page  # no department reads an e-mail: none is asked
    answer = signed_in.post(_step(draft, "people"), {
        "pick-legal_representative": ZHANG, "pick-director": ZHANG, "pick-supervisor": LI,
        "pick-manager": "none", "pick-financial_officer": LIU, "pick-tax_handler": LIU,
        "pick-contact": LIU, "go": "next"})
    assert answer["Location"] == _step(draft, "employees")
    rows = list(draft.people.order_by("position").values_list("role", "name", "id_number",
                                                               "phone", "email"))
    assert rows == [
        ("legal_representative", "张伟", ZHANG, "13906310001", ""),
        ("director", "张伟", ZHANG, "13906310001", ""),
        ("supervisor", "李娜", LI, "13506310003", ""),
        ("financial_officer", "刘洋", LIU, "15806310004", ""),
        ("tax_handler", "刘洋", LIU, "15806310004", ""),
        ("contact", "刘洋", LIU, "15806310004", "")]
    assert check_application(draft) == []


def test_no_department_reads_a_persons_e_mail(db, draft):
    """Why the people step asks no e-mail: no department's payload carries one. A
    department that starts to read it fails this test, and the page should ask again."""
    from yilian.departments import registry

    emails = set(draft.people.exclude(email="").values_list("email", flat=True))
    assert emails  # the example gives each person one (through the API)
    payloads = json.dumps([d.build_payload(draft) for d in registry.departments().values()],
                          ensure_ascii=False, default=str)
    assert [e for e in emails if e in payloads] == []


@pytest.mark.django_db
def test_an_e_mail_given_through_the_api_is_shown_and_kept(signed_in, draft):
    """The page asks none, but shows one already given (to correct or clear it), and a
    save without touching it keeps it."""
    page = signed_in.get(_step(draft, "people")).content.decode()
    wang = people.known_people(example_data())[2]
    assert re.search(rf'id="{wang.ids["email"]}"[^>]*value="wangqiang@example.com"', page)
    signed_in.post(_step(draft, "people"), {
        "pick-legal_representative": ZHANG, "pick-director": ZHANG, "pick-supervisor": LI,
        "pick-manager": WANG, "pick-financial_officer": LIU, "pick-tax_handler": CHEN,
        "pick-contact": CHEN, "go": "save"})
    assert draft.people.get(role="manager").email == "wangqiang@example.com"
    signed_in.post(_step(draft, "people"), {
        "pick-legal_representative": ZHANG, "pick-director": ZHANG, "pick-supervisor": LI,
        "pick-manager": WANG, "pick-financial_officer": LIU, "pick-tax_handler": CHEN,
        "pick-contact": CHEN, f"known-{wang.n}-email": "", "go": "save"})
    assert draft.people.get(role="manager").email == ""


@pytest.mark.django_db
def test_an_office_error_lands_beside_the_persons_choice(signed_in, draft):
    # 李娜 made a director too: a director may not be a supervisor (art. 76).
    signed_in.post(_step(draft, "people"), {
        "pick-legal_representative": ZHANG, "pick-director": [ZHANG, LI],
        "pick-supervisor": LI, "pick-manager": WANG, "pick-financial_officer": LIU,
        "pick-tax_handler": CHEN, "pick-contact": CHEN, "go": "next"})
    page = signed_in.get(_step(draft, "people", check=1)).content.decode()
    supervisor = Person.objects.get(application=draft, role="supervisor").position
    choice = re.search(rf'<input[^>]*id="people-{supervisor}-id_number"[^>]*>', page).group(0)
    assert 'name="pick-supervisor"' in choice and 'aria-invalid="true"' in choice
    error = re.search(rf'id="people-{supervisor}-id_number-error"[^>]*>([^<]+)<', page)
    assert "不得兼任监事" in error.group(1)
    assert f'href="#people-{supervisor}-id_number"' in page
    # Two directors: neither one director nor a board of three; said at the question.
    count = re.search(r'id="people-director-error"[^>]*>([^<]+)<', page).group(1)
    assert "董事" in count and "1名或3名以上" in count
    assert 'href="#people-director"' in page


@pytest.mark.django_db
def test_a_mistyped_new_person_keeps_their_fields_and_errors(signed_in, investors_only):
    answer = signed_in.post(_step(investors_only, "people"), {
        "pick-contact": "new", "people-7-role": "contact", "people-7-name": "孙七",
        "people-7-id_number": "371002198603120111", "people-7-phone": "1380000",
        "go": "next"}, follow=True)
    page = answer.content.decode()
    assert 'value="371002198603120111"' in page
    contact = re.search(r'id="pick-contact-new"[^>]*>', page).group(0)
    assert "checked" in contact
    row = Person.objects.get(application=investors_only, role="contact").position
    assert re.search(rf'id="people-{row}-id_number-error"[^>]*>[^<]+<', page)
    assert re.search(rf'id="people-{row}-phone-error"[^>]*>[^<]+<', page)


@pytest.mark.django_db
def test_correcting_an_investor_corrects_their_offices(signed_in, draft):
    # As the page sends them: amounts in 万元.
    investors = {f"investors-{i}-{k}": f"{Decimal(v) / 10000:f}" if k == "amount" else v
                 for i, row in enumerate(example_data()["investors"]) for k, v in row.items()}
    investors["investors-0-phone"] = "13906319999"
    signed_in.post(_step(draft, "investors"), {**investors, "go": "save"})
    phones = set(draft.people.filter(id_number=ZHANG).values_list("phone", flat=True))
    assert phones == {"13906319999"}
    assert not [e for e in check_application(draft) if e["code"] == "parties.same_person"]


@pytest.mark.django_db
def test_the_counter_uses_the_same_questions(client, django_user_model, draft):
    from yilian.accounts import roles

    clerk = django_user_model.objects.create_user("clerk-p", password="pw-clerk-1")
    roles.grant(clerk, roles.CLERK)
    client.force_login(clerk)
    url = reverse("workbench:counter-step", kwargs={"pk": draft.pk, "step": "people"})
    page = client.get(url).content.decode()
    assert "谁负责财务？" in page and "张伟（股东、法定代表人、董事/执行董事）" in page
    answer = client.post(url, {"pick-legal_representative": ZHANG, "pick-director": ZHANG,
                               "pick-financial_officer": LIU, "pick-tax_handler": CHEN,
                               "pick-contact": CHEN, "go": "save"})
    assert answer.status_code == 302
    assert set(draft.people.values_list("role", flat=True)) == {
        "legal_representative", "director", "financial_officer", "tax_handler", "contact"}


@pytest.mark.django_db
def test_every_review_link_to_the_people_step_lands_on_an_input(signed_in, draft):
    Person.objects.filter(application=draft, name="陈静").update(phone="1860631")
    Person.objects.filter(application=draft, role="manager").update(role="supervisor")
    review = signed_in.get(_step(draft, "review")).content.decode()
    anchors = re.findall(r'href="[^"]*/people/\?check=1#([^"]+)"', review)
    assert len(anchors) >= 3, anchors  # two phones, a conflict, a count
    page = signed_in.get(_step(draft, "people", check=1)).content.decode()
    for anchor in anchors:
        assert re.search(rf'<(input|fieldset)[^>]*id="{anchor}"', page), anchor
        assert re.search(rf'id="{anchor}-error"[^>]*>[^<]+<', page), anchor


@pytest.mark.django_db
def test_a_board_takes_more_new_people_with_plain_posts(signed_in, investors_only):
    first = {"pick-director": ["new"], "people-7-role": "director", "people-7-name": "赵一",
             "people-7-id_number": WANG, "people-7-phone": "13706310002"}
    answer = signed_in.post(_step(investors_only, "people"), {**first, "add": "director"})
    assert "add=director" in answer["Location"]
    page = signed_in.get(answer["Location"]).content.decode()
    board = re.search(r'<fieldset[^>]*id="people-director".*?</fieldset>', page, re.S).group(0)
    # 赵一 is in the form now (chosen), and a blank someone-else row is open.
    assert re.search(r'value="371003198411050310" id="people-0-id_number" checked', board)
    assert re.search(r'id="pick-director-new"[^>]*checked', board)
    assert len(re.findall(r'class="person-row"', board)) == 1


def test_members_are_called_by_their_kinds_own_word():
    """An individual business's operator is 经营者, a partnership's member 合伙人 — never
    出资人 — on the pages, in the texts and in the errors alike."""
    from yilian.forms import parties

    assert parties.role_labels(["investor", "legal_representative"], "llc_multi") == \
        "股东、法定代表人"
    assert parties.role_label("investor", "individual_business") == "经营者"
    assert parties.role_label("investor", "partnership_limited") == "合伙人"
    assert parties.roles_en(["investor"], "cooperative") == "member"
    assert parties.role_label("investor", "") == "出资人"  # no kind chosen yet
