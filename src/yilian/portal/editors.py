"""Who fills the one form in its step pages, and on whose behalf (一表填报, two channels).

The step pages (:mod:`yilian.portal.wizard`) are the same online and at the counter; what
differs is one small object, the :class:`Editor`:

- :class:`Editor` (掌上办) — the signed-in applicant on their own applications,
  through :mod:`yilian.forms.services` and :mod:`yilian.forms.consent`. Anyone else's
  application is a 404, so the portal does not reveal which ids exist.
- :class:`CounterEditor` (一窗受理) — a window clerk or examiner on any applicant's
  draft or returned application, through :mod:`yilian.forms.counter`, so each save,
  invitation and submission is audited with both the clerk and the applicant.

Each says which applications it may open, how a page's (typed) data is saved, how the
form is submitted, where its step pages live (URL namespace) and where to go after.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from yilian.forms import consent, counter, services
from yilian.forms.declaration import DeclarationVia, Pledge
from yilian.forms.models import Application, Party


class Editor:
    """The applicant filling their own form: the base every channel refines."""

    #: The step pages' URL name (``<namespace>:<name>`` with ``pk`` and ``step``).
    step_url_name = "portal:step"
    autosave_url_name = "portal:autosave"
    #: At the counter: a banner naming the applicant, and a layout wide on a desktop.
    counter = False

    def __init__(self, user) -> None:
        self.user = user

    # What may be opened

    def queryset(self):
        return services.application_queryset().filter(owner=self.user)

    def get(self, pk) -> Application:
        """The application at ``pk`` if this editor may see it, else 404."""
        return get_object_or_404(self.queryset(), pk=pk)

    def can_open(self, application: Application) -> bool:
        """May the step pages edit it now (a draft, or returned for correction)?"""
        return application.editable

    # Changes

    def save(self, application: Application, data, version=None) -> Application:
        """Save typed data (``version``: the ``updated_at`` it builds on, if known)."""
        return services.update_draft(application, self.user, data, version=version)

    #: How this channel's pledge of truthfulness (承诺书) is made.
    pledge_via = DeclarationVia.ONLINE

    def submit(self, application: Application, pledged: bool = False) -> Application:
        """Submit once the pledge is confirmed (``pledged``: the review page's checkbox);
        raises :class:`~yilian.forms.declaration.PledgeRequired` when it is not."""
        pledge = Pledge.confirmed(pledged, self.pledge_via, self.user)
        return services.submit_application(application, self.user, pledge)

    def autosave_url(self, application: Application, slug: str) -> str:
        """Where the step's page saves as the applicant types (JSON)."""
        return reverse(self.autosave_url_name, kwargs={"pk": application.pk, "step": slug})

    def invite(self, party: Party, client: str = "") -> Party:
        """Send the party their code and link (again, to re-send)."""
        return consent.invite(party, self.user, client)

    def confirm(self, party: Party) -> Party:
        """Confirm on the page itself: the applicant as themselves (their account's
        phone is the party's)."""
        return consent.confirm_signed_in(party, self.user)

    def can_confirm(self, party: Party) -> bool:
        return bool(party.phone) and party.phone == self.user.get_username()

    # Where things are

    def step_url(self, application: Application, slug: str, **query) -> str:
        url = reverse(self.step_url_name, kwargs={"pk": application.pk, "step": slug})
        return f"{url}?{urlencode(query)}" if query else url

    def done_url(self, application: Application) -> str:
        """After submitting, or when the application is no longer open."""
        return reverse("portal:detail", kwargs={"pk": application.pk})

    def home(self, application: Application) -> tuple[str, str]:
        """(url, label) of the breadcrumb's first link."""
        return reverse("portal:index"), _("我的办件")

    def banner(self, application: Application) -> str:
        return ""


class CounterEditor(Editor):
    """A window clerk (or examiner) filling the form for the applicant at the counter."""

    step_url_name = "workbench:counter-step"
    autosave_url_name = "workbench:counter-autosave"
    counter = True

    def __init__(self, user) -> None:
        counter.check_clerk(user)
        super().__init__(user)

    def queryset(self):
        return services.application_queryset().select_related("owner")

    def save(self, application: Application, data, version=None) -> Application:
        return counter.update(self.user, application, data, version)

    pledge_via = DeclarationVia.COUNTER

    def submit(self, application: Application, pledged: bool = False) -> Application:
        """The clerk ticks that the applicant signed the paper pledge at the counter."""
        pledge = Pledge.confirmed(pledged, self.pledge_via, self.user)
        return counter.submit(self.user, application, pledge)

    def invite(self, party: Party, client: str = "") -> Party:
        return counter.invite(self.user, party, client)

    def confirm(self, party: Party) -> Party:
        """现场核验身份证 — the person is at the counter and the clerk saw their ID card."""
        return counter.confirm_in_person(self.user, party)

    def can_confirm(self, party: Party) -> bool:
        return True

    def done_url(self, application: Application) -> str:
        """The workbench's page of the application, where the acceptance notice is
        printed."""
        return reverse("workbench:detail", kwargs={"pk": application.pk})

    def home(self, application: Application) -> tuple[str, str]:
        phone = application.owner.get_username()
        return f"{reverse('workbench:counter')}?{urlencode({'phone': phone})}", _("窗口受理")

    def banner(self, application: Application) -> str:
        return _("窗口代填：为 %(phone)s 填报") % {"phone": application.owner.get_username()}
