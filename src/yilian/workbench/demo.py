"""Demo data for the workbench pages (only ever loaded by `yilian demo` / `seed-demo`).

Everything is made the way a clerk would make it — applicants found by phone at the
counter, the one form submitted on their behalf — so the audit trail of the demo reads
like a real one: a review queue (one of them overdue), one application returned for
correction, and chains whose step a department could not do (the department console's
work), one of them past the one-hour promise.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from yilian.accounts.demo import example_application
from yilian.chain import engine
from yilian.chain.models import Chain
from yilian.departments import circuit
from yilian.forms import counter, review
from yilian.forms.models import Application
from yilian.forms.services import InvalidApplication

# Scope wording the catalogue does not know goes to an examiner (rule R-UNLISTED-SCOPE).
UNLISTED = "元宇宙沉浸式体验空间运营"
# The demo applicants (phone numbers from the 139 0631 block, none of them real).
PHONES = {"queue": "13906319001", "overdue": "13906319002", "returned": "13906319003",
          "tax": "13906319004", "housing_fund": "13906319005"}
TRADE_NAMES = ("瀚海", "拓远", "云帆", "澄明", "岳川", "泽安", "启衡", "朗峰", "曜石",
               "川澜", "峻岭", "星沅", "叠翠", "汀兰", "砺锋", "昱辰")
_counter = itertools.count()


def _staff(username: str):
    return get_user_model().objects.filter(username=username).first()


def _submitted(clerk, phone: str, **changes) -> Application:
    """An application made and submitted at the counter; tries trade names until one is
    free (the demo's register and earlier runs hold some)."""
    applicant = counter.applicant_for_phone(phone, clerk)
    words = changes.pop("words", "信息技术")
    base = {**example_application(), **changes}
    for _ in range(len(TRADE_NAMES)):
        trade = TRADE_NAMES[next(_counter) % len(TRADE_NAMES)]
        data = {**base, "name": f"威海{trade}{words}有限公司"}
        application = counter.start(clerk, applicant, _typed(data))
        counter.confirm_everyone_present(clerk, application)
        try:
            return counter.submit(clerk, application)
        except InvalidApplication as exc:
            if {e["field"] for e in exc.errors} != {"name"}:
                raise
            application.delete()  # a draft nobody needs: its name was taken
    raise RuntimeError("no free demo name")


def _typed(data: dict) -> dict:
    from yilian.api.applications import ApplicationSerializer

    serializer = ApplicationSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def failing_chain(department: str, phone: str = "13906319099", *, overdue: bool = False,
                  clerk_username: str = "demo-clerk") -> Application:
    """An accepted application whose ``department`` step failed and waits for a person:
    registration is done here, then the department is asked once while it is "down" with
    no automatic retries left. The rest of the chain is left ready for the worker.
    Used by the seed below and by the browser tests (through ``yilian manage shell``)."""
    clerk = _staff(clerk_username)
    application = _submitted(clerk, phone)
    chain = Chain.objects.get(application=application)
    engine.advance(chain.steps.get(code="registration").pk)
    outage = {**settings.SIMULATOR, "outages": f"{department}@*", "failure_rate": 0}
    with override_settings(SIMULATOR=outage, MAX_AUTO_ATTEMPTS=1):
        engine.advance(chain.steps.get(code=department).pk)
    # A moment's outage, made up: it shows as the department's last error, but must not
    # open its circuit however many of these the demo and the tests make.
    circuit.close(department, "demo")
    if overdue:
        # Accepted an hour and a half ago: the SLA page's overdue row.
        earlier = timezone.now() - dt.timedelta(minutes=90)
        Chain.objects.filter(pk=chain.pk).update(
            accepted_at=earlier, deadline_at=earlier + dt.timedelta(seconds=settings.SLA_SECONDS))
        Application.objects.filter(pk=application.pk).update(accepted_at=earlier)
    return application


def seed() -> list[str]:
    """Create what the pages need to show; safe to run again. Returns lines to print."""
    clerk, examiner = _staff("demo-clerk"), _staff("demo-examiner")
    if clerk is None or examiner is None:
        return []
    if not Application.objects.filter(owner__username__in=PHONES.values()).exists():
        with transaction.atomic():  # all of it or none, so that a second run can finish it
            _seed(clerk, examiner)
    # Describe what is there (not what this run did): a second run prints the same.
    return ["Workbench demo data: manual-review queue, one application returned for "
            "correction, two chains with a failed step (tax; housing fund, overdue)"]


def _seed(clerk, examiner) -> None:
    scope = [*example_application()["business_scope"], UNLISTED]
    _submitted(clerk, PHONES["queue"], business_scope=scope, words="文化科技")
    example = example_application()
    investors = [{**example["investors"][0], "amount": "120000000.00"},
                 {**example["investors"][1], "amount": "80000000.00"}]
    late = _submitted(clerk, PHONES["overdue"], registered_capital="200000000.00",
                      investors=investors, words="数据科技")
    # Waiting since this morning: past the review time limit, first in the queue.
    Application.objects.filter(pk=late.pk).update(
        submitted_at=timezone.now() - review.REVIEW_TIME_LIMIT - dt.timedelta(minutes=25))
    returned = _submitted(clerk, PHONES["returned"], business_scope=scope, words="文化科技")
    review.return_for_correction(returned, examiner,
                                 f"经营范围“{UNLISTED}”不属于规范表述，请改用经营范围规范表述目录中的条目"
                                 "（如“数字文化创意内容应用服务”）后重新提交。")
    failing_chain("tax", PHONES["tax"])
    failing_chain("housing_fund", PHONES["housing_fund"], overdue=True)
