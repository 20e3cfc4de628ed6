"""受理通知书 — the acceptance notice the window prints for the applicant.

One A4 page (portrait): the notice number, the applicant and the enterprise, the items
accepted (one per department of the chain), the date of acceptance (受理), the promised
time limit (the one-hour SLA, with its deadline) and a QR code that opens the status page.
Drawn with the license's text helpers (:mod:`yilian.licenses.typeset`): every character in
a font that has it.
"""

from __future__ import annotations

import io
from functools import partial

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from yilian.departments import registry
from yilian.forms.models import Application, Role, Status
from yilian.licenses import fonts, qr, typeset
from yilian.licenses.fonts import FontChain

INK = HexColor("#1f1f1f")
GREY = HexColor("#666666")
RED = HexColor("#9b1c1c")
AUTHORITY = "威海火炬高技术产业开发区 企业开办一窗受理"


class NotAccepted(Exception):
    """Only an accepted application (受理) has an acceptance notice."""


def notice_number(application: Application) -> str:
    """Stable for an application: the acceptance date and the start of its id."""
    day = timezone.localtime(application.accepted_at)
    return f"YL{day:%Y%m%d}-{application.pk.hex[:8].upper()}"


def status_url(application: Application) -> str:
    """Where the QR code points: the applicant's status page for this application (it
    asks them to sign in, and only they may open it)."""
    path = reverse("portal:detail", args=[application.pk])
    return f"{settings.PUBLIC_URL.rstrip('/')}{path}"


def _items(application: Application) -> list[str]:
    chain = getattr(application, "chain", None)
    codes = [s.code for s in chain.steps.all()] if chain else \
        [d.code for d in registry.for_application(application)]
    return [f"{registry.get(c).name_zh}（{registry.get(c).name_en}）" for c in codes]


def _applicant(application: Application) -> str:
    legal_rep = next((p for p in application.people.all()
                      if p.role == Role.LEGAL_REPRESENTATIVE), None)
    who = legal_rep.name if legal_rep else ""
    return f"{who}（{application.owner.get_username()}）" if who else \
        application.owner.get_username()


def fields(application: Application) -> list[tuple[str, str]]:
    """The notice's rows, label and value, in print order (also shown on screen)."""
    accepted = timezone.localtime(application.accepted_at)
    chain = getattr(application, "chain", None)
    deadline = timezone.localtime(chain.deadline_at) if chain else None
    hours = settings.SLA_SECONDS / 3600
    limit = f"自受理之时起{hours:g}小时内办结全部事项"
    if deadline:
        limit += f"（{deadline:%Y年%m月%d日 %H:%M}前）"
    return [
        ("通知书编号", notice_number(application)),
        ("申请人", _applicant(application)),
        ("企业名称", application.name),
        ("受理事项", "；".join(_items(application))),
        ("受理日期", f"{accepted:%Y年%m月%d日 %H:%M}"),
        ("承诺时限", limit),
    ]


def render(application: Application, font: str | None = None) -> bytes:
    """PDF bytes of the notice. Raises :class:`NotAccepted` before acceptance."""
    if application.status != Status.ACCEPTED or application.accepted_at is None:
        raise NotAccepted(str(application.pk))
    return typeset.pdf(A4, partial(_draw, font=fonts.chain(font), application=application),
                       title=f"受理通知书 {application.name}",
                       subject=notice_number(application))


def _draw(c: Canvas, font: FontChain, application: Application) -> None:
    width, height = A4  # 595 x 842 pt
    c.setStrokeColor(RED)
    c.setLineWidth(1.2)
    c.rect(36, 36, width - 72, height - 72)

    write = partial(typeset.draw_string, c, font)
    c.setFillColor(INK)
    write(width / 2, height - 110, "受理通知书", 26, "centre")
    c.setFillColor(GREY)
    write(width / 2, height - 132, "Notice of Acceptance · 企业开办一链办理", 11, "centre")

    size = 96
    url = status_url(application)
    c.drawImage(ImageReader(io.BytesIO(qr.encode(url))), width - 60 - size,
                height - 70 - size, size, size)
    write(width - 60 - size / 2, height - 80 - size, "扫码查看办理进度", 8, "centre")

    style = ParagraphStyle("v", fontSize=12, leading=18, textColor=INK)
    y = height - 210
    label_x, value_x, value_width = 70, 160, width - 160 - 70
    for label, value in fields(application):
        para = typeset.paragraph(font, value, style)
        _, needed = para.wrap(value_width, 10_000)
        c.setFillColor(INK)
        write(label_x, y - 12, f"{label}：", 12)
        para.drawOn(c, value_x, y - needed + 3)
        y -= max(needed, 18) + 14

    body = ("您提交的企业开办申请材料齐全、符合法定形式，现予受理。上列事项由各部门"
            "并联办理，办理进度可扫描右上角二维码或登录“一链”查询。")
    para = typeset.paragraph(font, body, ParagraphStyle("b", parent=style, fontSize=11,
                                                        leading=17))
    _, needed = para.wrap(width - 140, 10_000)
    para.drawOn(c, 70, y - needed - 10)

    write(width - 70, 140, AUTHORITY, 12, "right")
    accepted = timezone.localtime(application.accepted_at)
    write(width - 70, 118, f"{accepted:%Y年%m月%d日}", 12, "right")
    c.setFillColor(GREY)
    write(50, 50, f"查询 {url}", 7.5)
