"""受理通知书 — the acceptance notice the window prints for the applicant.

One A4 page (portrait): the notice number, the applicant and the enterprise, the items
accepted (one per department of the chain), the date of acceptance (受理), the promised
time limit (the one-hour SLA, with its deadline) and a QR code that opens the status page.
Drawn with ReportLab in the CJK font the license uses (:func:`yilian.licenses.fonts.resolve`).
"""

from __future__ import annotations

import io
import threading
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from yilian.departments import registry
from yilian.forms.models import Application, Role, Status
from yilian.licenses import fonts, qr

INK = HexColor("#1f1f1f")
GREY = HexColor("#666666")
RED = HexColor("#9b1c1c")
AUTHORITY = "威海火炬高技术产业开发区 企业开办一窗受理"

_render_lock = threading.Lock()  # ReportLab's font subsetting state is per process


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
    font_name = fonts.resolve(font)
    out = io.BytesIO()
    with _render_lock:
        c = Canvas(out, pagesize=A4, invariant=True)
        c.setTitle(f"受理通知书 {application.name}")
        c.setSubject(notice_number(application))
        c.setCreator("Yilian 一链")
        _draw(c, font_name, application)
        c.showPage()
        c.save()
    return out.getvalue()


def _draw(c: Canvas, font: str, application: Application) -> None:
    width, height = A4  # 595 x 842 pt
    c.setStrokeColor(RED)
    c.setLineWidth(1.2)
    c.rect(36, 36, width - 72, height - 72)

    c.setFillColor(INK)
    c.setFont(font, 26)
    c.drawCentredString(width / 2, height - 110, "受理通知书")
    c.setFont(font, 11)
    c.setFillColor(GREY)
    c.drawCentredString(width / 2, height - 132, "Notice of Acceptance · 企业开办一链办理")

    size = 96
    url = status_url(application)
    c.drawImage(ImageReader(io.BytesIO(qr.encode(url))), width - 60 - size,
                height - 70 - size, size, size)
    c.setFont(font, 8)
    c.drawCentredString(width - 60 - size / 2, height - 80 - size, "扫码查看办理进度")

    style = ParagraphStyle("v", fontName=font, fontSize=12, leading=18, textColor=INK,
                           wordWrap="CJK")
    y = height - 210
    label_x, value_x, value_width = 70, 160, width - 160 - 70
    for label, value in fields(application):
        para = Paragraph(escape(value), style)
        _, needed = para.wrap(value_width, 10_000)
        c.setFont(font, 12)
        c.setFillColor(INK)
        c.drawString(label_x, y - 12, f"{label}：")
        para.drawOn(c, value_x, y - needed + 3)
        y -= max(needed, 18) + 14

    body = ("您提交的企业开办申请材料齐全、符合法定形式，现予受理。上列事项由各部门"
            "并联办理，办理进度可扫描右上角二维码或登录“一链”查询。")
    para = Paragraph(escape(body), ParagraphStyle("b", parent=style, fontSize=11,
                                                  leading=17))
    _, needed = para.wrap(width - 140, 10_000)
    para.drawOn(c, 70, y - needed - 10)

    c.setFont(font, 12)
    c.drawRightString(width - 70, 140, AUTHORITY)
    accepted = timezone.localtime(application.accepted_at)
    c.drawRightString(width - 70, 118, f"{accepted:%Y年%m月%d日}")
    c.setFont(font, 7.5)
    c.setFillColor(GREY)
    c.drawString(50, 50, f"查询 {url}")
