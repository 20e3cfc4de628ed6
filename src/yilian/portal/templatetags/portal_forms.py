"""``{% field %}``: one labelled input with its error slot, the same everywhere.

Every input gets ``label for=``, ``aria-describedby`` pointing at its error slot (and
hint), and ``aria-invalid`` when the page carries an error for it; ``check`` names a live
check (:mod:`yilian.portal.live`) run when the applicant leaves the field.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("portal/_field.html", takes_context=True)
def field(context, *parts, label="", value=None, type="text", hint="", check="",
          options=None, inputmode="", autocomplete="", compact=False, list_id="",
          maxlength=""):
    """``{% field "investors" i "amount" label=_("认缴出资额") value=row.amount %}``: the
    parts join into the id and name (``investors-0-amount``)."""
    field_id = "-".join(str(p) for p in parts)
    errors = context.get("errors") or {}
    return {
        "id": field_id, "label": label, "value": "" if value is None else value,
        "type": type, "hint": hint, "error": errors.get(field_id, ""),
        "check_url": reverse("portal:check", kwargs={"kind": check}) if check else "",
        "options": options, "inputmode": inputmode, "autocomplete": autocomplete,
        "compact": compact, "list_id": list_id, "maxlength": maxlength,
    }


@register.inclusion_tag("portal/_flag.html", takes_context=True)
def flag(context, *parts, label="", checked=False):
    """``{% flag "investors" i "farmer" label=_("是农民") checked=row.farmer %}``: a check
    box whose ticked state is the row's JSON boolean (:data:`yilian.portal.steps.FLAGS`)."""
    field_id = "-".join(str(p) for p in parts)
    return {"id": field_id, "label": label, "checked": checked is True,
            "error": (context.get("errors") or {}).get(field_id, "")}


@register.filter
def error_for(errors: dict, field_id: str) -> str:
    return (errors or {}).get(field_id, "")


@register.simple_tag(takes_context=True)
def field_error(context, *parts) -> str:
    """The page's error for the input whose id joins ``parts`` (escaped by the caller's
    autoescape), or ""."""
    return (context.get("errors") or {}).get("-".join(str(p) for p in parts), "")


@register.filter
def wan(value) -> str:
    """An amount in 元 (as the form keeps it) shown in 万元 with separators; an input
    that could not be read (:class:`yilian.portal.steps.Typed`) as it was typed."""
    from yilian.forms.amounts import in_wan
    from yilian.portal.steps import Typed

    if value is None or isinstance(value, Typed):
        return value or ""
    try:
        return in_wan(value)
    except ArithmeticError:
        return str(value)
