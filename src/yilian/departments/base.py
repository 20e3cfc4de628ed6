"""The one protocol every department adapter follows (部门接口).

The chain engine knows departments only through :class:`Department` and the registry
(:mod:`yilian.departments.registry`). An adapter turns the one form into what its
department needs (:meth:`Department.build_payload`) and asks the department to act
(:meth:`Department.submit`), passing the step's idempotency key so that asking twice
never acts twice. A simulator and a real HTTP adapter are interchangeable behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import uuid

    from yilian.forms.models import Application


class TransientError(Exception):
    """The department could not answer now (timeout, outage, 5xx): try again later.
    ``retry_after`` (seconds), when the department said how long to wait (HTTP
    ``Retry-After``), is the least the engine waits before the next try."""

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """The department refused the request: retrying will not help, a person must look."""


@dataclass(frozen=True)
class StepRequest:
    department: str
    idempotency_key: str
    application_id: str
    uscc: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Accepted:
    """The department took the request and will answer later (受理, 待部门办结): by
    callback, or when polled after ``expected_at``. The step waits; its SLA clock runs."""

    expected_at: dt.datetime
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a department answered: its reference number and the details it issued."""

    reference: str
    data: dict[str, Any] = field(default_factory=dict)


def ask_each(submit, requests: list[StepRequest], *args
             ) -> list[Outcome | Accepted | Exception]:
    """``submit(request, *args)`` for each request in turn: its answer, or the
    department's error it raised (a bug still raises)."""
    answers: list[Outcome | Accepted | Exception] = []
    for request in requests:
        try:
            answers.append(submit(request, *args))
        except (TransientError, PermanentError) as exc:
            answers.append(exc)
    return answers


def person(application: Application, role: str):
    """The first party with ``role``; reads the (usually prefetched) people once."""
    return next((p for p in application.people.all() if p.role == role), None)


class Department:
    """Base class of every department adapter; subclasses set the class attributes."""

    code: ClassVar[str]
    name_zh: ClassVar[str]
    name_en: ClassVar[str]
    #: Steps that must be done before this one may start (registration gives the USCC).
    after: ClassVar[tuple[str, ...]] = ("registration",)
    #: The particulars of the one form this department holds (keys of
    #: :func:`yilian.forms.afterwards.snapshot`): a change of any of them is told to it.
    reads: ClassVar[tuple[str, ...]] = ()
    #: How many of its steps may be asked in one :meth:`submit_batch` (批量请求); 1 asks
    #: one at a time (in-process simulators: a request costs them nothing).
    batch_limit: int = 1
    #: Answers from inside this process, at once: a worker may claim several of its
    #: steps before asking for the first (:mod:`yilian.chain.ahead`), their leases
    #: cannot run out meanwhile. Not a department reached over a network.
    in_process: ClassVar[bool] = False

    def answers_at_once(self) -> bool:
        """Whether an in-process department answers now without waiting: only then are
        its steps claimed ahead (default: as :attr:`in_process` says)."""
        return self.in_process

    def applies_to(self, application: Application) -> bool:
        """Whether this application needs this department at all: its kind's steps, as
        the catalogue lists them and the form chose them (:mod:`yilian.departments.steps`)."""
        from yilian.departments import steps

        return self.code in steps.codes_for(application)

    def build_payload(self, application: Application) -> dict[str, Any]:
        """The part of the one form this department needs, as plain JSON."""
        raise NotImplementedError

    def submit(self, request: StepRequest) -> Outcome | Accepted:
        """Ask the department to act. Must be idempotent on ``request.idempotency_key``.
        Returns the result, or :class:`Accepted` when it will come later."""
        raise NotImplementedError

    def submit_batch(self, requests: list[StepRequest]) -> list[Outcome | Accepted | Exception]:
        """Ask for several steps at once; each one's answer in order, a result or the
        :class:`TransientError` / :class:`PermanentError` its own ask would have raised.
        Default: one :meth:`submit` each."""
        return ask_each(self.submit, requests)

    def poll(self, request: StepRequest) -> Outcome | Accepted:
        """Ask how an accepted request stands (default: ask again with the same key,
        which never acts twice)."""
        return self.submit(request)

    def effects(self) -> list[dict[str, Any]]:
        """What the department has actually done, for reconciliation (对账): one dict per
        effect with ``key``, ``reference`` and ``status`` (docs/department-protocol.md §6)."""
        raise NotImplementedError

    def health(self) -> bool:
        """Whether the department can take requests now: the circuit breaker's probe
        (docs/department-protocol.md §7). Default: always."""
        return True

    def read_result(self, data: dict[str, Any]) -> dict[str, Any]:
        """The details a department returned over the network, as this adapter keeps
        them in the step's result (default: as they came). A department whose answer
        needs reading specially overrides this, in its own one file."""
        return data

    def finish(self, application_id: uuid.UUID, outcome: Outcome) -> None:
        """Hook run inside the transaction that marks the step done (default: nothing)."""
