"""Staff of every kind, and applications at the points where the workbench acts on them,
all made through the same services the pages call."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.forms.conftest import example_data, parse
from yilian.accounts import roles
from yilian.chain import engine
from yilian.forms import counter
from yilian.forms.models import Application, Status
from yilian.workbench import demo

UNLISTED = demo.UNLISTED


def _user(username: str, *held: str):
    user = get_user_model().objects.filter(username=username).first() or \
        get_user_model().objects.create_user(username, password="pw-" + username)
    for role in held:
        roles.grant(user, role)
    return user


@pytest.fixture
def clerk(db):
    return _user("clerk", roles.CLERK)


@pytest.fixture
def examiner(db):
    return _user("examiner", roles.EXAMINER)


@pytest.fixture
def applicant(db):
    return _user("13906310000", roles.APPLICANT)


@pytest.fixture
def officer(db):
    """A factory: ``officer("tax")`` is an officer of the tax bureau only."""
    def make(*codes: str):
        return _user("officer-" + "-".join(codes), *map(roles.officer_group, codes))
    return make


def submitted(clerk, applicant, **changes) -> Application:
    data = {**example_data(), **changes}
    application = counter.start(clerk, applicant, parse(data))
    counter.confirm_everyone_present(clerk, application)
    return counter.submit(clerk, application)


@pytest.fixture
def in_review(clerk, applicant) -> Application:
    """Wording outside the scope catalogue: the rules send it to an examiner."""
    application = submitted(clerk, applicant,
                            business_scope=[*example_data()["business_scope"], UNLISTED])
    assert application.status == Status.IN_REVIEW
    return application


@pytest.fixture
def failed_tax(clerk) -> Application:
    """A chain whose tax step failed (the department is down, no retries left); the other
    steps are done, so completing tax finishes the chain."""
    application = demo.failing_chain("tax", clerk_username=clerk.username)
    engine.drain()
    return application
