"""The role × endpoint matrix (权限矩阵), generated from the URL configuration.

Every URL pattern (pages, htmx fragments, API operations, each HTTP method an API view
allows) is requested as every kind of user — anonymous, the owner, another applicant,
a clerk, an examiner, each department's officer, the zone administrator — and the answer
compared with the table in :mod:`tests.security.matrix`. A URL the table does not know
fails the test. Every GET is also checked to change no row of any model.

Each request runs in a savepoint that is rolled back, so an allowed POST (an examiner's
approval, a revoked token) does not change what the next request finds.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import urlencode, urlparse

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.views import APIView

from tests import factories
from tests.security.matrix import CASES, NAMESPACES, ROLES, WORLD_OBJECTS, Case
from yilian.accounts import roles, tokens
from yilian.chain import engine
from yilian.chain.services import start_chain
from yilian.forms import parties
from yilian.forms.models import Status
from yilian.licenses.models import License

pytestmark = pytest.mark.django_db
API_PREFIX = "/api/"
SAFE = {"head", "options"}


def url_patterns() -> Iterator[tuple[str, str, object]]:
    """(URL name with namespace, route, callback) of every pattern, recursively; a
    pattern with no name of its own inside a namespace is ``"<namespace>:"``."""
    def walk(patterns, prefix: str, namespace: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name or ''}" if namespace else p.name
                yield name, prefix + str(p.pattern), p.callback
    yield from walk(get_resolver().url_patterns, "", None)


def api_methods(callback) -> set[str]:
    """The HTTP methods an API view answers (besides HEAD and OPTIONS)."""
    if getattr(callback, "actions", None):  # a viewset route (DRF adds "head" on use)
        return {m.upper() for m in callback.actions if m not in SAFE}
    view = callback.cls
    return {m.upper() for m in view.http_method_names
            if m not in SAFE and hasattr(view, m)}


def _in_namespaces(name: str | None) -> bool:
    return bool(name) and ":" in name and name.split(":")[0] in NAMESPACES


def test_every_url_has_an_entry():
    known = {case.name for case in CASES}
    missing = sorted(f"{name or '(no name)'} → {route}" for name, route, _ in url_patterns()
                     if name not in known and not _in_namespaces(name))
    assert not missing, ("URLs with no entry in tests/security/matrix.py CASES (a new "
                         "endpoint must say who may use it):\n  " + "\n  ".join(missing))
    stale = known - {name for name, _, _ in url_patterns()}
    assert not stale, f"entries for URLs that no longer exist: {sorted(stale)}"


def test_api_entries_list_every_method_the_view_allows():
    listed: dict[str, set[str]] = {}
    for case in CASES:
        listed.setdefault(case.name, set()).update(case.methods)
    wrong = []
    for name, _route, callback in url_patterns():
        if getattr(callback, "cls", None) and issubclass(callback.cls, APIView) \
                and name in listed and listed[name] != api_methods(callback):
            wrong.append(f"{name}: table {sorted(listed[name])}, "
                         f"view allows {sorted(api_methods(callback))}")
    assert not wrong, "\n".join(wrong)


def test_every_case_says_what_get_does_for_every_role():
    for case in CASES:
        for method, outcome in case.methods.items():
            assert set(outcome) == set(ROLES), (case.name, method)


# The world every request meets.

def _user(username: str, *held: str, **flags):
    user = get_user_model().objects.create_user(username, password=f"pw-{username}-x1",
                                                **flags)
    for role in held:
        roles.grant(user, role)
    return user


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    roles.grant_admin_permissions()
    users = {
        "owner": _user("13906311111", roles.APPLICANT),
        "other": _user("13906312222", roles.APPLICANT),
        "clerk": _user("matrix-clerk", roles.CLERK),
        "examiner": _user("matrix-examiner", roles.EXAMINER),
        "admin": _user("matrix-admin", roles.ADMIN, is_staff=True),
    }
    for role in ROLES:
        if role.startswith("officer:"):
            code = role.split(":", 1)[1]
            users[role] = _user(f"matrix-officer-{code}", roles.officer_group(code))
    owner = users["owner"]
    accepted = factories.application(owner, bank=False)
    start_chain(accepted)
    engine.drain()
    accepted.refresh_from_db()
    draft = factories.application(owner, accepted=False)
    in_review = factories.application(owner, accepted=False)
    in_review.status, in_review.submitted_at = Status.IN_REVIEW, timezone.now()
    in_review.save()
    party = parties.sync(draft)[0]
    objects = {"draft": draft, "accepted": accepted, "in_review": in_review,
               "tax_step": accepted.chain.steps.get(code="tax"), "party": party}
    assert set(objects) == set(WORLD_OBJECTS)
    assert accepted.uscc and License.objects.filter(uscc=accepted.uscc).exists()
    return SimpleNamespace(users=users, objects=objects)


def _clients(world) -> dict[str, tuple[Client, Client]]:
    """Per role: (a page client with a session, an API client with a bearer token)."""
    made = {}
    for role in ROLES:
        page = Client(raise_request_exception=False)
        api = Client(raise_request_exception=False)
        user = world.users.get(role)
        if user is not None:
            page.force_login(user)
            key, _ = tokens.issue(user)
            api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        made[role] = (page, api)
    return made


def _resolve(value, objects):
    if not isinstance(value, str) or value.split(".")[0] not in objects:
        return value
    thing, *attribute = value.split(".")
    obj = objects[thing]
    return getattr(obj, attribute[0]) if attribute else obj.pk


def _url(case: Case, objects) -> str:
    return reverse(case.name, kwargs={k: _resolve(v, objects) for k, v in case.kwargs.items()})


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def _judge(method: str, response, expected: str) -> bool:
    status = response.status_code
    location = urlparse(response.get("Location", "")).path if 300 <= status < 400 else ""
    to_login = location in LOGIN_PATHS
    if expected == "login":
        return status == 302 and to_login
    if expected == "pass":
        if status >= 500 or to_login:
            return False
        if method == "GET":
            return status < 400
        return status not in (401, 403, 404, 405)
    return status == int(expected)


def _request(client: Client, method: str, url: str, case: Case):
    if method == "GET":
        return client.get(url, case.query)
    if url.startswith(API_PREFIX):
        return client.generic(method, url, data=json.dumps(case.data),
                              content_type="application/json")
    return client.generic(method, url, data=urlencode(case.data),
                          content_type="application/x-www-form-urlencoded")


def test_the_matrix(world):
    clients = _clients(world)
    failures, changed = [], []
    for case in CASES:
        url = _url(case, world.objects)
        for method, outcomes in case.methods.items():
            for role, expected in outcomes.items():
                page, api = clients[role]
                client = api if url.startswith(API_PREFIX) else page
                cookies = copy.deepcopy(client.cookies)  # a sign-out must not last
                with transaction.atomic():
                    before = _row_counts() if method == "GET" else None
                    response = _request(client, method, url, case)
                    if before is not None:
                        after = _row_counts()
                        diff = {k: after[k] - v for k, v in before.items() if after[k] != v}
                        if diff:
                            changed.append(f"GET {url} as {role} changed rows: {diff}")
                    transaction.set_rollback(True)
                client.cookies = cookies
                if not _judge(method, response, expected):
                    failures.append(f"{method} {url} ({case.name}) as {role}: expected "
                                    f"{expected}, got {response.status_code} "
                                    f"{response.get('Location', '')}")
    assert not changed, "a GET changed the database:\n  " + "\n  ".join(changed)
    assert not failures, f"{len(failures)} answers differ from the matrix:\n  " + \
        "\n  ".join(failures)


def test_the_django_admin(world):
    """The admin namespace: anonymous and non-staff users are sent to sign in; the zone
    administrator reads the models their group grants, and is refused the others
    (applications, parties and licenses above all)."""
    clients = _clients(world)
    admin_user = world.users["admin"]
    lists = {f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist": m
             for m in admin.site._registry}
    for role in ROLES:
        page, _api = clients[role]
        for name in ["admin:index", *lists]:
            response = page.get(reverse(name))
            if role != "admin":
                assert _judge("GET", response, "login"), (role, name, response.status_code)
                continue
            model = lists.get(name)
            allowed = model is None or admin_user.has_perm(
                f"{model._meta.app_label}.view_{model._meta.model_name}")
            assert response.status_code == (200 if allowed else 403), (name, allowed)
    assert not admin_user.has_perm("forms.view_application")


def test_the_matrix_would_catch_a_leak(world):
    """The judge is not lenient: an officer reading another department's application
    (a 200 where 404 is expected) and a page open to the wrong role are failures."""
    ok = SimpleNamespace(status_code=200, get=lambda *_: "")
    assert not _judge("GET", ok, "404") and not _judge("GET", ok, "403")
    to_login = SimpleNamespace(status_code=302, get=lambda *_: "/accounts/login/?next=/x/")
    assert not _judge("GET", to_login, "pass") and _judge("GET", to_login, "login")
