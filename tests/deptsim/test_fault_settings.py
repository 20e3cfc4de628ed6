"""Fault settings read, written back and judged without a process (yilian.deptsim.faults)."""

import datetime as dt
import math
import time
from zoneinfo import ZoneInfo

import pytest

from yilian.deptsim.faults import KEYS, BadSetting, Faults

ZONE = ZoneInfo("Asia/Shanghai")


def test_every_setting_reads_back_what_it_writes():
    faults = Faults.for_department("seals").updated({
        "latency_ms": "20-80", "failure_rate": "0.1", "lost_reply_rate": 0.05,
        "outage": "now", "outage_windows": "23:30-00:15, 02:00-03:30",
        "callback_duplicates": "2", "callback_reorder": "0.5", "reply_delay_ms": "7"})
    written = faults.as_settings()
    assert set(written) == set(KEYS)
    assert Faults().updated(written) == faults
    assert written["async_after"] == "5" and Faults.for_department("tax").async_after == 0
    assert written["outage"] == "now" and math.isinf(faults.outage_until)


@pytest.mark.parametrize(("key", "value"), [
    ("failure_rate", "1.5"), ("failure_rate", "often"), ("latency_ms", "80-20"),
    ("callback_duplicates", "11"), ("async_after", "-1"), ("outage", "tomorrow"),
    ("outage", "2026-11-29T10:00:00"), ("outage_windows", "02:00"), ("colour", "red")])
def test_a_setting_that_cannot_be_read_names_itself(key, value):
    with pytest.raises(BadSetting) as refused:
        Faults().updated({key: value})
    assert refused.value.key == key


def test_outages_say_how_long_they_last():
    at = dt.datetime(2026, 11, 29, 23, 45, tzinfo=ZONE)
    nightly = Faults().updated({"outage_windows": "23:30-00:15"})
    assert nightly.down_for(at) == 30 * 60  # across midnight
    assert nightly.down_for(at.replace(hour=12)) is None
    assert Faults().updated({"outage": "now"}).down_for(at) == 30
    for_a_while = Faults().updated({"outage": "60s"})
    now = dt.datetime.now(ZONE)
    assert 55 < for_a_while.down_for(now) <= 60
    assert for_a_while.down_for(now + dt.timedelta(seconds=61)) is None
    assert Faults().updated({"outage": "60s"}).updated({"outage": "off"}).down_for(now) is None
    assert time.time() < for_a_while.outage_until


def test_backoff_doubles_to_a_minute():
    faults = Faults().updated({"callback_retry": "1"})
    assert [faults.backoff(n) for n in (1, 2, 3, 7, 20)] == [1, 2, 4, 60, 60]
