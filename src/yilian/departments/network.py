"""Which departments Yilian reaches over the network (联网部门), read strictly at start.

``YILIAN_DEPARTMENTS="tax=http://127.0.0.1:9101,seals=http://…"`` lists them; each
listed department's secret comes from ``YILIAN_DEPARTMENT_<CODE>_SECRET`` (or
``…_SECRET_FILE``). Anything wrong — an unknown code, a URL that is not http(s) with a
host, a code listed twice, a department without a secret, ``registration`` — stops
Yilian at start with :class:`ImproperlyConfigured`, rather than at the first step.

``registration`` cannot be listed: Yilian *is* the zone's registration system (it mints
the USCC and keeps the register in its own transaction), see
docs/department-protocol.md §1.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from yilian import conf
from yilian.departments import queries, registry

NOT_REMOTE = frozenset({"registration"})


def known_codes() -> frozenset[str]:
    """The steps' and the queries' codes that may be listed."""
    return frozenset(registry.DEFAULT) | frozenset(queries.DEFAULT)


def secret_variable(code: str) -> str:
    return f"YILIAN_DEPARTMENT_{code.upper()}_SECRET"


def parse_urls(text: str) -> dict[str, str]:
    """``code=url,…`` → ``{code: url}``, refusing anything doubtful."""
    urls: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        code, sep, url = (s.strip() for s in part.partition("="))
        if not sep or not code or not url:
            raise ImproperlyConfigured(
                f"YILIAN_DEPARTMENTS: {part!r} is not code=url "
                f"(e.g. tax=http://127.0.0.1:9101)")
        if code in NOT_REMOTE:
            raise ImproperlyConfigured(
                "YILIAN_DEPARTMENTS: registration cannot be reached over HTTP — Yilian is "
                "the registration system itself (docs/department-protocol.md §1)")
        if code not in known_codes():
            raise ImproperlyConfigured(
                f"YILIAN_DEPARTMENTS: unknown department {code!r}; known: "
                f"{', '.join(sorted(known_codes() - NOT_REMOTE))}")
        if code in urls:
            raise ImproperlyConfigured(f"YILIAN_DEPARTMENTS: {code} is listed twice")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname \
                or parts.query or parts.fragment or parts.username:
            raise ImproperlyConfigured(
                f"YILIAN_DEPARTMENTS: {code}={url!r} is not an http(s) URL with a host "
                f"(and no query, fragment or credentials)")
        try:
            parts.port  # noqa: B018 — a bad port raises here
        except ValueError as exc:
            raise ImproperlyConfigured(f"YILIAN_DEPARTMENTS: {code}={url!r}: {exc}") from exc
        urls[code] = url.rstrip("/")
    return urls


def read_secrets(codes) -> dict[str, str]:
    """Each listed department's secret; a missing one stops the start."""
    found = {}
    for code in codes:
        name = secret_variable(code)
        try:
            secret = conf.get_secret(name)
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc}") from exc
        if not secret:
            raise ImproperlyConfigured(
                f"{code} is listed in YILIAN_DEPARTMENTS but has no secret: set {name} "
                f"(or {name}_FILE). Yilian does not talk to a department unauthenticated.")
        found[code] = secret
    return found
