"""自动保存 — a step page saves as the applicant types (``portal/autosave.js``).

The browser posts the step's form (as its buttons would) about a second after the last
keystroke and when a field is left; this view parses it as the step does
(:func:`typed`: :func:`yilian.portal.steps.parse`, then the API's serializer), saves it
through the page's editor and answers JSON — never a redirect:

- 200 ``{"saved": true, "saved_at", "time", "errors": []}`` — everything typed is saved;
- 400 ``{"saved": false, "saved_at", "time", "errors": [{"field", "id", "message"}],
  "unsaved": [parts]}`` — a part typed wrongly (an amount that is not a number …) is
  left as it was on the server and its errors come back to show beside the input; every
  other part of the page **is** saved. A typing slip in one field never holds back the
  rest; the browser keeps the whole page as typed until the server has all of it;
- 409 — the application can no longer change (submitted meanwhile), or changed since
  the version the browser's form builds on (``_version``; ``code``
  ``application.changed_elsewhere``): refused, never merged over newer data.

Someone else's application is a 404, as on the step pages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from yilian.accounts import roles
from yilian.accounts.permissions import role_required
from yilian.api.applications import ApplicationSerializer
from yilian.api.errors import flatten as flatten_errors
from yilian.forms import services
from yilian.forms.models import Application
from yilian.portal import presenters, steps
from yilian.portal.editors import Editor

_PART = re.compile(r"^[^\[.]+")


@dataclass
class Typed:
    """A step's POST: the one-form JSON as sent, what of it is typed well enough to save,
    and the field errors of the rest."""

    data: dict
    valid: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    @property
    def unsaved(self) -> list[str]:
        """The parts (top-level keys) left unsaved because a field in them is malformed."""
        return sorted({_part(e["field"]) for e in self.errors})


def typed(application: Application, slug: str, post: QueryDict) -> Typed:
    """Parse the step's POST as the API would type it; the parts with a malformed field
    are set aside (each part is all or nothing: a table is one part)."""
    data, unreadable = steps.read(slug, post, presenters.form_data(application))
    errors = list(unreadable)  # amounts that could not be read ("一百万")
    readable = {k: v for k, v in data.items() if k not in {_part(e["field"]) for e in errors}}
    serializer = ApplicationSerializer(application, data=readable, partial=True)
    if serializer.is_valid() and not errors:
        return Typed(data, dict(serializer.validated_data))
    if serializer.errors:
        errors += flatten_errors(serializer.errors)
    bad = {_part(e["field"]) for e in errors}
    rest = ApplicationSerializer(application, data={k: v for k, v in data.items()
                                                    if k not in bad}, partial=True)
    rest.is_valid(raise_exception=True)  # what remains was valid just now
    return Typed(data, dict(rest.validated_data), errors)


def _part(path: str) -> str:
    match = _PART.match(path)
    return match.group(0) if match else path


@require_POST
@role_required(roles.APPLICANT)
def autosave(request: HttpRequest, pk, step: str) -> HttpResponse:
    """The applicant's own step, saved as they type."""
    return save(request, Editor(request.user), pk, step)


def save(request: HttpRequest, editor: Editor, pk, slug: str) -> JsonResponse:
    """Save what of the step's POST can be saved, for whoever ``editor`` is."""
    application = editor.get(pk)
    if slug not in steps.FORM_STEPS:
        raise Http404
    if not editor.can_open(application):
        return _not_editable(application)
    result = typed(application, slug, request.POST)
    try:
        application = _save_valid(editor, application, result,
                                  _version(request.POST.get("_version")))
    except services.NotEditable:
        return _not_editable(application)
    except services.ChangedElsewhere as exc:
        return _refused(exc)
    now = timezone.localtime()
    language = get_language()
    return JsonResponse({
        "saved": not result.errors, "saved_at": now.isoformat(),
        "time": now.strftime("%H:%M"),
        # The version the browser's copy now builds on (the page renders the same).
        "updated_at": application.updated_at.isoformat(),
        "errors": [{"field": e["field"], "id": steps.field_id(e["field"]),
                    "message": steps.message(e, language)} for e in result.errors],
        "unsaved": result.unsaved,
    }, status=400 if result.errors else 200)


def _save_valid(editor: Editor, application: Application, result: Typed,
                version: dt.datetime | None) -> Application:
    """Save the well-typed parts; a part the save itself refuses (a domicile that names
    another district than the division picked) joins the errors and the rest is saved."""
    valid = result.valid
    for _attempt in range(2):
        if not valid:
            break
        try:
            return editor.save(application, valid, version=version)
        except services.InvalidApplication as exc:
            result.errors += exc.errors
            valid = {k: v for k, v in valid.items() if k not in set(result.unsaved)}
    return application


def _version(raw: str | None) -> dt.datetime | None:
    """The ``updated_at`` the browser's form builds on (``_version``); an autosave
    overtaken by a button's save (or the form changed in another tab) is refused rather
    than overwriting newer data. Absent or unreadable: not checked."""
    try:
        return dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _not_editable(application: Application) -> JsonResponse:
    return _refused(services.NotEditable(application))


def _refused(error) -> JsonResponse:
    return JsonResponse({"saved": False, "code": error.code, "errors": [], "unsaved": [],
                         "message": steps.message({"message_zh": error.message_zh,
                                                   "message_en": error.message_en},
                                                  get_language())}, status=409)
