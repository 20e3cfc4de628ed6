"""Name self-declaration (名称自主申报): check a name, reserve it, release it.

The actions layer for names: views, the API, the CLI (``yilian check name``) and the
form's validation all call these, never the parts behind them. :func:`check_name`
combines the format rules, the conflict index over the register and the active
reservations of other applicants; :func:`reserve` re-checks and then lets the database's
partial unique index decide races, so two concurrent reservations of one name can never
both succeed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from yilian.codes import divisions
from yilian.codes.errors import InvalidCode
from yilian.names import index, similarity
from yilian.names.models import NameReservation
from yilian.names.parse import ParsedName, UnparsableName, parse
from yilian.names.rules import Problem, check_format
from yilian.names.similarity import Conflict

RESERVATION_DAYS = 30
# A warm-up that had to catch up this many enterprises writes a fresh snapshot, so the
# processes that start next do not repeat the work.
RESAVE_AFTER = 10_000
log = logging.getLogger("yilian.names")


@dataclass(frozen=True)
class NameCheck:
    """The verdict on a proposed name: acceptable only with no problem and no conflict."""

    acceptable: bool
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def errors(self, field_name: str = "name") -> list[dict]:
        """Field errors for the one form (``forms.validation.check_name``)."""
        return [item.as_error(field_name) for item in [*self.problems, *self.conflicts]]


class NameUnavailable(Exception):
    """The name cannot be reserved: format problems or conflicts (``check``)."""

    def __init__(self, check: NameCheck) -> None:
        self.check = check
        reasons = "; ".join(e["message_zh"] for e in check.errors())
        super().__init__(f"名称不可使用：{reasons}")


class NameTaken(NameUnavailable):
    """Another applicant holds an active reservation of this name, or of one it clashes
    with (``holder``)."""

    def __init__(self, holder: NameReservation | None, check: NameCheck | None = None) -> None:
        self.check = check or NameCheck(False)
        self.holder = holder
        until = f"，保留至{timezone.localtime(holder.expires_at):%Y-%m-%d}" if holder else ""
        name = holder.name if holder else ""
        Exception.__init__(self, f"名称“{name}”已被他人保留{until} / the name is reserved "
                           "by another applicant")


def current_index() -> index.NameIndex:
    """This process's index, caught up with the register.

    Every process (web, worker, CLI) holds its own index, so instead of being told about
    new enterprises it asks: one indexed query per check for rows above the highest id it
    holds. An enterprise registered anywhere is therefore seen by the next check anywhere.
    A check that comes while the index is still being loaded or built waits for it.
    """
    built = index.get()
    index.catch_up(built)
    return built


def warm_index(*, save: bool = True) -> index.NameIndex:
    """Make this process's index ready before the first check (process start: gunicorn
    workers, Celery children). Loads the data dir's snapshot, or reads the register and —
    with ``save`` — writes the snapshot for the processes that start next; then catches
    up, and saves again when the file was far behind or there was none."""
    started = time.perf_counter()
    built = index.get(save=save)
    added = index.catch_up(built)
    # Also when the index came from elsewhere than a snapshot: a gunicorn worker inherits
    # the one its master built before forking (the demo's seeding checks names).
    if save and (built.saved_rows is None
                 or built.register_rows - built.saved_rows >= RESAVE_AFTER):
        index.save_snapshot(built)
    log.info("name index ready: %d names from the %s, %d caught up, in %.1f s",
             len(built), built.source, added, time.perf_counter() - started)
    return built


def warm_in_background(*, save: bool = True) -> threading.Thread:
    """:func:`warm_index` in a daemon thread, so the server answers meanwhile (a name
    check waits for the index; nothing else does)."""

    def warm() -> None:
        from django.db import connection

        try:
            warm_index(save=save)
        except Exception:  # the first check builds it instead; say why this did not
            log.exception("name index warm-up failed")
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=warm, name="yilian-name-index", daemon=True)
    thread.start()
    return thread


def refresh_snapshot() -> tuple[index.NameIndex, Path]:
    """Read the whole register afresh, make it this process's index and write it as the
    data dir's snapshot (``yilian import-registry`` / ``gen-registry`` end with this: an
    import may rename enterprises, which catching up by id would not see)."""
    from yilian.names import snapshot

    with snapshot.exclusive():
        built = index.rebuild()
        return built, index.save_snapshot(built)


def check_name(name: str, division_code: str, org_form: str | None = None, *, user=None,
               industry_code: str = "", authorized: Iterable[str] = ()) -> NameCheck:
    """Can ``name`` be used in ``division_code`` by ``user``? ``org_form`` (a
    ``forms.OrgForm`` value) checks the suffix; ``industry_code`` (GB/T 4754) widens
    "same industry"; ``authorized`` lists restricted words approved for this applicant."""
    problems = check_format(name, org_form, authorized=authorized)
    try:
        divisions.validate(division_code)
    except InvalidCode as exc:
        problems.append(Problem(exc.code, exc.message_zh, exc.message_en, "GB/T 2260"))
        return NameCheck(False, problems, [])
    conflicts = current_index().conflicts(name, division_code, industry_code)
    conflicts += _reserved_by_others(name, division_code, user, industry_code)
    return NameCheck(not problems and not conflicts, problems, conflicts)


def reserve(name: str, division_code: str, user, days: int = RESERVATION_DAYS, *,
            application=None) -> NameReservation:
    """Reserve ``name`` for ``user`` for ``days``. Raises :class:`NameUnavailable` when the
    name fails the checks and :class:`NameTaken` when someone else holds it. Reserving a
    name one already holds returns that reservation."""
    verdict = check_name(name, division_code, user=user)
    auth = index.authority(division_code)
    if not verdict.acceptable:
        if verdict.problems or not all(c.reserved for c in verdict.conflicts):
            raise NameUnavailable(verdict)
        holder = NameReservation.objects.active().filter(
            authority=auth, name=verdict.conflicts[0].name).first()
        raise NameTaken(holder, verdict)
    parsed = parse(name)
    key = similarity.core_key(parsed)
    now = timezone.now()
    try:
        with transaction.atomic():
            # Lazy expiry: free the key in the same transaction that claims it.
            NameReservation.objects.filter(
                authority=auth, normalized_key=key, released_at__isnull=True,
                expires_at__lte=now).update(released_at=F("expires_at"))
            return NameReservation.objects.create(
                name=parsed.full, normalized_key=key, trade_key=similarity.trade_key(parsed),
                pinyin_key=similarity.pinyin(parsed.trade_name), division_code=division_code,
                authority=auth, owner=user, application=application, reserved_at=now,
                expires_at=now + dt.timedelta(days=days))
    except IntegrityError:
        holder = (NameReservation.objects.filter(authority=auth, normalized_key=key,
                                                 released_at__isnull=True)
                  .select_related("owner").first())
        if holder is not None and holder.owner_id == user.pk:
            return holder
        raise NameTaken(holder) from None


def release(reservation: NameReservation | int, user=None) -> NameReservation:
    """Give a reservation up. ``user``, when given, must own it (or be staff)."""
    if not isinstance(reservation, NameReservation):
        reservation = NameReservation.objects.get(pk=reservation)
    if user is not None and reservation.owner_id != user.pk and not user.is_staff:
        raise PermissionError("只有保留人可以释放该名称 / only the holder may release it")
    now = timezone.now()
    NameReservation.objects.filter(pk=reservation.pk, released_at__isnull=True).update(
        released_at=now)
    reservation.refresh_from_db()
    return reservation


def _reserved_by_others(name: str, division_code: str, user,
                        industry_code: str) -> list[Conflict]:
    try:
        proposed: ParsedName = parse(name)
    except UnparsableName:
        return []
    held = NameReservation.objects.active().filter(
        Q(trade_key=similarity.trade_key(proposed))
        | Q(pinyin_key=similarity.pinyin(proposed.trade_name)),
        authority=index.authority(division_code))
    if user is not None and user.pk is not None:
        held = held.exclude(owner_id=user.pk)
    found = []
    for reservation in held:
        rule = similarity.compare(proposed, parse(reservation.name),
                                  proposed_industry_code=industry_code)
        if rule:
            found.append(Conflict(rule, reservation.name, reserved=True))
    return found
