"""The application's page: one banner from the status the badge shows, the result list
(license, seals, invoices, bank, every department's reference), the texts it was sent,
and the portal's "before you start" list."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories
from yilian.chain import engine
from yilian.chain.models import Step
from yilian.forms import services
from yilian.forms.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(applicant, draft):
    factories.confirm_parties(draft)
    services.submit_application(draft, applicant)
    engine.drain()
    return Application.objects.get(pk=draft.pk)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_completed_application_lists_everything_it_got(signed_in, completed):
    html = signed_in.get(reverse("portal:detail", args=[completed.pk])).content.decode()
    text = _text(html)
    # Banner and badge say the same, from one status.
    assert 'id="app-status">已办结<' in html and "已全部办结" in text
    assert "办理中" not in re.search(r'id="banner".*?</div>', html, re.S).group(0)
    # The license: download, QR, how to add it to the national app.
    assert reverse("portal:qr", args=[completed.pk]) in html and 'id="license-pdf"' in html
    assert "电子营业执照”小程序" in text and completed.uscc in text
    # Seals: each record number, the maker, how they arrive.
    seals = Step.objects.get(chain__application=completed, code="seals").result
    assert seals["maker"] in text
    assert all(s["record_no"] in text for s in seals["seals"])
    assert ("运单号" in text) if seals["delivery"] == "post" else ("到刻章单位自取" in text)
    # Invoices: activated and how to issue the first.
    assert "数电发票 已开通" in text and "蓝字发票开具" in text
    # The bank appointment: bank, branch, date and the time the bank gave.
    bank = Step.objects.get(chain__application=completed, code="bank").result
    assert "中国工商银行" in text and "威海高技术产业开发区支行" in text
    assert f"{bank['date']} {bank['time']}" in text and bank["appointment_no"] in text
    # Every department's reference.
    for step in Step.objects.filter(chain__application=completed):
        assert step.reference in text
    # The texts it was sent, on the page too.
    assert 'id="texts"' in html and "已全部办结" in text and "已核准登记" in text


def test_while_processing_the_banner_and_badge_agree(signed_in, applicant, draft):
    factories.confirm_parties(draft)
    services.submit_application(draft, applicant)  # accepted, chain not yet run
    html = signed_in.get(reverse("portal:timeline", args=[draft.pk])).content.decode()
    assert 'id="app-status">办理中<' in html and "已受理，各部门正在办理" in html
    assert "已全部办结" not in html and 'id="license"' not in html
    assert 'id="result-license"' in html  # listed, waiting


def test_the_page_in_english(signed_in, completed):
    signed_in.cookies["django_language"] = "en"
    html = signed_in.get(reverse("portal:detail", args=[completed.pk]),
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Everything is done" in html and "Seals" in html


def test_before_starting_the_portal_says_what_to_have_at_hand(signed_in):
    text = _text(signed_in.get(reverse("portal:index")).content.decode())
    assert "开办前请准备" in text and "身份证" in text and "手机" in text
    assert "预计用时" in text and "1小时内办结" in text
