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


# What a department's failure says, in words (the raw text stays in the audit trail).
# Each: a pattern of the adapter's error text → (Chinese, English).
_STEP_ERRORS = (
    (r"is down \(outage window\)", ("部门系统暂停服务（维护时段）",
                                    "the department's system is down (outage window)")),
    (r"connection reset", ("与部门系统的连接中断",
                           "the connection to the department was reset")),
    (r"reply lost", ("部门已处理但答复丢失；再次询问时以同一幂等键确认，不会重复办理",
                     "the department handled it but its reply was lost; asking again "
                     "with the same key does not act twice")),
)


@register.filter
def step_error(text: str) -> str:
    """A step's last error for the officer, in the page's language: a known failure in
    words; a bilingual refusal ("中文 / English") in the reader's half; else a general
    sentence (the raw text is in the audit trail and the API)."""
    import re

    if not text:
        return ""
    for pattern, (zh, en) in _STEP_ERRORS:
        if re.search(pattern, text):
            return labels.bilingual(zh, en)
    if " / " in text and re.search(r"[\u4e00-\u9fff]", text.split(" / ", 1)[0]):
        zh, en = text.split(" / ", 1)
        return labels.bilingual(zh, en)
    if re.search(r"[\u4e00-\u9fff]", text) and not re.search(r"[A-Za-z]{3}", text):
        return labels.bilingual(text, text)
    return labels.bilingual("部门系统返回错误，详见审计记录", "the department's system "
                            "answered with an error; see the audit trail")
