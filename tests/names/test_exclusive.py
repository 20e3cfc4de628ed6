"""A name belongs to one enterprise (名称专用): exclusive under concurrency for every clash
rule, counted across the applicant's own applications, held only while an application is
accepted or in review, at most a few per account — and re-checked at registration.

These run on the database of the run (SQLite: IMMEDIATE transactions; PostgreSQL:
advisory locks on authority + the 字号's reading), through the services the pages and
the API call."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from tests import factories
from tests.names.conftest import enterprise
from yilian.chain import engine
from yilian.chain.models import StepStatus
from yilian.forms import lifecycle, review, services
from yilian.forms.models import Application, Status
from yilian.names import similarity
from yilian.names.models import NameReservation
from yilian.registry.models import Enterprise

# Ten 字号 read "lan feng": every pair clashes under the homophone rule (same industry).
HOMOPHONES = [f"威海{c}峰科技有限公司" for c in "蓝兰岚澜篮揽览斓谰阑"]


def draft(owner=None, name: str | None = None) -> Application:
    return factories.application(owner, name=name, accepted=False)


def submit(app: Application, actor=None) -> Application:
    """Submit as the pages do once every party has confirmed the form as it stands."""
    factories.confirm_parties(app)
    return services.submit_application(app, actor or app.owner)


def held() -> list[NameReservation]:
    return list(NameReservation.objects.active())


def submit_all_at_once(applications: list[Application]) -> dict[str, object]:
    """Submit each application in its own thread, all released by one barrier; returns
    by application name what happened: the status, or the InvalidApplication."""
    for app in applications:  # before the barrier: only the submissions race
        factories.confirm_parties(app)
    barrier = threading.Barrier(len(applications))
    outcomes: dict[str, object] = {}

    def run(app: Application) -> None:
        try:
            barrier.wait()
            outcomes[app.name] = services.submit_application(app, app.owner).status
        except services.InvalidApplication as exc:
            outcomes[app.name] = exc
        except BaseException as exc:  # surfaced by the assertions below
            outcomes[app.name] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(app,)) for app in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_ten_homophones_submitted_at_once_leave_one_holder():
    assert {similarity.pinyin(n[2:4]) for n in HOMOPHONES} == {"lan feng"}
    outcomes = submit_all_at_once([draft(name=name) for name in HOMOPHONES])
    winners = [name for name, outcome in outcomes.items() if outcome == Status.ACCEPTED]
    assert len(winners) == 1, outcomes
    (winner,) = winners
    assert [r.name for r in held()] == [winner]
    for name, outcome in outcomes.items():
        if name == winner:
            continue
        assert isinstance(outcome, services.InvalidApplication), outcome
        assert outcome.errors, "a loser is always told why"
        (error,) = outcome.errors
        assert error["field"] == "name" and error["code"] == "name.conflict.homophone"
        assert winner in error["message_zh"] and winner in error["message_en"]
    assert Application.objects.filter(status=Status.ACCEPTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_applicant_submitting_homophones_at_once_holds_one():
    owner = factories.user()
    outcomes = submit_all_at_once([draft(owner, name) for name in HOMOPHONES[:3]])
    assert sorted(str(o) for o in outcomes.values() if o == Status.ACCEPTED) == ["accepted"]
    assert len(held()) == 1


@pytest.mark.django_db
def test_the_applicants_own_other_application_is_a_clash():
    """One applicant, three homophone names one after another: one holder."""
    owner = factories.user()
    first = submit(draft(owner, HOMOPHONES[0]), owner)
    assert first.status == Status.ACCEPTED
    for name in HOMOPHONES[1:3]:
        with pytest.raises(services.InvalidApplication) as caught:
            submit(draft(owner, name), owner)
        (error,) = caught.value.errors
        assert error["code"] == "name.conflict.homophone" and HOMOPHONES[0] in error["message_zh"]
    assert [r.name for r in held()] == [HOMOPHONES[0]]


@pytest.mark.django_db
def test_a_variant_and_an_identical_core_lose_too():
    submit(draft(name="威海蓝峰科技有限公司"))
    for name, rule in [("威海藍峰科技有限公司", "variant"),
                       ("蓝峰科技（威海）有限公司", "identical_core")]:
        app = draft(name=name)
        with pytest.raises(services.InvalidApplication) as caught:
            submit(app)
        assert [e["code"] for e in caught.value.errors] == [f"name.conflict.{rule}"]


def _in_review(name: str) -> Application:
    app = draft(name=name)
    app.business_scope = [*app.business_scope, "宇宙飞船维修"]  # unlisted: an examiner looks
    app.save()
    app = submit(app)
    assert app.status == Status.IN_REVIEW and [r.name for r in held()] == [name]
    return app


@pytest.mark.django_db
def test_a_returned_application_releases_its_name(django_user_model):
    from yilian.accounts import roles

    app = _in_review(HOMOPHONES[0])
    examiner = django_user_model.objects.create_user("examiner-n")
    roles.grant(examiner, roles.EXAMINER)
    review.return_for_correction(app, examiner, "请补正经营范围")
    assert held() == []
    assert NameReservation.objects.get().release_reason == "returned"
    assert submit(draft(name=HOMOPHONES[1])).status == Status.ACCEPTED
    # The returned applicant resubmits: now the name is someone else's.
    app = services.update_draft(app, app.owner, {"business_scope": ["软件开发"]})
    with pytest.raises(services.InvalidApplication) as caught:
        submit(app)
    assert HOMOPHONES[1] in caught.value.errors[0]["message_zh"]


@pytest.mark.django_db
def test_a_refused_application_releases_its_name(django_user_model):
    from yilian.accounts import roles

    app = _in_review(HOMOPHONES[0])
    examiner = django_user_model.objects.create_user("examiner-r")
    roles.grant(examiner, roles.EXAMINER)
    review.reject(app, examiner, "经营范围不属于可登记事项")
    assert held() == []
    assert NameReservation.objects.get().release_reason == "rejected"
    assert submit(draft(name=HOMOPHONES[1])).status == Status.ACCEPTED


@pytest.mark.django_db
def test_a_withdrawn_application_releases_its_name(client):
    app = _in_review(HOMOPHONES[0])
    client.force_login(app.owner)
    answer = client.post(f"/api/v1/applications/{app.pk}/withdraw/")
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
    assert held() == [] and NameReservation.objects.get().release_reason == "withdrawn"
    again = client.post(f"/api/v1/applications/{app.pk}/withdraw/")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "status"
    assert submit(draft(name=HOMOPHONES[1])).status == Status.ACCEPTED


@pytest.mark.django_db
def test_only_the_owner_withdraws_and_not_once_accepted(client):
    app = _in_review(HOMOPHONES[0])
    client.force_login(factories.user())
    assert client.post(f"/api/v1/applications/{app.pk}/withdraw/").status_code == 404
    from yilian.accounts import roles

    staff = factories.user()  # an examiner reads it, but returns or refuses instead
    roles.grant(staff, roles.EXAMINER)
    client.force_login(staff)
    assert client.post(f"/api/v1/applications/{app.pk}/withdraw/").status_code == 403
    accepted = submit(draft())
    client.force_login(accepted.owner)
    answer = client.post(f"/api/v1/applications/{accepted.pk}/withdraw/")
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["code"] == "application.not_withdrawable"
    assert len(held()) == 2


@pytest.mark.django_db
def test_a_refused_or_permit_waiting_submission_holds_no_name():
    refused = draft(name=HOMOPHONES[0])
    refused.business_scope = ["象牙制品销售"]
    refused.save()
    assert submit(refused).status == Status.REJECTED
    waiting = draft(name=HOMOPHONES[1])
    waiting.business_scope = ["保安服务"]  # a prior permit, none given
    waiting.save()
    assert submit(waiting).status == Status.RETURNED
    assert held() == []


@pytest.mark.django_db
def test_an_account_holds_at_most_the_configured_number_of_names(settings):
    settings.MAX_NAMES_PER_ACCOUNT = 3
    owner = factories.user()
    apps = [draft(owner) for _ in range(4)]
    for app in apps[:3]:
        assert submit(app, owner).status == Status.ACCEPTED
    with pytest.raises(services.InvalidApplication) as caught:
        submit(apps[3], owner)
    (error,) = caught.value.errors
    assert error["field"] == "name" and error["code"] == "name.limit"
    assert "3" in error["message_zh"] and apps[0].name in error["message_en"]
    # A name that is registered no longer counts: the register holds it now.
    engine.drain()  # submission started the chains
    assert Application.objects.get(pk=apps[0].pk).chain.status == "completed"
    assert NameReservation.objects.get(application=apps[0]).release_reason == "registered"
    assert submit(apps[3], owner).status == Status.ACCEPTED


@pytest.mark.django_db
def test_stale_drafts_expire_release_and_cannot_be_edited(settings):
    settings.DRAFT_DAYS = 30
    stale, fresh = draft(), draft()
    long_ago = timezone.now() - dt.timedelta(days=31)
    Application.objects.filter(pk=stale.pk).update(updated_at=long_ago)
    # A reservation tied to the draft (made before this rule, or by hand) goes with it.
    NameReservation.objects.create(
        name=stale.name, normalized_key="x", trade_key="x", pinyin_key="x",
        division_code="371071", authority="3710", owner=stale.owner, application=stale,
        expires_at=timezone.now() + dt.timedelta(days=30))
    assert lifecycle.expire_drafts() == 1
    assert lifecycle.expire_drafts() == 0  # idempotent
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == (Status.EXPIRED, Status.DRAFT)
    assert stale.updated_at == long_ago
    assert held() == [] and NameReservation.objects.get().release_reason == "expired"
    with pytest.raises(services.NotEditable):
        services.update_draft(stale, stale.owner, {"domicile": "别处"})
    with pytest.raises(services.NotEditable):
        services.submit_application(stale, stale.owner)


@pytest.mark.django_db
def test_expire_drafts_command(capsys):
    from django.core.management import call_command

    app = draft()
    Application.objects.filter(pk=app.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=400))
    call_command("expire_drafts")
    assert "1 draft(s) expired" in capsys.readouterr().out
    assert Application.objects.get(pk=app.pk).status == Status.EXPIRED


@pytest.mark.django_db
def test_registration_refuses_a_name_the_register_now_holds():
    """Re-checked at registration: a homophone entered in the register since acceptance
    fails the step for a person to look at, instead of registering a second one."""
    chain = submit(draft(name=HOMOPHONES[0])).chain  # accepted: the chain is started
    enterprise(HOMOPHONES[1], "371071", "6513")  # imported meanwhile
    engine.drain()
    step = chain.steps.get(code="registration")
    assert step.status == StepStatus.FAILED
    assert "homophone" in step.last_error or "同音" in step.last_error
    assert not Enterprise.objects.filter(name=HOMOPHONES[0]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_account_limit_holds_under_concurrency(settings):
    settings.MAX_NAMES_PER_ACCOUNT = 3
    owner = factories.user()
    outcomes = submit_all_at_once([draft(owner) for _ in range(5)])
    accepted = [o for o in outcomes.values() if o == Status.ACCEPTED]
    refused = [o for o in outcomes.values() if isinstance(o, services.InvalidApplication)]
    assert len(accepted) == 3 and len(refused) == 2, outcomes
    assert {e["code"] for exc in refused for e in exc.errors} == {"name.limit"}
    assert len(held()) == 3
