"""Issuing: the license's content, its audit entry, idempotency and the download links."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.test import RequestFactory

from tests.licenses.conftest import make_application, make_enterprise, make_user
from yilian.accounts import roles
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_application
from yilian.licenses import services, signing
from yilian.licenses.models import License

pytestmark = pytest.mark.django_db


def test_fields_are_those_of_a_business_license(lic, enterprise):
    fields = lic.fields
    # A company's rows, as licenses printed them before issue 12, and now its kind.
    assert list(fields) == [*services.LABELS, "kind"]
    assert fields["kind"] == "llc_multi"
    assert fields["uscc"] == enterprise.uscc
    assert fields["name"] == "威海一链测试科技有限公司"
    assert fields["type"] == "有限责任公司（自然人投资或控股）"
    assert fields["legal_representative"] == "张三"
    assert fields["registered_capital"] == "50万元"
    assert fields["business_scope"] == "软件开发；信息技术咨询服务；数据处理和存储支持服务"
    assert fields["registration_authority"] == "威海火炬高技术产业开发区市场监督管理局"
    assert fields["operating_term"].endswith(" 至 长期")
    assert fields["established"] == services.format_date(enterprise.established)
    assert fields["domicile"].startswith("山东省威海市")


def test_signed_document_holds_the_fields_and_verifies(lic):
    assert lic.signed["license"]["schema"] == services.SCHEMA
    assert {k: lic.signed["license"][k] for k in lic.fields} == lic.fields
    assert lic.key_id == lic.signed["signature"]["key_id"]
    assert signing.verify(lic.signed) == (True, signing.Verification(
        True, "valid", *signing.REASONS["valid"]).reason)


def test_issue_writes_an_audit_entry(lic, application):
    entry = Entry.objects.get(stream=stream_for_application(application.pk),
                              action="license.issued")
    assert entry.data["uscc"] == lic.uscc
    assert entry.data["key_id"] == lic.key_id


def test_issuing_twice_returns_the_same_license(lic, application, enterprise):
    again = services.issue_license(application, enterprise)
    assert again.pk == lic.pk
    assert License.objects.count() == 1


def test_issue_is_cheap(owner):
    # Warm up: the key exists and is loaded, as in a running worker.
    app = make_application(owner, name="威海预热科技有限公司")
    services.issue_license(app, make_enterprise(app))
    app = make_application(owner, name="威海计时科技有限公司")
    ent = make_enterprise(app)
    start = time.perf_counter()
    services.issue_license(app, ent)
    assert time.perf_counter() - start < 0.25  # a few ms in practice; no PDF here


@pytest.mark.parametrize(("amount", "shown"), [
    (Decimal("500000.00"), "50万元"),
    (Decimal("1000000"), "100万元"),
    (Decimal("123456.78"), "12.345678万元"),
    (None, ""),
])
def test_capital_in_wan_yuan(amount, shown):
    assert services.format_capital(amount) == shown


def test_operating_term_with_years_ends_the_day_before():
    assert services.operating_term(dt.date(2025, 3, 1), 20) == "2025年03月01日 至 2045年02月28日"
    assert services.operating_term(dt.date(2024, 2, 29), 1) == "2024年02月29日 至 2025年02月28日"


def test_sole_proprietorship_labels_before_and_since_issue_12(owner):
    app = make_application(owner, name="威海张三软件开发个人独资企业",
                           org_form="sole_proprietorship")
    lic = services.issue_license(app, make_enterprise(app))
    # Since: the kind's rows — its investor in a row of its own, no capital printed.
    assert list(services.labels_for(lic.fields).values())[3] == "投资人"
    assert "legal_representative" not in lic.fields
    assert "registered_capital" not in lic.fields
    # Before: the fixed layout, the investor in the legal representative's place.
    old = {k: v for k, v in lic.fields.items() if k != "kind"} | {"type": "个人独资企业"}
    labels = services.labels_for(old)
    assert labels["legal_representative"] == "投资人"
    assert labels["registered_capital"] == "出资额"


def test_links_none_before_issue_then_relative_or_absolute(application, enterprise):
    assert services.license_links(application) is None
    lic = services.issue_license(application, enterprise)
    links = services.license_links(application)
    assert links == {"pdf_url": f"/api/v1/licenses/{lic.uscc}/pdf/",
                     "json_url": f"/api/v1/licenses/{lic.uscc}/json/"}
    request = RequestFactory().get("/api/v1/applications/x/")
    absolute = services.license_links(application, request)
    assert absolute["pdf_url"] == f"http://testserver/api/v1/licenses/{lic.uscc}/pdf/"


def test_only_owner_and_the_window_may_download(lic, owner):
    assert services.can_download(lic, owner)
    clerk = make_user("clerk")
    roles.grant(clerk, roles.CLERK)
    assert services.can_download(lic, clerk)
    assert not services.can_download(lic, make_user("django-staff", is_staff=True))
    assert not services.can_download(lic, make_user("stranger"))
    assert not services.can_download(lic, None)
