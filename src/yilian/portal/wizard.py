"""The form's pages (分步填报): each step shows the saved draft and saves what it is sent.

Thin: a POST is parsed into the one-form JSON (:mod:`yilian.portal.steps`), typed by the
API's serializer, and saved by the page's :class:`~yilian.portal.editors.Editor` — the
applicant online, or a window clerk at the counter on the applicant's behalf; the
submission checks (:func:`yilian.forms.validation.check_application`) say what still
needs work. The pages are the same for both; only the editor differs.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from yilian import labels
from yilian.accounts import roles
from yilian.accounts.permissions import role_required
from yilian.forms import declaration, industry, parties, places, services, validation
from yilian.forms.models import (
    Application,
    Composition,
    InvoiceType,
    Liability,
    OrgForm,
    Role,
    Seal,
    Status,
)
from yilian.portal import autosave, corrections, live, people, pickers, presenters, steps
from yilian.portal import kinds as kind_pages
from yilian.portal.editors import Editor
from yilian.refdata import local


def own_application(request: HttpRequest, pk) -> Application:
    """The signed-in applicant's application; anyone else's is a 404 (not 403), so the
    portal does not reveal which ids exist."""
    return Editor(request.user).get(pk)


def step_url(application: Application, slug: str, **query) -> str:
    """The applicant's step page (the portal's URLs)."""
    return Editor(None).step_url(application, slug, **query)


@role_required(roles.APPLICANT)
def new(request: HttpRequest) -> HttpResponse:
    """新建申请 — an empty draft, then its first step."""
    if request.method != "POST":
        return redirect("portal:index")
    application = services.create_draft(request.user, {"division_code": places.zone()})
    return redirect(step_url(application, "enterprise"))


@role_required(roles.APPLICANT)
def step(request: HttpRequest, pk, step: str) -> HttpResponse:
    """The applicant's own form, one step."""
    return edit(request, Editor(request.user), pk, step)


def edit(request: HttpRequest, editor: Editor, pk, step: str) -> HttpResponse:
    """One step of the form for whoever ``editor`` is (the caller checked the role).
    Never from the browser's cache: going back to a step must show what the server has
    now (and its version, or the autosave is refused as overtaken), and the pages hold
    ID numbers that have no business on a disk cache."""
    response = _edit(request, editor, pk, step)
    add_never_cache_headers(response)
    return response


def _edit(request: HttpRequest, editor: Editor, pk, step: str) -> HttpResponse:
    application = editor.get(pk)
    if step not in steps.BY_SLUG:
        raise Http404
    if not editor.can_open(application):
        messages.info(request, _("该申请已提交，不能再修改。"))
        return redirect(editor.done_url(application))
    if step == "parties":
        from yilian.portal.consent import parties_step

        return parties_step(request, editor, application)
    if step == "review":
        return review(request, editor, application)
    if request.method == "POST":
        return _save(request, editor, application, step)
    show = request.GET.get("check") or application.status == Status.RETURNED
    return render_step(request, editor, application, step,
                       _shown(request, application, step),
                       [*corrections.field_errors(application, step),
                        *(_step_errors(application, step) if show else [])])


def _shown(request: HttpRequest, application: Application, slug: str) -> dict:
    """The saved form; on the enterprise step, with the kind just picked (and what else is
    typed there) laid over it — the kind question's htmx GET, which re-renders the fields
    of that kind without saving (the autosave saves)."""
    data = presenters.form_data(application)
    if slug == "enterprise" and request.GET.get("org_form") in OrgForm.values:
        typed = steps.parse(slug, request.GET)
        data.update({k: v for k, v in typed.items() if k in request.GET})
    return data


def _step_errors(application: Application, slug: str) -> list[dict]:
    step_ = steps.BY_SLUG[slug]
    return [e for e in validation.check_application(application) if step_.owns(e["field"])]


def _save(request: HttpRequest, editor: Editor, application: Application,
          slug: str) -> HttpResponse:
    result = autosave.typed(application, slug, request.POST)
    # Typed wrongly (an amount that cannot be read or is not a number…): show the input
    # as sent. A button saves all or nothing (the page shows the errors; autosave keeps
    # the rest saved meanwhile).
    shown = {**presenters.form_data(application), **result.data}
    if result.errors:
        return render_step(request, editor, application, slug, shown, result.errors,
                           status=400, unsaved=True)
    try:
        editor.save(application, result.valid)
    except services.NotEditable:
        return redirect(editor.done_url(application))
    except services.InvalidApplication as exc:  # a domicile naming another district
        return render_step(request, editor, application, slug, shown, exc.errors,
                           status=400, unsaved=True)
    return redirect(_after_save(request, editor, application, slug))


