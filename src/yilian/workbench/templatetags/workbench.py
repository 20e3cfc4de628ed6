"""``{{ step.code|department }}`` — a department's name in the page's language."""

from django import template

from yilian import labels

register = template.Library()


@register.filter
def department(code: str) -> str:
    return labels.step_name(code)
