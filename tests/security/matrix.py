"""The role × endpoint expectation table (权限矩阵), read by tests/security/test_matrix.py.

Every URL name in the URL configuration must have an entry in :data:`CASES` (or sit in a
namespace of :data:`NAMESPACES`): a new endpoint without one FAILS
``test_every_url_has_an_entry``, so nothing escapes the matrix. For an API view the
methods listed must be exactly the methods the view allows
(``test_api_entries_list_every_method_the_view_allows``).

To add an endpoint, add one ``Case`` to :data:`CASES`:

    Case("application-parties", {"pk": "accepted"},
         {"GET": who(OWNER_AND_HANDLERS, others="404", anon="401")}),

- ``name``: the URL name as ``reverse`` takes it (``"workbench:detail"``,
  ``"application-list"``);
- ``kwargs``: the URL's arguments; a string value names an object of the test's world
  (:data:`WORLD_OBJECTS`), whose ``pk`` is used (``"accepted.uscc"`` takes an attribute);
  other values are used as they are;
- ``methods``: per HTTP method, the outcome for every role (build it with :func:`who`);
  every entry must say what ``GET`` does (``post_only`` for views that refuse it);
- optionally ``query`` (a query string dict) and ``data`` (a body for every method but
  GET).

Outcomes: ``"pass"`` — the role may use it: GET answers 2xx or a redirect that is not to
the sign-in page; other methods anything but 401/403/404/405, a redirect to sign in or a
5xx (an empty body may well be a 400 field error); ``"login"`` — 302 to the sign-in page
(pages, anonymous); ``"401"``, ``"403"``, ``"404"``, ``"405"`` — exactly that status.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from yilian.departments.registry import DEFAULT as DEPARTMENTS

OFFICERS = tuple(f"officer:{code}" for code in DEPARTMENTS)
#: Every kind of user the matrix signs in as ("anon" is nobody signed in).
ROLES = ("anon", "owner", "other", "clerk", "examiner", *OFFICERS, "admin")
SIGNED_IN = tuple(r for r in ROLES if r != "anon")
APPLICANTS = ("owner", "other")
WINDOW = ("clerk", "examiner")
FILLERS = (*APPLICANTS, *WINDOW)  # who fills the one form: the portal's live checks
EVERYONE = ROLES
#: Objects the world of test_matrix.py makes, usable in ``kwargs``:
#: ``draft`` (the owner's complete draft), ``accepted`` (the
#: owner's application, chain done, license issued; no bank step), ``in_review`` (the
#: owner's, waiting for an examiner, entered by another clerk), ``tax_step`` (the tax step
#: of ``accepted``), ``party`` (a person ``draft`` names, who must confirm it).
WORLD_OBJECTS = ("draft", "accepted", "in_review", "tax_step", "party")


def who(allowed: Iterable[str], *, others: str = "403", anon: str = "login",
        **overrides: str) -> dict[str, str]:
    """Outcome per role: ``allowed`` pass, other signed-in roles get ``others``,
    anonymous gets ``anon``; ``overrides`` (role → outcome; write ``officer:tax`` as
    ``officer_tax``) win."""
    allowed = set(allowed)
    outcome = {r: ("pass" if r in allowed else others) for r in SIGNED_IN}
    outcome["anon"] = "pass" if "anon" in allowed else anon
    outcome.update({k.replace("officer_", "officer:"): v for k, v in overrides.items()})
    return outcome


def everyone(outcome: str = "pass") -> dict[str, str]:
    return {r: outcome for r in ROLES}


def post_only(post: dict[str, str]) -> dict[str, dict[str, str]]:
    """A page that only takes POST: GET is 405 for everyone, whoever they are."""
    return {"GET": everyone("405"), "POST": post}


@dataclass(frozen=True)
class Case:
    name: str
    kwargs: dict[str, Any]
    methods: dict[str, dict[str, str]]
    query: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


# Pages of one applicant's application: the owner, "other" (an applicant) 404s, staff 403.
OWN_PAGE = who(["owner"], others="403", other="404")
WINDOW_PAGE = who(WINDOW)
EXAMINER_ACTION = post_only(who(["examiner"]))
OFFICER_PAGE = who(OFFICERS)
ADMIN_PAGE = who(["admin"])
# The API: anonymous 401; an application a role may not read is a 404.
API_READ_ACCEPTED = who(["owner", *WINDOW, *(o for o in OFFICERS if o != "officer:bank")],
                        others="404", anon="401")
LICENSE_FILE = who(["owner", *WINDOW, "officer:registration"], others="404", anon="401")

CASES: list[Case] = [
    # Public and sign-in pages.
    Case("home", {}, {"GET": everyone()}),
    Case("set_language", {}, {"GET": everyone(), "POST": everyone()},
         data={"language": "en", "next": "/"}),
    Case("login", {}, {"GET": everyone(), "POST": everyone()}),
    # Without a password passed first, the second-factor step sends everyone to sign in.
    Case("otp-step", {}, {"GET": everyone("login"), "POST": everyone("login")}),
    Case("phone-sign-in", {}, {"GET": everyone(), "POST": everyone()}),
    Case("logout", {}, post_only(everyone())),
    Case("outbox", {}, {"GET": everyone("404")}),  # demo mode only
    # The Django admin signs in through the sign-in page (lockout, second factor).
    Case("admin-login", {}, {"GET": everyone("login"), "POST": everyone("login")}),
    Case("licenses:verify", {"uscc": "accepted.uscc"}, {"GET": everyone()}),
    Case("portal:party-public", {"token": "party.token"},
         {"GET": everyone(), "POST": everyone()}),
    # 办理变更: the enterprise's owner, or window staff for them at the counter.
    Case("portal:change-start", {"uscc": "accepted.uscc"},
         post_only(who(["owner", *WINDOW], others="404"))),
    # 掌上办 — the applicant's pages.
    Case("portal:index", {}, {"GET": who(APPLICANTS)}),
    Case("portal:new", {}, {"GET": who(APPLICANTS), "POST": who(APPLICANTS)}),
    Case("portal:detail", {"pk": "accepted"}, {"GET": OWN_PAGE}),
    Case("portal:timeline", {"pk": "accepted"}, {"GET": OWN_PAGE}),
    Case("portal:qr", {"pk": "accepted"}, {"GET": OWN_PAGE}),
    Case("portal:withdraw", {"pk": "in_review"}, post_only(OWN_PAGE)),
    Case("portal:step", {"pk": "draft", "step": "enterprise"},
         {"GET": OWN_PAGE, "POST": OWN_PAGE}),
    Case("portal:autosave", {"pk": "draft", "step": "enterprise"}, post_only(OWN_PAGE),
         data={"name": "威海一链科技有限公司"}),
    Case("portal:delete", {"pk": "draft"}, {"GET": OWN_PAGE, "POST": OWN_PAGE}),
    Case("portal:check-name", {}, {"GET": who(FILLERS)}, query={"name": "威海测试科技有限公司"}),
    Case("portal:check", {"kind": "id"}, {"GET": who(FILLERS)},
         query={"for": "id_number", "id_number": "1"}),
    Case("portal:check-parent", {}, {"GET": who(FILLERS)},
         query={"parent_uscc": "91371071MA3C7X0012"}),
    Case("portal:scope-search", {}, {"GET": who(FILLERS)}, query={"q": "软件"}),
    Case("portal:division-options", {}, {"GET": who(FILLERS)},
         query={"division-province": "370000", "division-city": "371000"}),
    Case("portal:industry-search", {}, {"GET": who(FILLERS)}, query={"iq": "软件"}),
    # 一窗受理 — the window.
    Case("workbench:index", {}, {"GET": WINDOW_PAGE}),
    Case("workbench:sla", {}, {"GET": WINDOW_PAGE}),
    Case("workbench:detail", {"pk": "in_review"}, {"GET": WINDOW_PAGE}),
    Case("workbench:notice", {"pk": "accepted"}, {"GET": WINDOW_PAGE}),
    Case("workbench:approve", {"pk": "in_review"}, EXAMINER_ACTION),
    Case("workbench:return", {"pk": "in_review"}, EXAMINER_ACTION, data={"comment": "补正"}),
    Case("workbench:reject", {"pk": "in_review"}, EXAMINER_ACTION, data={"comment": "不予受理"}),
    Case("workbench:counter", {}, {"GET": WINDOW_PAGE, "POST": WINDOW_PAGE},
         query={"phone": "13906315555"}),
    Case("workbench:counter-new", {}, post_only(WINDOW_PAGE)),
    Case("workbench:counter-change", {}, post_only(WINDOW_PAGE)),  # 变更: by USCC
    Case("workbench:counter-edit", {"pk": "draft"}, {"GET": WINDOW_PAGE}),
    Case("workbench:counter-step", {"pk": "draft", "step": "enterprise"},
         {"GET": WINDOW_PAGE, "POST": WINDOW_PAGE}),
    Case("workbench:counter-autosave", {"pk": "draft", "step": "enterprise"},
         post_only(WINDOW_PAGE), data={"name": "威海一链科技有限公司"}),
    # 部门工作台 — officers, each on their own department's steps.
    Case("workbench:console", {}, {"GET": OFFICER_PAGE}),
    Case("workbench:retry", {"pk": "tax_step"}, post_only(who(["officer:tax"]))),
    Case("workbench:complete", {"pk": "tax_step"}, post_only(who(["officer:tax"]))),
    Case("workbench:retry-failed", {"code": "tax"}, post_only(who(["officer:tax"]))),
    # The console's panels and bulk re-ask through the API: officers, each their own.
    Case("departments", {}, {"GET": who(OFFICERS, anon="401")}),
    Case("department-retry-failed", {"code": "tax"},
         {"POST": who(["officer:tax"], anon="401")}),
    # A department's late result: the signature is the authentication, whoever sends it.
    # Here no department is over the network, so there is no callback to take: 404 for
    # everyone alike (tests/departments/test_callbacks.py: 401/409 for a listed one).
    Case("department-callback", {"code": "tax"}, {"POST": everyone("404")}),
    # 双创统计 — the zone administrator.
    Case("dashboard:index", {}, {"GET": ADMIN_PAGE}),
    Case("dashboard:export", {"table": "monthly"}, {"GET": ADMIN_PAGE}),
    # The API (bearer tokens).
    Case("schema", {}, {"GET": everyone()}),
    Case("token", {}, {"POST": everyone(), "DELETE": who(SIGNED_IN, anon="401")}),
    Case("license-verify", {}, {"POST": everyone()}),
    Case("license-pdf", {"uscc": "accepted.uscc"}, {"GET": LICENSE_FILE}),
    Case("license-json", {"uscc": "accepted.uscc"}, {"GET": LICENSE_FILE}),
    Case("license-version-pdf", {"uscc": "accepted.uscc", "version": 1},
         {"GET": LICENSE_FILE}),
    Case("license-version-json", {"uscc": "accepted.uscc", "version": 1},
         {"GET": LICENSE_FILE}),
    # Who may read the license reads the enterprise's register entry and history.
    Case("enterprise-detail", {"uscc": "accepted.uscc"}, {"GET": LICENSE_FILE}),
    # 企业档案 — the enterprise's page: its owner and window staff; others as if no such code.
    Case("portal:enterprise", {"uscc": "accepted.uscc"},
         {"GET": who(["owner", *WINDOW], others="404")}),
    Case("workbench:enterprise-lookup", {}, {"GET": WINDOW_PAGE}),
    Case("licenses:verify-version", {"uscc": "accepted.uscc", "version": 1},
         {"GET": everyone()}),
    # 变更登记: its owner, or window staff at the counter for them; the registration
    # officer reads the enterprise but does not apply for it.
    Case("enterprise-changes", {"uscc": "accepted.uscc"},
         {"POST": who(["owner", *WINDOW], others="404", anon="401",
                      officer_registration="403")}),
    # 注销: the enterprise's owner or a clerk at the counter (an empty body: 400); those who
    # read the enterprise otherwise 403, the rest 404. The world has no closing: its
    # closure reads 404 to all; no notice numbered 1: objecting to it is 404 to anyone.
    Case("enterprise-closures", {"uscc": "accepted.uscc"},
         {"POST": who(["owner", "clerk"], others="404", anon="401", examiner="403",
                      officer_registration="403")}),
    Case("application-closure", {"pk": "accepted"},
         {"GET": who([], others="404", anon="401"),
          "PATCH": who([], others="404", anon="401")}),
    Case("gazette", {}, {"GET": everyone()}),
    Case("gazette-objections", {"pk": 1}, {"POST": everyone("404")}),
    # 公示 pages: public; the examiner decides objections, window staff read them.
    Case("gazette:list", {}, {"GET": everyone()}),
    Case("gazette:notice", {"pk": 1}, {"GET": everyone("404"), "POST": everyone("404")}),
    # 注销 on the phone: the enterprise's owner; another applicant 404, staff 403.
    Case("portal:closing-start", {"uscc": "accepted.uscc"},
         {"GET": OWN_PAGE, "POST": OWN_PAGE}),
    # 注销 at the counter: window staff for the owner.
    Case("workbench:counter-closing", {"uscc": "accepted.uscc"},
         {"GET": WINDOW_PAGE, "POST": WINDOW_PAGE}),
    Case("workbench:objections", {}, {"GET": WINDOW_PAGE}),
    Case("workbench:objection-decide", {"pk": 1}, post_only(who([], examiner="404"))),
    Case("application-list", {}, {
        "GET": who(SIGNED_IN, anon="401"),  # each sees their own share (test_visibility)
        "POST": who([*APPLICANTS], others="403", anon="401")}),
    Case("application-detail", {"pk": "accepted"},
         {"GET": API_READ_ACCEPTED,
          # Not editable any more (409) for the owner; readers who may not edit: 403.
          "PATCH": who(["owner"], others="403", anon="401", other="404", admin="404",
                       officer_bank="404"),
          # Deleting: drafts only (409 for the owner here); readers: 403.
          "DELETE": who(["owner"], others="403", anon="401", other="404", admin="404",
                        officer_bank="404")}),
    Case("application-detail", {"pk": "draft"},
         {"GET": who(["owner"], others="404", anon="401"),
          "PATCH": who(["owner"], others="404", anon="401"),
          "DELETE": who(["owner"], others="404", anon="401")}),
    Case("application-submit", {"pk": "draft"},
         {"POST": who(["owner"], others="404", anon="401")}),
    # Parties' consent (实名确认): the owner's draft; nobody else sees a draft at all.
    Case("parties", {"pk": "draft"}, {"GET": who(["owner"], others="404", anon="401")}),
    Case("parties", {"pk": "accepted"}, {"GET": API_READ_ACCEPTED}),
    Case("party-invite", {"pk": "draft", "party_id": "party"},
         {"POST": who(["owner"], others="404", anon="401")}),
    Case("party-confirm", {"pk": "draft", "party_id": "party"},
         {"POST": who(["owner"], others="404", anon="401")}),
    Case("demo-outbox", {}, {"GET": everyone("404")}),  # demo mode only
    # 撤回: the owner alone; window staff see the application but return or refuse instead.
    Case("application-withdraw", {"pk": "in_review"},
         {"POST": who(["owner"], others="404", anon="401", clerk="403", examiner="403")}),
]

#: Namespaces covered as a whole, with the reason. The Django admin's views all sit
#: behind ``admin_view`` (Django staff only, then each model's permissions); the matrix
#: requests its index and every registered model's list (test_the_django_admin).
NAMESPACES = {"admin": "Django admin: staff only, then model permissions"}
