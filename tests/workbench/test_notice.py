"""受理通知书: a real PDF with the enterprise's name, number, items and time limit."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.workbench.conftest import submitted
from yilian.forms import notice, review

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_the_notice_is_a_pdf_with_the_enterprise_and_the_promise(clerk, applicant):
    application = submitted(clerk, applicant)
    pdf = notice.render(application)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf).replace(" ", "")
    assert application.name in text
    assert notice.notice_number(application) in text
    assert "受理通知书" in text and "设立登记" in text and "1小时内办结" in text


def test_no_notice_before_acceptance(in_review, examiner):
    with pytest.raises(notice.NotAccepted):
        notice.render(in_review)
    review.approve(in_review, examiner)
    in_review.refresh_from_db()
    assert in_review.name in _text(notice.render(in_review)).replace(" ", "")
