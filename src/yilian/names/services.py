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
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from yilian.codes import divisions
from yilian.codes.errors import InvalidCode
from yilian.names import index, similarity
from yilian.names.models import NameReservation
from yilian.names.parse import ParsedName, UnparsableName, parse
from yilian.names.rules import Problem, check_format
from yilian.names.similarity import Conflict

RESERVATION_DAYS = 30


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


_state: dict = {"index": None, "mark": 0}


def current_index() -> index.NameIndex:
    """This process's index, caught up with the register.

    Every process (web, worker, CLI) holds its own index, so instead of being told about
    new enterprises it asks: one indexed query per check for rows above the highest id it
    holds. An enterprise registered anywhere is therefore seen by the next check anywhere.
    """
    from yilian.registry.models import Enterprise

    known = _state["index"]
    if known is None or index.get() is not known:  # first use, or reset: build it afresh
        mark = Enterprise.objects.aggregate(top=Max("pk"))["top"] or 0
        _state.update(index=index.rebuild(), mark=mark)
    for enterprise in Enterprise.objects.filter(pk__gt=_state["mark"]).order_by("pk"):
        index.add(enterprise)
        _state["mark"] = enterprise.pk
    return _state["index"]


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