def _after_save(request: HttpRequest, editor: Editor, application: Application,
                slug: str) -> str:
    """Row buttons and the scope picker come back to the page; "next" moves on unless
    this page still has something to fix."""
    post = request.POST
    if post.get("add"):
        return editor.step_url(application, slug, add=post["add"]) + "#rows-end"
    if post.get("remove") or post.get("add_scope") or post.get("pick_industry") \
            or post.get("refresh"):
        query = {k: post[k] for k in ("q", "iq") if post.get(k)}
        return editor.step_url(application, slug, **query)
    previous, following = steps.neighbours(slug)
    if post.get("go") == "back" and previous:
        return editor.step_url(application, previous.slug)
    if post.get("go") == "save":
        messages.success(request, _("草稿已保存，可以稍后回来继续填写。"))
        return editor.step_url(application, slug)
    fresh = Application.objects.get(pk=application.pk)
    problems = _step_errors(fresh, slug)
    if problems:
        messages.warning(request, ngettext("已保存。本页还有 %(n)d 处需要修改。",
                                           "已保存。本页还有 %(n)d 处需要修改。",
                                           len(problems)) % {"n": len(problems)})
        return editor.step_url(application, slug, check=1)
    return editor.step_url(application, following.slug if following else slug)


def render_step(request: HttpRequest, editor: Editor, application: Application, slug: str,
                data: dict, errors: list[dict], status: int = 200, **extra) -> HttpResponse:
    language = get_language()
    if slug == "people":  # where each person's errors are shown on the questions page
        errors = people.relocate(errors, data)
    current = steps.BY_SLUG[slug]
    index = steps.STEPS.index(current)
    previous, following = steps.neighbours(slug)
    context = {
        "application": application, "data": data, "step": current, "step_index": index,
        "steps": [(s, editor.step_url(application, s.slug)) for s in steps.STEPS],
        "step_urls": {s.slug: editor.step_url(application, s.slug) for s in steps.STEPS},
        "editor": editor, "banner": editor.banner(application),
        "home": editor.home(application),
        "previous": previous, "following": following,
        "previous_url": editor.step_url(application, previous.slug) if previous else "",
        "errors": steps.errors_by_id(errors, language),
        "error_list": [{"id": steps.field_id(e["field"]), "message": steps.message(e, language)}
                       for e in errors],
        "status": presenters.status_of(application),
        "autosave_url": editor.autosave_url(application, slug)
        if slug in steps.FORM_STEPS else "",
        **corrections.review_note(application, editor),
        **_page_context(request, slug, data), **extra,
    }
    response = render(request, f"portal/steps/{slug}.html", context, status=status)
    # A row button saves through htmx and swaps in only the rows: the page's version
    # (data-version, what autosave builds on) comes back in this header, or the next
    # autosave would be refused as overtaken by that very save (autosave.js).
    response["X-Form-Version"] = application.updated_at.isoformat()
    return response


