"""身份核验 simulator: a deterministic seeded population, answers for each kind of
mismatch, and the departments' outage and failure behaviour."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from yilian.codes import resident_id
from yilian.departments import identity, queries
from yilian.departments.base import TransientError

# The simulators read their settings' override (yilian simulate) from the database.
pytestmark = pytest.mark.django_db


def _ask(**payload):
    return queries.get("identity").ask(payload)


def test_the_registry_builds_the_simulator():
    assert isinstance(queries.get("identity"), identity.IdentitySimulator)


def test_the_examples_people_are_in_the_seeded_population():
    path = resources.files("yilian.forms").joinpath("examples/application.json")
    example = json.loads(path.read_text(encoding="utf-8"))
    for row in [*example["investors"], *example["people"]]:
        assert _ask(name=row["name"], id_number=row["id_number"], phone=row["phone"]).ok


def test_each_mismatch_has_its_reason():
    zhang = ("张伟", "371002198603120110", "13906310001")
    assert _ask(name="张伟", id_number=zhang[1], phone="13906310002").reason == \
        "phone_mismatch"
    assert _ask(name="张为", id_number=zhang[1], phone=zhang[2]).reason == "name_mismatch"
    other = resident_id.make("371082", resident_id.validate(zhang[1]).birth_date, 555)
    assert _ask(name="张伟", id_number=other, phone=zhang[2]).reason == "not_found"
    # Full-width digits are the same number (NFKC).
    wide = zhang[1].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert _ask(name="张伟", id_number=wide, phone=zhang[2]).ok


def test_synthetic_people_are_deterministic_and_valid():
    person = identity.synthetic(123456)
    assert person == identity.synthetic(123456)
    resident_id.validate(person.id_number)
    assert _ask(**person.__dict__).ok
    assert identity.synthetic(123457).phone != person.phone
    with pytest.raises(ValueError):
        identity.synthetic(-1)


def test_tests_can_enrol_people_and_they_are_forgotten():
    number = resident_id.make("371002", dt.date(1990, 2, 3), 7)
    assert not _ask(name="周敏", id_number=number, phone="13906310099").ok
    identity.enrol("周敏", number, "13906310099")
    assert _ask(name="周敏", id_number=number, phone="13906310099").ok
    identity.forget()
    assert not _ask(name="周敏", id_number=number, phone="13906310099").ok


def test_outages_and_failures_come_from_the_simulator_settings(settings):
    person = identity.synthetic(1).__dict__
    settings.SIMULATOR = {**settings.SIMULATOR, "outages": "identity@*"}
    with pytest.raises(TransientError):
        _ask(**person)
    settings.SIMULATOR = {**settings.SIMULATOR, "outages": "", "failure_rate": 1.0}
    with pytest.raises(TransientError):
        _ask(**person)
