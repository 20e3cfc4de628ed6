"""Departments and queries reached over HTTP (远程部门): the department's own adapter
for what is Yilian's to decide, the generic client for the network.

:class:`RemoteDepartment` keeps the department's adapter (its one file) for
``applies_to``, ``build_payload``, ``after``, ``finish``, its code and names, and
``read_result`` for the details it returns; asking, polling, the effects list and health
go over :class:`~yilian.departments.http.DepartmentClient`. :class:`RemoteQuery` does the
same for the identity and permit queries. The registry and the queries' ``get`` hand
these out for the codes listed in ``YILIAN_DEPARTMENTS``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.urls import reverse

from yilian.departments.base import Accepted, Department, Outcome, StepRequest
from yilian.departments.http import DepartmentClient, Timeouts
from yilian.departments.queries import Answer, QueryService


def callback_url(code: str) -> str:
    """Where this department reports a late result (docs/department-protocol.md §4)."""
    return settings.PUBLIC_URL + _callback_path(settings.ROOT_URLCONF, code)


@cache
def _callback_path(urlconf: str, code: str) -> str:
    # Reversed once per department: a URL resolution is a sixth of an HTTP call's cost.
    return reverse("department-callback", args=[code], urlconf=urlconf)


def client_for(code: str) -> DepartmentClient:
    """The configured client of a listed department (URL, secret, timeouts)."""
    return DepartmentClient(
        code, settings.DEPARTMENT_URLS[code], settings.DEPARTMENT_SECRETS[code],
        Timeouts(connect=settings.DEPARTMENT_CONNECT_TIMEOUT_SECONDS,
                 total=settings.DEPARTMENT_TIMEOUT_SECONDS))


class _Reached:
    """What a remote adapter keeps of the local one: itself, its code and names."""

    def __init__(self, local, client: DepartmentClient) -> None:
        self.local = local
        self.client = client
        self.code, self.name_zh, self.name_en = local.code, local.name_zh, local.name_en


class RemoteDepartment(_Reached, Department):
    """A chain step's department over HTTP, wrapping its own adapter ``local``."""

    def __init__(self, local: Department, client: DepartmentClient,
                 batch_limit: int = 1) -> None:
        super().__init__(local, client)
        self.after = local.after
        self.reads = local.reads
        self.batch_limit = batch_limit

    def __repr__(self) -> str:
        return f"RemoteDepartment({self.code} at {self.client.base_url})"

    def applies_to(self, application) -> bool:
        return self.local.applies_to(application)

    def build_payload(self, application) -> dict[str, Any]:
        return self.local.build_payload(application)

    def finish(self, application_id, outcome: Outcome) -> None:
        self.local.finish(application_id, outcome)

    def read_result(self, data: dict[str, Any]) -> dict[str, Any]:
        return self.local.read_result(data)

    def submit(self, request: StepRequest) -> Outcome | Accepted:
        return self._read(self.client.submit(request, callback_url(self.code)))

    def submit_batch(self, requests: list[StepRequest]) -> list[Outcome | Accepted | Exception]:
        answers = self.client.submit_batch(requests, callback_url(self.code))
        return [a if isinstance(a, Exception) else self._read(a) for a in answers]

    def poll(self, request: StepRequest) -> Outcome | Accepted:
        return self._read(self.client.poll(request, callback_url(self.code)))

    def effects(self) -> list[dict[str, Any]]:
        return self.client.effects()

    def health(self) -> bool:
        return self.client.health()

    def _read(self, answer: Outcome | Accepted) -> Outcome | Accepted:
        if isinstance(answer, Outcome):
            return Outcome(answer.reference, self.read_result(answer.data))
        return answer


class RemoteQuery(_Reached, QueryService):
    """A query (身份核验, 许可核验) asked over HTTP (protocol §5); names from ``local``."""

    def ask(self, payload: dict[str, Any]) -> Answer:
        answer = self.client.query(self.code, payload)
        return Answer(answer["ok"], answer["reason"], answer["data"])
