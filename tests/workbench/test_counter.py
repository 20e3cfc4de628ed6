"""一窗受理 at the counter: the clerk fills the applicant's one form in the portal's own
step pages (counter mode) — who may open them, that every save, invitation and submission
is audited with both identities, and where the clerk lands after submitting."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.forms.conftest import example_data, parse
from yilian.accounts.models import OutboxMessage
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_application
from yilian.forms import counter
from yilian.forms.models import Application, Party, Status

# The review page's submit button, the pledge (承诺书) ticked.
SUBMIT = {"go": "submit", "declaration": "yes"}

pytestmark = pytest.mark.django_db

PHONE = "13906310555"


def _step(application, slug: str, **query) -> str:
    url = reverse("workbench:counter-step", kwargs={"pk": application.pk, "step": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _actions(application) -> list[tuple[str, str]]:
    return list(Entry.objects.filter(stream=stream_for_application(application.pk))
                .order_by("seq").values_list("action", "actor_label"))


@pytest.fixture
def at_counter(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def counter_draft(clerk, applicant) -> Application:
    """The example application, started at the counter for ``applicant``."""
    return counter.start(clerk, applicant, parse(example_data()))


def test_the_clerk_finds_the_applicant_and_starts_a_draft_in_the_step_pages(at_counter):
    found = at_counter.post(reverse("workbench:counter"), {"phone": PHONE})
    page = found.content.decode()
    assert found.status_code == 200 and 'id="new-application"' in page
    answer = at_counter.post(reverse("workbench:counter-new"), {"phone": PHONE})
    application = Application.objects.get(owner__username=PHONE)
    assert answer.status_code == 302 and answer["Location"] == _step(application, "enterprise")
    assert application.status == Status.DRAFT and application.division_code == "371071"
    assert ("application.counter_draft_created", "clerk") in _actions(application)

    page = at_counter.get(answer["Location"]).content.decode()
    assert f"窗口代填：为 {PHONE} 填报" in page
    assert '<main id="main" class="wide">' in page and 'class="counter-mode"' in page
    # Every step link, and the form itself, stays in counter mode.
    steps = re.findall(r'<ol class="stepper".*?</ol>', page, re.S)[0]
    assert steps.count(f"/workbench/counter/{application.pk}/") == 8
    assert "/me/" not in steps


def test_a_bad_phone_is_refused_before_anything_is_made(at_counter):
    answer = at_counter.post(reverse("workbench:counter-new"), {"phone": "12345"}, follow=True)
    assert answer.redirect_chain[-1][0] == reverse("workbench:counter")
    assert not Application.objects.exists()


def test_a_step_saved_at_the_counter_is_audited_with_both_identities(at_counter, clerk,
                                                                      applicant):
    application = counter.start(clerk, applicant, {"division_code": "371071"})
    answer = at_counter.post(_step(application, "enterprise"), {
        "name": "威海测链科技有限公司", "org_form": "llc_multi",
        "registered_capital": "50", "division-province": "370000",  # 50 万元, the place picked
        "division-city": "371000", "division-county": "371071", "domicile": "火炬路1号",
        "go": "next"})
    assert answer.status_code == 302 and answer["Location"] == _step(application, "scope")
    application.refresh_from_db()
    assert application.name == "威海测链科技有限公司" and application.owner == applicant
    actions = _actions(application)
    assert ("application.counter_draft_updated", "clerk") in actions
    assert ("application.draft_updated", applicant.username) in actions
    updated = Entry.objects.get(stream=stream_for_application(application.pk),
                                action="application.counter_draft_updated")
    assert updated.data["on_behalf_of"] == applicant.username


def test_field_errors_show_beside_their_inputs_at_the_counter(at_counter, counter_draft):
    answer = at_counter.post(_step(counter_draft, "enterprise"),
                             {"name": counter_draft.name, "registered_capital": "lots"})
    assert answer.status_code == 400
    field = re.search(r'<input[^>]*id="registered_capital"[^>]*>', answer.content.decode(),
                      re.S).group(0)
    assert 'aria-invalid="true"' in field


def test_submitting_at_the_counter_lands_on_the_workbench_page(at_counter, counter_draft):
    review = at_counter.get(_step(counter_draft, "review")).content.decode()
    assert f'href="{_step(counter_draft, "parties")}"' in review
    refused = at_counter.post(_step(counter_draft, "review"), SUBMIT)
    assert refused.status_code == 400 and "尚未确认" in refused.content.decode()
    for party in Party.objects.filter(application=counter_draft):
        at_counter.post(_step(counter_draft, "parties"), {"action": f"confirm:{party.pk}"})
    answer = at_counter.post(_step(counter_draft, "review"), SUBMIT)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("workbench:detail", args=[counter_draft.pk])
    counter_draft.refresh_from_db()
    assert counter_draft.status == Status.ACCEPTED
    actions = _actions(counter_draft)
    assert ("application.counter_submitted", "clerk") in actions
    assert ("application.submitted", counter_draft.owner.username) in actions
    pdf = at_counter.get(reverse("workbench:notice", args=[counter_draft.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # Submitted: the step pages send the clerk back to the workbench, unchanged.
    again = at_counter.post(_step(counter_draft, "enterprise"), {"name": "威海改名科技有限公司"})
    assert again["Location"] == reverse("workbench:detail", args=[counter_draft.pk])
    counter_draft.refresh_from_db()
    assert counter_draft.name != "威海改名科技有限公司"


def test_an_incomplete_form_is_not_submitted(at_counter, clerk, applicant):
    application = counter.start(clerk, applicant, {"division_code": "371071"})
    answer = at_counter.post(_step(application, "review"), SUBMIT)
    assert answer.status_code == 400 and "error-summary" in answer.content.decode()
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_parties_at_the_counter_are_sent_codes_or_checked_in_person(at_counter,
                                                                    counter_draft, clerk):
    lina = Party.objects.get(application=counter_draft, name="李娜")
    answer = at_counter.post(_step(counter_draft, "parties"), {"action": f"invite:{lina.pk}"})
    assert answer["Location"] == _step(counter_draft, "parties")
    lina.refresh_from_db()
    assert lina.invited_by == counter_draft.owner  # the invitation is the applicant's
    body = OutboxMessage.objects.get(to="13506310003").body
    assert re.search(r"\d{6}", body) and counter_draft.owner.username not in body
    assert ("application.counter_party_invited", "clerk") in _actions(counter_draft)

    page = at_counter.get(_step(counter_draft, "parties")).content.decode()
    assert "现场核验身份证" in page and "股东、监事" in page
    at_counter.post(_step(counter_draft, "parties"), {"action": f"confirm:{lina.pk}"})
    lina.refresh_from_db()
    assert lina.confirmed_via == "in_person" and lina.confirmed_by == clerk
    actions = _actions(counter_draft)
    assert ("application.counter_identity_checked", "clerk") in actions
    assert ("party.confirmed", "clerk") in actions
    entry = Entry.objects.get(stream=stream_for_application(counter_draft.pk),
                              action="application.counter_identity_checked")
    assert entry.data["method"] == "id_card_seen" and entry.data["party"] == lina.pk


def test_continue_opens_the_step_pages_or_the_workbench_page(at_counter, counter_draft):
    answer = at_counter.get(reverse("workbench:counter-edit", args=[counter_draft.pk]))
    assert answer["Location"] == _step(counter_draft, "review")
    counter_draft.status = Status.IN_REVIEW
    counter_draft.save()
    answer = at_counter.get(reverse("workbench:counter-edit", args=[counter_draft.pk]))
    assert answer["Location"] == reverse("workbench:detail", args=[counter_draft.pk])
    answer = at_counter.get(_step(counter_draft, "investors"))
    assert answer["Location"] == reverse("workbench:detail", args=[counter_draft.pk])


def test_only_window_staff_open_the_counter_steps(client, counter_draft, examiner, applicant,
                                                   officer):
    url = _step(counter_draft, "enterprise")
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(examiner)
    assert client.get(url).status_code == 200
    assert client.get(_step(counter_draft, "nonsense")).status_code == 404
    for user in (applicant, officer("tax")):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "威海改名科技有限公司"}).status_code == 403
        assert client.post(_step(counter_draft, "review"), SUBMIT).status_code == 403
        assert client.post(reverse("workbench:counter-new"),
                           {"phone": PHONE}).status_code == 403
    counter_draft.refresh_from_db()
    assert counter_draft.status == Status.DRAFT and counter_draft.name != "威海改名科技有限公司"


def test_the_live_checks_answer_the_clerk_for_the_applicant(at_counter, counter_draft,
                                                             officer, client):
    answer = at_counter.get(reverse("portal:check-name"), {
        "name": counter_draft.name, "division_code": "371071",
        "application": str(counter_draft.pk)})
    assert answer.status_code == 200 and "可以使用" in answer.content.decode()
    answer = at_counter.get(reverse("portal:check", kwargs={"kind": "id"}),
                            {"for": "x", "x": "371002198603120111"})
    assert answer.status_code == 200 and 'data-invalid="true"' in answer.content.decode()
    client.force_login(officer("tax"))
    assert client.get(reverse("portal:check-name"), {"name": "x"}).status_code == 403
