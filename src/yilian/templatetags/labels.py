"""``{% load labels %}``: ``{{ step.code|step_name }}``, ``{{ obj.get_status_display|tr }}``
— domain labels (kept in Chinese in the data) in the reader's language."""

from django import template
from django.utils.translation import gettext

from yilian import labels

register = template.Library()


@register.filter
def tr(value) -> str:
    return gettext(str(value)) if value else ""


@register.filter
def step_name(code: str) -> str:
    return labels.step_name(code)
