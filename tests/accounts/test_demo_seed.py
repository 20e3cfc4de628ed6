"""Demo accounts: created by `yilian seed-demo`, again and again without harm."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model

from yilian.accounts import roles
from yilian.accounts.demo import DEMO_PASSWORD, seed_demo
from yilian.chain import engine
from yilian.forms.models import Application

pytestmark = pytest.mark.django_db


def test_seeding_creates_every_account_and_the_example_chain_once():
    lines = seed_demo()
    again = seed_demo()
    assert lines == again
    User = get_user_model()
    for username in ("demo-applicant", "demo-clerk", "demo-examiner", "demo-admin",
                     "demo-officer-tax", "demo-officer-seals"):
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None
        assert any(username in line for line in lines)
    assert roles.departments_of(User.objects.get(username="demo-officer-tax")) == {"tax"}
    assert roles.roles_of(User.objects.get(username="demo-clerk")) == {roles.CLERK}
    applications = Application.objects.filter(owner__username="demo-applicant")
    assert applications.count() == 1
    engine.drain()
    assert applications.get().public_status() == "completed"
    # The companies docs/examples/<kind>.json name are in the register, once.
    from yilian.accounts.demo import example_register
    from yilian.registry.models import Enterprise

    named = [row["uscc"] for row in example_register()]
    assert Enterprise.objects.filter(uscc__in=named, source="example").count() == len(named)


def test_no_demo_account_is_a_superuser_and_only_the_admin_is_django_staff():
    seed_demo()
    demo = get_user_model().objects.filter(username__startswith="demo-")
    assert not demo.filter(is_superuser=True).exists()
    assert list(demo.filter(is_staff=True).values_list("username", flat=True)) == ["demo-admin"]
    admin = demo.get(username="demo-admin")
    assert admin.has_perm("rules.add_catalogueamendment")
    assert not admin.has_perm("forms.view_application")
    assert not admin.has_perm("licenses.view_license")


def test_seed_demo_refuses_outside_demo_mode(monkeypatch, capsys):
    from yilian.cli import main

    monkeypatch.delenv("YILIAN_DEMO", raising=False)
    users = get_user_model().objects.count()
    assert main(["seed-demo"]) == 1
    assert "YILIAN_DEMO=1" in capsys.readouterr().err
    assert get_user_model().objects.count() == users
