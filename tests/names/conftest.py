"""Existing enterprises for the name tests, built with the ORM, and a fresh index per
test (the index lives in the process; the database is rolled back between tests)."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model

from yilian.codes import uscc
from yilian.names import index
from yilian.registry.models import Enterprise

_serials = itertools.count(1000)


def enterprise(name: str, division_code: str = "371002", industry_code: str = "") -> Enterprise:
    code = uscc.make(division_code, next(_serials))
    return Enterprise.objects.create(uscc=code, name=name, division_code=division_code,
                                     industry_code=industry_code, source="import")


@pytest.fixture(autouse=True)
def fresh_index():
    index.reset()
    yield
    index.reset()


@pytest.fixture
def registered(db):
    """A small register in Weihai (3710) and one enterprise in Yantai (3706)."""
    rows = [
        enterprise("威海一链科技有限公司", "371071", "6513"),
        enterprise("威海華盛科技有限公司", "371002", "6513"),
        enterprise("威海海之味餐饮管理有限公司", "371002", "6210"),
        enterprise("烟台金鼎贸易有限公司", "370602", "5191"),
    ]
    index.rebuild()
    return rows


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", password="pw-alice")


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", password="pw-bob")
