"""A lease (租约) in the database: one process at a time runs a job that every process is
ready to run — the sweeper (:mod:`yilian.chain.sweeper`).

The lease is a row (:class:`yilian.chain.models.Lease`): its holder and when it expires,
by the database's clock, so hosts whose clocks disagree still agree on who holds it. A
holder renews it with one conditional UPDATE; anyone may take it once it has expired.
A process that dies simply stops renewing, and another takes over ``seconds`` later.
It works the same on PostgreSQL and SQLite, needs no connection held open between
renewals, and survives a connection pooler (docs/DECISIONS.md, "The sweeper's lease").
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid

from django.db import IntegrityError, models, transaction
from django.db.models import Case, ExpressionWrapper, F, Q, When
from django.db.models.functions import Now

from yilian.chain.models import Lease as LeaseRow

log = logging.getLogger("yilian.chain")


def holder_name() -> str:
    """Who this process is, for the lease row and the logs: host, pid and a nonce (a pid
    can come back after a restart; the old holder's lease must not be taken for ours)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """The lease called ``name``, as seen by this process."""

    def __init__(self, name: str, seconds: float, holder: str | None = None) -> None:
        self.name = name
        self.seconds = seconds
        self.holder = holder or holder_name()
        self._held_until = 0.0  # time.monotonic(), with the renewal's start as its base

    def held(self) -> bool:
        """Whether this process may still act as the holder (without asking the
        database): the lease it last took has not run out."""
        return time.monotonic() < self._held_until

    def hold(self) -> bool:
        """Take the lease, or renew it if ours; whether we hold it now."""
        asked_at = time.monotonic()
        expires = ExpressionWrapper(Now() + dt.timedelta(seconds=self.seconds),
                                    output_field=models.DateTimeField())
        mine = Q(holder=self.holder)
        taken = LeaseRow.objects.filter(Q(name=self.name) & (mine | Q(expires_at__lt=Now())))
        got = taken.update(holder=self.holder, expires_at=expires,
                           acquired_at=Case(When(mine, then=F("acquired_at")), default=Now()))
        if not got and not LeaseRow.objects.filter(name=self.name).exists():
            got = self._create(expires)
        was_held = self.held()
        self._held_until = asked_at + self.seconds if got else 0.0
        if got and not was_held:
            log.info("%s: this process (%s) holds the lease now", self.name, self.holder)
        elif was_held and not got:
            log.warning("%s: lease lost by %s (a renewal came too late)", self.name,
                        self.holder)
        return bool(got)

    def _create(self, expires) -> int:
        try:
            with transaction.atomic():  # a savepoint, if the caller is in a transaction
                LeaseRow.objects.create(name=self.name, holder=self.holder,
                                        expires_at=expires, acquired_at=Now())
        except IntegrityError:  # another process created it first: theirs
            return 0
        return 1

    def release(self) -> None:
        """Give the lease up (a clean stop): another process takes it at its next look
        instead of waiting for it to expire."""
        if self._held_until:
            LeaseRow.objects.filter(name=self.name, holder=self.holder).update(
                expires_at=Now())
            self._held_until = 0.0
            log.info("%s: released by %s", self.name, self.holder)
