"""Queries other parts of Yilian ask departments (查询接口): the same protocol family as
the chain's steps, for questions rather than actions.

- ``identity`` — 身份核验: do this name, resident ID number and mobile number belong to
  one person? (the public-security / carrier real-name check)
- ``permits`` — 许可核验: is this permit number, issued by this department, valid for
  this enterprise and this activity today?

A query changes nothing at the department, so it needs no idempotency key; it answers
:class:`Answer` (``ok`` with the department's reason and details) or raises
:class:`~yilian.departments.base.TransientError` when the department could not answer
now. Callers decide what "could not answer" means for them (identity: ask the person to
try again; permits: an examiner looks).

``settings.QUERY_SERVICES`` (optional) maps a query code to a dotted class path, exactly
as ``settings.DEPARTMENTS`` does for steps; a code listed in ``YILIAN_DEPARTMENTS`` is
asked over HTTP (:class:`~yilian.departments.remote.RemoteQuery`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT = {
    "identity": "yilian.departments.identity.IdentitySimulator",
    "permits": "yilian.departments.permits.PermitRegisterSimulator",
}


@dataclass(frozen=True)
class Answer:
    """What a department said: ``ok``, a machine ``reason`` (``"match"``,
    ``"name_mismatch"``, ``"expired"`` …) and whatever details it returned."""

    ok: bool
    reason: str
    data: dict[str, Any] = field(default_factory=dict)


class QueryService:
    """Base class of every query adapter; subclasses set the class attributes."""

    code: ClassVar[str]
    name_zh: ClassVar[str]
    name_en: ClassVar[str]

    def ask(self, payload: dict[str, Any]) -> Answer:
        """Ask the department. Raises ``TransientError`` when it cannot answer now."""
        raise NotImplementedError


@cache
def get(code: str) -> QueryService:
    """The adapter for ``code``, built alone: one adapter that cannot be imported must not
    take the other queries down with it."""
    paths = {**DEFAULT, **getattr(settings, "QUERY_SERVICES", {})}
    local = import_string(paths[code])()
    if code not in getattr(settings, "DEPARTMENT_URLS", {}):
        return local
    # Listed in YILIAN_DEPARTMENTS: asked over HTTP (docs/department-protocol.md §5).
    from yilian.departments import remote

    return remote.RemoteQuery(local, remote.client_for(code))
