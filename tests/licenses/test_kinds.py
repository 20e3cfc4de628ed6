"""One license layout per family of kinds (docs/entity-kinds.md §6): each family's
license issued as registration issues it, rendered, and its rows read back from the PDF
(poppler's pdftotext; for an individual business, OCR too) and from the verification page;
a license issued before issue 12 keeps its layout and still verifies."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests import kindapps
from tests.licenses.conftest import make_enterprise
from yilian.codes import uscc
from yilian.licenses import pdf, rows, services, signing
from yilian.licenses.models import License
from yilian.refdata import kinds

pytestmark = pytest.mark.django_db

#: What each family's license says in the rows that set it apart.
EXPECTED = {
    "company": {"法定代表人": "张三", "注册资本": "50万元",
                "类型": "有限责任公司（自然人投资或控股）", "住所": "火炬路1号"},
    "sole": {"投资人": "陈投资", "类型": "个人独资企业", "住所": "火炬路1号"},
    "individual": {"经营者": "孙经营", "组成形式": "家庭经营", "类型": "个体工商户",
                   "注册日期": "年", "经营场所": "火炬路1号"},
    "partnership": {"执行事务合伙人": "威海一链普通合伙人管理有限公司（委派代表：吴委派）",
                    "类型": "有限合伙企业", "合伙期限": "至长期", "主要经营场所": "火炬路1号"},
    "branch": {"负责人": "冯负责", "类型": "有限责任公司分公司（自然人投资或控股）",
               "经营场所": "火炬路1号"},
    "cooperative": {"法定代表人": "农民0", "出资额": "0.5万元", "类型": "农民专业合作社"},
}
#: Rows a family's license must not print.
ABSENT = {"sole": ("法定代表人", "注册资本", "出资额"), "individual": ("法定代表人", "注册资本"),
          "partnership": ("法定代表人", "注册资本"), "branch": ("法定代表人", "注册资本")}


def issued(family: str) -> License:
    """The license of a ``family`` application, issued by the registration's own path."""
    app = kindapps.BY_FAMILY[family]()
    enterprise = make_enterprise(app)
    # The credit code of the kind's entity class (92 an individual business …).
    enterprise.uscc = uscc.make(app.division_code, enterprise.pk + 9000,
                                entity_type=kinds.entity_class(app.org_form))
    enterprise.save(update_fields=["uscc"])
    services.issue_registered(app.pk)
    return License.objects.get(application=app)


def pdftotext(data: bytes, tmp_path) -> str:
    source = tmp_path / "license.pdf"
    source.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return re.sub(r"\s+", "", out)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
@pytest.mark.parametrize("family", list(EXPECTED))
def test_each_family_prints_its_rows(family, tmp_path):
    lic = issued(family)
    fields = lic.signed["license"]
    labels = rows.labels_for(fields)
    for label, value in EXPECTED[family].items():
        member = next(key for key, text in labels.items() if text == label)
        assert value in re.sub(r"\s+", "", fields[member]), (label, fields[member])
    text = pdftotext(pdf.render(lic.signed), tmp_path)
    # Every row the license carries is printed: its label and its value.
    for member, label in labels.items():
        assert label in text, (family, label, text)
        assert re.sub(r"\s+", "", fields[member]) in text, (family, member, text)
    for label in ABSENT.get(family, ()):
        assert label not in text, (family, label)
    assert signing.check(lic.signed).valid


@pytest.mark.parametrize("family", list(EXPECTED))
def test_the_verification_page_shows_the_rows(family, client):
    lic = issued(family)
    html = client.get(f"/verify/{lic.uscc}/").content.decode()
    assert 'data-valid="true"' in html
    for label, value in EXPECTED[family].items():
        assert label in html and value in re.sub(r"\s+", "", html), (family, label)


def test_the_verification_page_in_english_names_the_new_rows(client):
    lic = issued("partnership")
    html = client.get(f"/verify/{lic.uscc}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Managing partner" in html and "Main premises" in html
    assert "执行事务合伙人" not in html


def test_a_license_issued_before_issue_12_keeps_its_layout_and_verifies(client, tmp_path):
    """Content without ``kind``, as every license issued before: the fixed rows, a sole
    proprietorship's investor in the legal representative's place."""
    lic = issued("company")
    old = {key: value for key, value in lic.signed["license"].items() if key != "kind"}
    old |= {"type": "个人独资企业", "name": "威海旧版软件开发中心"}
    License.objects.filter(pk=lic.pk).update(signed=signing.sign(old), fields=old)
    lic.refresh_from_db()
    assert signing.check(lic.signed).valid
    html = client.get(f"/verify/{lic.uscc}/").content.decode()
    assert 'data-valid="true"' in html and "投资人" in html and "出资额" in html
    text = pdftotext(pdf.render(lic.signed), tmp_path)
    assert "投资人张三" in text and "出资额50万元" in text


@pytest.mark.ocr
@pytest.mark.skipif(not all(map(shutil.which, ("pdftoppm", "tesseract"))),
                    reason="OCR needs poppler-utils and tesseract-ocr-chi-sim")
def test_an_individual_business_license_reads_back_by_ocr(tmp_path):
    """What a person sees, not only what the PDF's text layer says (tests/licenses/
    test_visible.py's way): every row of an individual business's license."""
    from tests.licenses.test_visible import assert_seen, ocr

    lic = issued("individual")
    fields = lic.signed["license"]
    page = ocr(pdf.render(lic.signed), tmp_path, "--psm", "4")
    assert_seen(page, f"经营者{fields['operator']}", f"组成形式{fields['composition']}",
                "类型个体工商户", f"注册日期{fields['established']}", "经营场所",
                f"名称{fields['name']}")
    assert "法定代表人" not in page


def test_the_type_by_the_members_and_the_kind():
    """其他有限责任公司 when every shareholder is a company; the kind's name otherwise."""
    from tests import factories
    from yilian.forms.models import Investor, InvestorKind
    from yilian.refdata.kinds import type_label

    app = kindapps.company()
    assert type_label(app).zh == "有限责任公司（自然人投资或控股）"
    for investor in app.investors.all():
        Investor.objects.filter(pk=investor.pk).update(
            kind=InvestorKind.CORPORATE, name=f"威海{factories.brand(600 + investor.pk)}有限公司")
    assert type_label(app).zh == "其他有限责任公司"
    lic = issued("company")
    assert lic.fields["type"] == "有限责任公司（自然人投资或控股）"


def test_the_new_rows_follow_the_font_rules(font_situation):
    """Issue 9's rules on a partnership's license (the longest new label, a name with
    full-width brackets): each character in a font that has it, in every situation."""
    from tests.licenses.test_pdf import EXPECTED_FONTS, shown

    lic = issued("partnership")
    by_font = shown(pdf.render(lic.signed))
    assert set(by_font) == EXPECTED_FONTS[font_situation]
    if font_situation == "droid-only":
        assert not any(c.isascii() and c.isalnum() for c in by_font["DroidSansFallback"])
    assert "执行事务合伙人" in re.sub(r"\s+", "", "".join(by_font.values()))
