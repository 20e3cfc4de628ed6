"""退回补正 on the applicant's pages: the examiner's reasons are listed, and each opens
the step at fault with the fields marked (field errors beside their inputs)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from yilian.forms import returns
from yilian.forms.models import Application, Status

pytestmark = pytest.mark.django_db


def _returned(draft, *codes: str, comment: str = "") -> Application:
    Application.objects.filter(pk=draft.pk).update(
        status=Status.RETURNED, review_comment=comment,
        return_reasons=returns.resolve(codes, draft))
    return Application.objects.get(pk=draft.pk)


def test_the_banner_lists_the_reasons_and_links_to_the_field(signed_in, draft):
    application = _returned(draft, "domicile.incomplete", "investors.date_over_five_years",
                            comment="请补充门牌号。")
    page = signed_in.get(reverse("portal:detail", kwargs={"pk": application.pk})).content.decode()
    step = reverse("portal:step", kwargs={"pk": application.pk, "step": "enterprise"})
    assert "住所信息不完整" in page and "出资日期超过五年" in page and "请补充门牌号。" in page
    assert f'href="{step}#domicile"' in page
    investors = reverse("portal:step", kwargs={"pk": application.pk, "step": "investors"})
    assert f'href="{investors}#investors-0-contribution_date"' in page
    # "Correct and resubmit" opens the first step at fault, at its field.
    assert f'class="btn btn-primary grow" href="{step}#domicile"' in page


def test_the_step_marks_each_field_at_fault(signed_in, draft):
    application = _returned(draft, "investors.date_over_five_years")
    url = reverse("portal:step", kwargs={"pk": application.pk, "step": "investors"})
    page = signed_in.get(url).content.decode()
    for index in (0, 1):
        field = f"investors-{index}-contribution_date"
        assert f'id="{field}"' in page
        tag = page[page.index(f'id="{field}"'):]
        assert 'aria-invalid="true"' in tag[:tag.index(">")], field
        assert f'href="#{field}"' in page  # in the error summary
    # Another step shows the banner but marks nothing of its own.
    other = signed_in.get(reverse("portal:step", kwargs={"pk": application.pk,
                                                         "step": "enterprise"})).content.decode()
    assert "出资日期超过五年" in other and 'id="domicile" ' in other


def test_english_reader_reads_english_reasons(signed_in, draft):
    application = _returned(draft, "domicile.incomplete")
    with translation.override("en"):
        page = signed_in.get(reverse("portal:detail", kwargs={"pk": application.pk}),
                             HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The domicile (registered address) is incomplete" in page


def test_the_api_shows_the_return_reasons(signed_in, draft):
    application = _returned(draft, "domicile.incomplete")
    body = signed_in.get(f"/api/v1/applications/{application.pk}/").json()
    assert body["status"] == "returned"
    assert body["return_reasons"] == [{
        "code": "domicile.incomplete", "step": "enterprise", "fields": ["domicile"],
        "zh": "住所信息不完整", "en": "The domicile (registered address) is incomplete",
        "edition": returns.standard_reasons().edition}]