def _page_context(request: HttpRequest, slug: str, data: dict) -> dict:
    if slug == "enterprise":
        parts = places.parts(data.get("division_code") or "", data.get("domicile") or "")
        context = kind_pages.enterprise_context(data)
        if context["asks_parent"] and data.get("parent_uscc"):
            context["parent"] = live.parent_found(data["parent_uscc"], get_language())
        return {**context,
                "place": pickers.from_code(data.get("division_code") or places.zone(),
                                           parts.street),
                "address": parts.address}
    if slug == "scope":
        query, industry_query = request.GET.get("q", ""), request.GET.get("iq", "")
        code = data.get("industry_code") or ""
        return {"chosen": presenters.chosen_scope(data), "q": query,
                "results": presenters.scope_results(query) if query else [],
                "industry": industry.choice(code), "industry_code": code,
                "industry_auto": code == industry.main_class(data.get("business_scope")),
                "iq": industry_query,
                "industry_results": industry.search(industry_query) if industry_query else []}
    if slug == "investors":
        members = kind_pages.members(data)
        if members is None:  # a branch: no members of its own
            return {"members": None, "rows": []}
        return _table(request, data, "investors", members=members, kinds=[
            ("natural", _("自然人")), ("corporate", _("企业法人"))],
            methods=[(m, str(presenters.CONTRIBUTION_METHOD_LABELS.get(m, m)))
                     for m in members.methods],
            liabilities=[("", _("请选择")), *labels.choices(Liability).items()],
            addable=not members.single)
    if slug == "employees":
        return _table(request, data, "employees")
    if slug == "people":
        return people.people_context(data, request.GET.get("add", ""))
    if slug == "choices":
        invoices = data.get("invoices") or {}
        return {"seals": labels.choices(Seal).items(),
                "invoice_types": labels.choices(InvoiceType).items(),
                "chosen_seals": set(data.get("seals") or []) or set(Seal.values),
                "chosen_invoices": set(invoices.get("types") or []),
                "monthly_quantity": invoices.get("monthly_quantity"),
                "bank": data.get("bank_appointment"),
                "banks": local.banks(data.get("division_code") or "")}
    return {}


def _table(request: HttpRequest, data: dict, table: str, **choices) -> dict:
    """Saved rows plus blank ones: one when the table is empty, one more per "add"."""
    rows = list(data.get(table) or [])
    blanks = 1 if not rows or request.GET.get("add") == table else 0
    return {"rows": list(enumerate(rows + [{} for _ in range(blanks)])), **choices}


def review(request: HttpRequest, editor: Editor, application: Application) -> HttpResponse:
    """核对提交 — everything on one page, every remaining problem linked to its field."""
    if request.method == "POST":
        try:
            editor.submit(application, pledged=request.POST.get("declaration") == "yes")
        except declaration.PledgeRequired as exc:
            messages.error(request, _("尚不能提交，请先阅读并确认承诺书。"))
            errors = [*validation.check_application(application),
                      *parties.pending_errors(application), exc.as_error()]
            return _review_page(request, editor, application, errors, status=400)
        except services.InvalidApplication as exc:
            messages.error(request, _("尚不能提交，请先修改以下内容。"))
            return _review_page(request, editor, application, exc.errors, status=400)
        except (services.NotEditable, PermissionDenied):
            return redirect(editor.done_url(application))
        application.refresh_from_db()
        messages.success(request, str(_SUBMITTED.get(application.status, _("已提交。"))))
        return redirect(editor.done_url(application))
    errors = [*validation.check_application(application), *parties.pending_errors(application)]
    return _review_page(request, editor, application, errors)


_SUBMITTED = {
    Status.ACCEPTED: _("已受理，各部门正在办理。"),
    Status.IN_REVIEW: _("已提交，等待审查员人工审查。"),
    Status.RETURNED: _("申请被退回补正，请查看审查意见。"),
    Status.REJECTED: _("申请不予受理，请查看原因。"),
}


def _review_page(request: HttpRequest, editor: Editor, application: Application,
                 errors: list[dict], status: int = 200) -> HttpResponse:
    language = get_language()
    data = presenters.form_data(application)
    errors = people.relocate(errors, data)  # link to where the people step shows them
    grouped = []
    for s in steps.STEPS:
        mine = [e for e in errors if s.owns(e["field"])]
        if mine:
            grouped.append((s, [(editor.step_url(application, s.slug, check=1) + "#"
                                 + steps.field_id(e["field"]), steps.message(e, language))
                                for e in mine]))
    other = [steps.message(e, language) for e in errors
             if not any(s.owns(e["field"]) for s in steps.STEPS)]
    pledge = [e for e in errors if e["field"] == declaration.PledgeRequired.field]
    return render_step(request, editor, application, "review", data, pledge, status=status,
                       declaration_text=declaration.TEXT,
                       grouped=grouped, other_errors=other, problem_count=len(errors),
                       chosen=presenters.chosen_scope(data),
                       people=[(labels.choice(Role, p["role"]), p)
                               for p in data.get("people") or []],
                       parties=presenters.party_rows(application, editor, request),
                       org_form=labels.choice(OrgForm, data.get("org_form")),
                       composition=labels.choice(Composition, data.get("composition")),
                       **_page_context(request, "enterprise", data))
