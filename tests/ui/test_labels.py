"""Domain labels stay Chinese in the data and are translated only on pages."""

from __future__ import annotations

import pytest
from django.utils import translation

from yilian import labels
from yilian.chain.models import StepStatus
from yilian.departments import registry
from yilian.departments.seals import SEAL_NAMES
from yilian.forms.models import OrgForm, Role, Seal, Status


@pytest.mark.parametrize("enum", [OrgForm, Role, Seal, Status, StepStatus])
def test_every_choice_has_english_and_traditional_labels(enum):
    for value, source in enum.choices:
        with translation.override("en"):
            english = labels.choice(enum, value)
        with translation.override("zh-hant"):
            traditional = labels.choice(enum, value)
        with translation.override("zh-hans"):
            assert labels.choice(enum, value) == source
        assert english and english != source, (enum, value)
        assert traditional, (enum, value)


def test_every_department_is_named_in_each_language():
    for code, department in registry.departments().items():
        with translation.override("en"):
            assert labels.step_name(code) == department.name_en
        with translation.override("zh-hans"):
            assert labels.step_name(code) == department.name_zh


def test_what_departments_are_sent_stays_chinese_whatever_the_reader_reads():
    with translation.override("en"):
        assert SEAL_NAMES[Seal.OFFICIAL] == "公章"
        assert OrgForm(OrgForm.LLC_MULTI).label == "有限责任公司（自然人投资或控股）"


def test_unknown_values_are_shown_as_they_are():
    assert labels.choice(OrgForm, "partnership") == "partnership"
    assert labels.step_name("customs") == "customs"
    assert labels.choice(OrgForm, "") == ""


def test_service_messages_follow_the_readers_language():
    zh, en = "验证码错误或已过期", "the code is wrong or has expired"
    assert labels.bilingual(zh, en, "zh-hans") == zh
    assert labels.bilingual(zh, en, "en") == en
    assert labels.bilingual(zh, en, "zh-hant") == "驗證碼錯誤或已過期"
    with translation.override("zh-hant"):
        assert labels.bilingual(zh, en) == "驗證碼錯誤或已過期"
