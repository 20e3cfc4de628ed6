"""The public verification page that the QR code opens."""

from __future__ import annotations

import re

import pytest

from yilian.licenses.models import License

pytestmark = pytest.mark.django_db


def test_page_shows_the_license_and_a_valid_signature(client, lic):
    response = client.get(f"/verify/{lic.uscc}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert lic.fields["name"] in html
    assert "威海火炬高技术产业开发区市场监督管理局" in html
    assert 'data-valid="true"' in html
    assert "名称" in html and "Name" not in html  # one language: the reader's
    assert lic.key_id in html
    for external in ("<script", "src=", "@import", "url("):  # no script, nothing from afar
        assert external not in html
    # Its one style sheet is our own (a static file: the CSP forbids inline style).
    assert re.findall(r'<link [^>]*href="([^"]*)"', html) == ["/static/licenses/verify.css"]


def test_lowercase_code_finds_the_license(client, lic):
    assert client.get(f"/verify/{lic.uscc.lower()}/").status_code == 200


def test_unknown_code_is_a_404_page(client, db):
    response = client.get("/verify/91371071MA3C7X0012/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "91371071MA3C7X0012" in html and "未找到执照" in html
    english = client.get("/verify/91371071MA3C7X0012/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404 and "No license found" in english.content.decode()


def test_register_row_altered_in_the_database_shows_invalid(client, lic):
    signed = lic.signed
    signed["license"]["registered_capital"] = "5000万元"
    License.objects.filter(pk=lic.pk).update(signed=signed)
    response = client.get(f"/verify/{lic.uscc}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-valid="false"' in html and 'data-code="mismatch"' in html
    assert "签名无效：签名不符：执照内容已被改动" in html
    english = client.get(f"/verify/{lic.uscc}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Invalid signature: signature mismatch: the content was altered" in english
    traditional = client.get(f"/verify/{lic.uscc}/",
                             HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "簽名無效：簽名不符：執照內容已被改動" in traditional


def test_page_shows_the_content_that_verified_not_the_fields_column(client, lic):
    """The printed rows come from the signed document that verified; the ``fields``
    column beside it (unsigned) cannot put a different name on the page."""
    License.objects.filter(pk=lic.pk).update(fields={**lic.fields, "name": "冒名顶替有限公司"})
    html = client.get(f"/verify/{lic.uscc}/").content.decode()
    assert 'data-valid="true"' in html
    assert lic.signed["license"]["name"] in html and "冒名顶替有限公司" not in html


def test_register_row_with_an_unsigned_extra_field_shows_invalid(client, lic):
    License.objects.filter(pk=lic.pk).update(signed={**lic.signed, "status": "current"})
    html = client.get(f"/verify/{lic.uscc}/").content.decode()
    assert 'data-valid="false"' in html


@pytest.mark.parametrize(("language", "heading", "label", "verdict"), [
    ("zh-hans", "营业执照", "统一社会信用代码", "签名有效"),
    ("zh-hant", "營業執照", "統一社會信用代碼", "簽名有效"),
    ("en", "Business license", "Unified social credit code", "Valid signature"),
])
def test_the_language_switch_gives_one_language(client, lic, language, heading, label,
                                                verdict):
    """The switch every page has (Django's set_language, the language cookie): the page
    then reads in that language only; the license's entries stay as printed."""
    page = f"/verify/{lic.uscc}/"
    html = client.get(page).content.decode()
    assert 'action="/i18n/setlang/"' in html and 'name="language"' in html
    switched = client.post("/i18n/setlang/", {"language": language, "next": page})
    assert switched.status_code == 302 and switched["Location"] == page
    html = client.get(page).content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html and label in html and verdict in html
    assert lic.signed["license"]["name"] in html  # data: as printed
    others = {"zh-hans": "统一社会信用代码", "zh-hant": "統一社會信用代碼",
              "en": "Unified social credit code"}
    assert [o for code, o in others.items() if code != language and o in html] == []
