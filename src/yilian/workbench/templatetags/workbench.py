"""``{{ step.code|department }}`` — a department's name in the page's language."""

from django import template
from django.utils.translation import get_language

from yilian.departments import registry

register = template.Library()


@register.filter
def department(code: str) -> str:
    try:
        found = registry.get(code)
    except KeyError:
        return code
    return found.name_en if get_language() == "en" else found.name_zh
