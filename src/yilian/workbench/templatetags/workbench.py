"""Workbench filters: ``{{ step.code|department }}`` — a department's name,
``{{ chain.status|chain_status }}`` — a chain's status, ``{{ check.answer|permit_answer }}``
— an issuing department's answer; each in the page's language."""

from django import template

from yilian import labels

register = template.Library()


@register.filter
def department(code: str) -> str:
    return labels.step_name(code)


@register.filter
def chain_status(code: str) -> str:
    from yilian.portal.presenters import STATUS

    return str(STATUS.get(code, code))


@register.filter
def permit_answer(code: str) -> str:
    from yilian.rules.permits import MESSAGES

    zh, en = MESSAGES.get(code, (code, code))
    return labels.bilingual(zh, en)
