"""Fixtures for the license tests: one registered enterprise built straight through the ORM,
and its license issued as the registration step would issue it."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from tests.licenses.fontsets import SITUATIONS, font_dir
from yilian.accounts import tokens
from yilian.codes import uscc as uscc_codes
from yilian.forms.models import Application, OrgForm, Person, Status
from yilian.licenses import services
from yilian.registry.models import Enterprise

_serial = itertools.count(7001)

NAME = "威海一链测试科技有限公司"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """One data dir (and so one signing key) for the whole session."""
    return tmp_path_factory.mktemp("yilian-licenses")


@pytest.fixture(autouse=True)
def _isolated(settings, data_dir, tmp_path):
    """Keys and PDFs in temp dirs whatever the environment says, and a URLconf with just
    the license routes while the rest of the API (other apps) is not importable yet."""
    settings.DATA_DIR = data_dir
    settings.LICENSE_SIGNING_KEY = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        import yilian.api.urls  # noqa: F401
    except ImportError:
        settings.ROOT_URLCONF = "tests.licenses.urls"


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(username, password="pw-" + username, **extra)


def make_application(owner, name: str = NAME, **overrides) -> Application:
    values = dict(
        owner=owner, status=Status.ACCEPTED, name=name, org_form=OrgForm.LLC_MULTI,
        registered_capital=Decimal("500000.00"),
        domicile="山东省威海市火炬高技术产业开发区火炬路1号",
        division_code="371071", industry_code="6513",
        business_scope=["软件开发", "信息技术咨询服务", "数据处理和存储支持服务"],
        operating_term_years=None, accepted_at=timezone.now(),
    )
    values.update(overrides)
    app = Application.objects.create(**values)
    Person.objects.create(application=app, role="legal_representative", name="张三",
                          id_number="", phone="13800000000")
    Person.objects.create(application=app, role="supervisor", name="李四")
    return app


def make_enterprise(app: Application) -> Enterprise:
    code = uscc_codes.make(app.division_code, next(_serial))
    enterprise = Enterprise.objects.create(
        uscc=code, name=app.name, org_form=app.org_form, division_code=app.division_code,
        industry_code=app.industry_code, established=timezone.localdate(), application=app,
    )
    app.uscc = code
    app.save(update_fields=["uscc"])
    return enterprise


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def application(owner):
    return make_application(owner)


@pytest.fixture
def enterprise(application):
    return make_enterprise(application)


@pytest.fixture
def lic(application, enterprise):
    return services.issue_license(application, enterprise)


@pytest.fixture
def client_for():
    """An API client authenticated with a bearer token for ``user``."""

    def build(user) -> APIClient:
        client = APIClient()
        key, _token = tokens.issue(user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return build


@pytest.fixture(params=list(SITUATIONS))
def font_situation(request, settings, tmp_path) -> str:
    """Each test using it runs once per font situation, with no configured font."""
    settings.FONT_DIRS = [str(font_dir(tmp_path, SITUATIONS[request.param]))]
    settings.CJK_FONT = ""
    return request.param
