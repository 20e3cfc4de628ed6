"""forms/0004_parties: co-signers become parties bound to the person the form names; an
invitation the form no longer backs is dropped."""

from __future__ import annotations

import pytest

from tests.migrating import migrate, to_latest

BEFORE = [("forms", "0003_cosigner")]
AFTER = [("forms", "0004_parties")]


@pytest.mark.django_db(transaction=True)
def test_cosigners_become_parties_keyed_by_their_id_number():
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Application = old.get_model("forms", "Application")
    Investor = old.get_model("forms", "Investor")
    CoSigner = old.get_model("forms", "CoSigner")
    owner = User.objects.create(username="13900000077")
    app = Application.objects.create(owner=owner, name="威海迁移科技有限公司")
    Investor.objects.create(application=app, name="李娜", id_number="371082199007230221")
    CoSigner.objects.create(application=app, name="李娜", phone="13506310003", token="a" * 43,
                            invited_by=owner)
    CoSigner.objects.create(application=app, name="路人", phone="13506319999", token="b" * 43,
                            invited_by=owner)
    try:
        new = migrate(AFTER)
        Party = new.get_model("forms", "Party")
        [party] = Party.objects.filter(application_id=app.pk)
        assert (party.name, party.id_number, party.phone) == (
            "李娜", "371082199007230221", "13506310003")
    finally:
        new = migrate(AFTER)
        new.get_model("forms", "Application").objects.all().delete()
        new.get_model("auth", "User").objects.filter(username="13900000077").delete()
        to_latest()  # later tests of this worker need every later column


