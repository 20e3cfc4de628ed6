"""Every page a person reads, in each language: no raw field names, no rule ids alone, no
English codes on a Chinese page and no Chinese on an English one (data aside: names,
addresses, scope entries, numbers are shown as entered). See :mod:`tests.pages.rawtext`."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.pages.rawtext import problems
from yilian.accounts import roles
from yilian.forms import review
from yilian.forms.models import Application, Status
from yilian.refdata import scope as scope_catalogue

pytestmark = pytest.mark.django_db
LANGUAGES = ("zh-hans", "zh-hant", "en")


def _data(*applications: Application) -> tuple[str, ...]:
    """What the pages show as entered: the applications' own words and numbers, and the
    catalogue's (scope entries, their departments and permits), and editions."""
    from yilian.accounts.models import OutboxMessage
    from yilian.chain.models import Step
    from yilian.rules.models import AdmissionDecision

    out: list[str] = []
    for a in applications:
        a = Application.objects.get(pk=a.pk)
        out += [a.name, a.domicile, a.uscc, a.owner.get_username(), *a.business_scope,
                a.declaration_edition]
        out += [str(v) for v in (a.permits or {}).values()]
        for row in [*a.investors.all(), *a.people.all(), *a.employees.all(),
                    *a.parties.all()]:
            out += [row.name, getattr(row, "email", ""),
                    getattr(row, "contribution_method", ""),
                    getattr(row, "signatory_name", "")]
        for text in a.business_scope:
            entry = scope_catalogue.by_text(text)
            if entry:
                out += [entry.department or "", entry.permit or ""]
        for decision in AdmissionDecision.objects.filter(application=a):
            out += [f.get("edition", "") for f in decision.findings]
            out += [*decision.editions.values()]
            out += [f.get("subject", "") for f in decision.findings]
            out += [f.get("department", "") for f in decision.findings]
            out += [f.get("permit", "") for f in decision.findings]
        out += list(Step.objects.filter(chain__application=a).values_list("reference",
                                                                          flat=True))
        # The texts sent about it, shown as sent (in the service's language).
        out += list(OutboxMessage.objects.filter(application=a).values_list("body", flat=True))
    out += list(get_user_model().objects.values_list("username", flat=True))
    out += [name for _code, name in _divisions()]
    out += [e.text for e in scope_catalogue.entries()]  # the catalogue's legal wording
    out += [e.department or "" for e in scope_catalogue.entries()]
    out += [e.permit or "" for e in scope_catalogue.entries()]
    return tuple(v for v in out if v)


def _divisions():
    """Place names (GB/T 2260, and the streets below them): proper names, shown as they
    are; so are the banks' and their branches' names, and the industries' (GB/T 4754)
    names, which the pickers show in the standard's words."""
    from yilian.refdata import divisions, industries, local

    places = [(d.code, d.name) for d in divisions.all_divisions()]
    places += [(s.code, s.name) for d in divisions.all_divisions()
               for s in divisions.streets(d.code)]
    banks = [(b.name, f"{b.name} {branch}") for d in divisions.all_divisions()
             for b in local.banks(d.code) for branch in b.branches]
    banks += [(b.name, b.name) for d in divisions.all_divisions() for b in local.banks(d.code)]
    named = [(i.code, i.name) for i in industries.classes()]
    return places + banks + named


def _check(client, url: str, data: tuple[str, ...], status: int = 200) -> list[str]:
    found = []
    for language in LANGUAGES:
        client.cookies["django_language"] = language
        answer = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert answer.status_code == status, (url, language, answer.status_code)
        found += [f"{language} {url}: {p}" for p in
                  problems(answer.content.decode(), language, data)]
    return found


def test_the_home_page(client):
    found = _check(client, "/", ())
    assert found == [], "\n".join(found)


def test_the_window_pages(client, in_review, examiner):
    client.force_login(examiner)
    data = _data(in_review)
    found = []
    for url in (reverse("workbench:index"), reverse("workbench:detail", args=[in_review.pk]),
                reverse("workbench:sla"), reverse("workbench:counter")):
        found += _check(client, url, data)
    assert found == [], "\n".join(found)


def test_the_department_console(client, failed_tax, officer):
    client.force_login(officer("tax"))
    found = _check(client, reverse("workbench:console") + "?status=failed", _data(failed_tax))
    assert found == [], "\n".join(found)


def test_the_applicants_pages_when_returned(client, in_review, examiner):
    review.return_for_correction(in_review, examiner, "", ["domicile.incomplete",
                                                           "investors.date_over_five_years"])
    application = Application.objects.get(pk=in_review.pk)
    assert application.status == Status.RETURNED
    client.force_login(application.owner)
    data = _data(application)
    found = _check(client, reverse("portal:index"), data)
    found += _check(client, reverse("portal:detail", args=[application.pk]), data)
    for step in ("enterprise", "scope", "investors", "people", "employees", "choices",
                 "parties", "review"):
        found += _check(client, reverse("portal:step", args=[application.pk, step]), data)
    assert found == [], "\n".join(found)


def test_the_dashboard(client, failed_tax):
    admin = get_user_model().objects.create_user("zone-admin", password="pw-zone-admin")
    roles.grant(admin, roles.ADMIN)
    client.force_login(admin)
    found = _check(client, reverse("dashboard:index"), _data(failed_tax))
    assert found == [], "\n".join(found)


def test_the_license_check(client, failed_tax):
    """The page the license's QR opens, in the reader's language; the license's own
    entries are data (printed in Chinese, shown as printed to be compared with the
    printout), and so is its key id."""
    from yilian.licenses.models import License

    lic = License.objects.get(application=failed_tax)
    printed = tuple(str(v) for v in lic.signed["license"].values()) + (lic.key_id,)
    found = _check(client, f"/verify/{lic.uscc}/", _data(failed_tax) + printed)
    found += _check(client, "/verify/91371071MA3C7X0012/", ("91371071MA3C7X0012",), status=404)
    assert found == [], "\n".join(found)

