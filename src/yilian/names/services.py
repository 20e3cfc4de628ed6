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

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from yilian.codes import divisions
from yilian.codes.errors import InvalidCode
from yilian.names import index, kinds, similarity, words
from yilian.names.models import NameReservation, ReleaseReason
from yilian.names.parse import ParsedName, UnparsableName, normalize, parse
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
    """A reservation held elsewhere (``holder``: another applicant's, or the same
    applicant's for another application) is this name or clashes with it."""

    def __init__(self, holder: NameReservation | None, check: NameCheck | None = None) -> None:
        self.check = check or NameCheck(False)
        self.holder = holder
        until = f"，保留至{timezone.localtime(holder.expires_at):%Y-%m-%d}" if holder else ""
        name = holder.name if holder else ""
        Exception.__init__(self, f"名称“{name}”已为另一申请保留{until} / the name is held "
                           "for another application")


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
    inherited = index.loaded() is not None  # a gunicorn worker's, loaded by its master
    built = index.get(save=save)
    added = index.catch_up(built)
    # Also when the index came from elsewhere than a snapshot: a gunicorn worker inherits
    # the one its master built before forking (the demo's seeding checks names).
    if save and (built.saved_rows is None
                 or built.register_rows - built.saved_rows >= RESAVE_AFTER):
        index.save_snapshot(built)
    if inherited:
        log.info("name index caught up: %d names, %d added, in %.1f s", len(built), added,
                 time.perf_counter() - started)
    else:
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
               industry_code: str = "", authorized: Iterable[str] = (),
               application=None, parent_uscc: str = "", own_uscc: str = "") -> NameCheck:
    """Can ``name`` be used in ``division_code`` by ``user``? ``org_form`` (a
    ``forms.OrgForm`` value) brings the kind's name rules (:mod:`yilian.names.kinds`:
    form words, forbidden words, an individual business's optional name and county, a
    branch's name from its parent, ``parent_uscc``); ``industry_code`` (GB/T 4754) widens
    "same industry"; ``authorized`` lists restricted words approved for this applicant.

    Names held for *other* applications clash, the applicant's own included: one person
    cannot hold three homophones of one 字号 through three applications. Only the
    reservation held for ``application`` itself, and ``user``'s own reservation of this
    very name not yet tied to an application, are not in the way; nor is, for a change
    of name (变更名称), the enterprise ``own_uscc`` itself."""
    if not normalize(name) and kinds.name_optional(org_form):
        return NameCheck(True)  # 个体工商户可以不使用名称: nothing to clash
    parent_name = (_parent_name(parent_uscc)
                   if kinds.parent_suffixes(kinds.kind_of(org_form)) else None)
    problems = check_format(name, org_form, authorized=authorized,
                            division_code=division_code, parent_name=parent_name)
    try:
        divisions.validate(division_code)
    except InvalidCode as exc:
        problems.append(Problem(exc.code, exc.message_zh, exc.message_en, "GB/T 2260"))
        return NameCheck(False, problems, [])
    conflicts = [c for c in in_force(current_index().conflicts(name, division_code,
                                                                industry_code))
                 if not (own_uscc and c.uscc == own_uscc)]
    conflicts += _reserved_elsewhere(name, division_code, user, industry_code, application)
    return NameCheck(not problems and not conflicts, problems, conflicts)


def reserve(name: str, division_code: str, user, days: int = RESERVATION_DAYS, *,
            application=None, industry_code: str = "", org_form: str | None = None,
            parent_uscc: str = "", own_uscc: str = "") -> NameReservation | None:
    """Reserve ``name`` for ``user`` (and ``application``) for ``days``, checked as
    :func:`check_name` checks it for ``org_form``; None for no name where the kind may
    have none (an individual business).

    Raises :class:`NameUnavailable` when the name fails the checks or the account already
    holds as many names as it may, :class:`NameTaken` when a reservation held elsewhere
    clashes with it. Reserving a name one already holds returns that reservation.

    Exclusive under concurrency for every clash rule: the decision is serialized on what
    the rules compare (:func:`serialize_name`: the authority and the 字号's toneless
    reading, shared by identical names, variants, homophones and 字号 in other
    industries alike) and on the account (for its limit), and the check runs inside that
    lock. The partial unique index stays as the last word on identical cores."""
    if not normalize(name) and kinds.name_optional(org_form):
        return None
    with transaction.atomic():
        parsed = _parsed(name)
        serialize_name(parsed, division_code, user, full=normalize(name))
        verdict = check_name(name, division_code, org_form, user=user,
                             industry_code=industry_code, application=application,
                             parent_uscc=parent_uscc, own_uscc=own_uscc)
        if not verdict.acceptable:
            if verdict.problems or not all(c.reserved for c in verdict.conflicts):
                raise NameUnavailable(verdict)
            holder = NameReservation.objects.active().filter(
                authority=index.authority(division_code),
                name=verdict.conflicts[0].name).first()
            raise NameTaken(holder, verdict)
        return _claim(normalize(name), parsed, division_code, user, days, application)


def _claim(full: str, parsed: ParsedName | None, division_code: str, user, days: int,
           application) -> NameReservation:
    """``parsed`` None: a name with no 字号 of its own (a branch's), held by its full
    text, which is all it can clash by."""
    auth = index.authority(division_code)
    key = similarity.core_key(parsed) if parsed else similarity.simplified(full)
    sound = similarity.pinyin(parsed.trade_name) if parsed else ""
    now = timezone.now()
    # The account's active reservations, read once for the one this may reuse and for
    # the account's limit.
    held = _held_by(user)
    own = next((r for r in held if r.authority == auth and _reusable(r, key, user,
                                                                      application)), None)
    if own is not None:
        if application is not None and own.application_id is None:
            own.application = application
            own.save(update_fields=["application"])
        return own
    _check_limit(user, application, held)
    if application is not None:  # one application holds one name: the newest
        release_for(application, ReleaseReason.REPLACED)
    try:
        with transaction.atomic():
            # Lazy expiry: free the key in the same transaction that claims it.
            NameReservation.objects.filter(
                authority=auth, normalized_key=key, released_at__isnull=True,
                expires_at__lte=now).update(released_at=F("expires_at"),
                                            release_reason=ReleaseReason.LAPSED)
            return NameReservation.objects.create(
                name=full, normalized_key=key,
                trade_key=similarity.trade_key(parsed) if parsed else "", pinyin_key=sound,
                readings=stored_readings(parsed.trade_name) if parsed else "",
                division_code=division_code,
                authority=auth, owner=user, application=application, reserved_at=now,
                expires_at=now + dt.timedelta(days=days))
    except IntegrityError:
        # Only reachable by a writer that skipped the lock (or a hash collision of the
        # lock's key, which only serializes more): say who holds it all the same.
        holder = (NameReservation.objects.filter(authority=auth, normalized_key=key,
                                                 released_at__isnull=True)
                  .select_related("owner").first())
        raise NameTaken(holder, _verdict_against(full, parsed, holder)) from None


def _held_by(user) -> list[NameReservation]:
    """The active reservations of ``user``'s account, oldest first."""
    if user is None or user.pk is None:
        return []
    return list(NameReservation.objects.active().filter(owner_id=user.pk).order_by("pk"))


def _reusable(reservation: NameReservation, key: str, user, application) -> bool:
    """May a reservation of ``key`` for ``user`` and ``application`` reuse
    ``reservation`` (active, of this authority)? Its own name, held by the account,
    for no application yet or for this one. At most one active reservation holds a core
    key (the partial unique index), so only one can be."""
    if user is None or user.pk is None:
        return False
    return (reservation.normalized_key == key and reservation.owner_id == user.pk
            and (reservation.application_id is None
                 or (application is not None
                     and reservation.application_id == application.pk)))


def _check_limit(user, application, held: list[NameReservation]) -> None:
    """At most ``settings.MAX_NAMES_PER_ACCOUNT`` names held at once by one account
    (``held``: its active reservations, :func:`_held_by`); the one ``application``
    holds is about to be replaced, so it does not count."""
    limit = settings.MAX_NAMES_PER_ACCOUNT
    names = [r.name for r in held
             if application is None or r.application_id != application.pk][:limit]
    if len(names) >= limit:
        listed = "、".join(names)
        raise NameUnavailable(NameCheck(False, [Problem(
            "name.limit",
            f"每个账户同时最多保留{limit}个企业名称，您已保留：{listed}；"
            "请先撤回或办结其他申请",
            f"an account may hold at most {limit} enterprise names at once; you hold "
            f"{listed}: withdraw or finish another application first",
            "名称自主申报：防止恶意抢注、囤积名称")]))


def _verdict_against(full: str, parsed: ParsedName | None,
                     holder: NameReservation | None) -> NameCheck:
    rule = similarity.IDENTICAL_CORE if parsed else similarity.IDENTICAL
    held = _parsed(holder.name) if holder is not None else None
    if parsed is not None and held is not None:
        rule = similarity.compare(parsed, held) or rule
    return NameCheck(False, [], [Conflict(rule, holder.name if holder else full,
                                          reserved=True)])


def serialize_name(parsed: ParsedName | None, division_code: str, user=None, *,
                   full: str = "") -> None:
    """Hold, until the transaction ends, the locks under which a decision about ``parsed``
    is taken: one per registration authority + toneless reading of the 字号 (every clash
    rule compares names that share it), and one per account (its limit).

    PostgreSQL: transaction-scoped advisory locks, taken in one order. SQLite needs none:
    every transaction there begins IMMEDIATE (``settings.DATABASES``), which takes the
    database's write lock at BEGIN, so writers — and the checks they make inside their
    transaction — already run one at a time."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("serialize_name() must run inside a transaction")
    auth = index.authority(division_code)
    # One lock per reading: two names that share any reading of their 多音字 share a lock.
    keys = [f"name:{auth}:{sound}" for sound in similarity.readings(parsed.trade_name)] \
        if parsed is not None else [f"name:{auth}:full:{similarity.simplified(full)}"]
    if user is not None and user.pk is not None:
        keys.append(f"name-holder:{user.pk}")
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def registered_conflicts(name: str, division_code: str, industry_code: str = "") -> list[Conflict]:
    """What ``name`` clashes with in the register now, under the name's lock: for the
    registration step, which must not enter a name the register already holds (the
    lock is held until its transaction commits the new enterprise)."""
    if not normalize(name):
        return []  # an individual business without a name
    serialize_name(_parsed(name), division_code, full=normalize(name))
    return in_force(current_index().conflicts(name, division_code, industry_code))


def in_force(conflicts: list[Conflict], today: dt.date | None = None) -> list[Conflict]:
    """The clashes with names the register still protects: the index keeps every name it
    ever held, and a closed enterprise's name is free again once the period the name rules
    set (``data/after_closing.json``) has passed since it closed."""
    usccs = {c.uscc for c in conflicts if c.uscc and not c.reserved}
    if not usccs:
        return conflicts
    from yilian.registry.models import Enterprise, EnterpriseStatus

    freed = set(Enterprise.objects.filter(uscc__in=usccs, status=EnterpriseStatus.CLOSED,
                                          closed_on__lte=freed_before(today))
                .values_list("uscc", flat=True))
    return [c for c in conflicts if c.uscc not in freed]


def freed_before(today: dt.date | None = None) -> dt.date:
    """The last closing date whose name is free again ``today``."""
    today = today or timezone.localdate()
    years = words.after_closing()["years"]
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February: the year before has none
        return today.replace(year=today.year - years, day=28)


def release(reservation: NameReservation | int, user=None) -> NameReservation:
    """Give a reservation up. ``user``, when given, must own it (or be staff)."""
    if not isinstance(reservation, NameReservation):
        reservation = NameReservation.objects.get(pk=reservation)
    if user is not None and reservation.owner_id != user.pk and not user.is_staff:
        raise PermissionError("只有保留人可以释放该名称 / only the holder may release it")
    now = timezone.now()
    NameReservation.objects.filter(pk=reservation.pk, released_at__isnull=True).update(
        released_at=now, release_reason=ReleaseReason.HOLDER)
    reservation.refresh_from_db()
    return reservation


_RELEASE = ("UPDATE names_namereservation SET released_at = %s, release_reason = %s "
            "WHERE application_id = %s AND released_at IS NULL")


def release_for(application, reason: str) -> int:
    """Release every name held for ``application`` (returned, withdrawn, rejected,
    expired, registered …); returns how many. Idempotent. In SQL: every chain's
    registration passes here (docs/BENCHMARKS.md)."""
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE, [
            connection.ops.adapt_datetimefield_value(timezone.now()), str(reason),
            type(application)._meta.pk.get_db_prep_value(application.pk, connection)])
        return cursor.rowcount


def _parsed(name: str) -> ParsedName | None:
    try:
        return parse(name)
    except UnparsableName:
        return None


def _parent_name(parent_uscc: str) -> str | None:
    """The registered name of a branch's parent, or None when it is not in the register."""
    from yilian.registry.models import Enterprise

    if not parent_uscc:
        return None
    return Enterprise.objects.filter(uscc=parent_uscc.strip().upper()).values_list(
        "name", flat=True).first()


def stored_readings(trade_name: str) -> str:
    """How a reservation keeps its 字号's readings (``NameReservation.readings``)."""
    return "".join(f"|{sound}" for sound in similarity.readings(trade_name)) + "|"


def _reserved_elsewhere(name: str, division_code: str, user, industry_code: str,
                        application=None) -> list[Conflict]:
    proposed = _parsed(name)
    auth = index.authority(division_code)
    if proposed is None:  # a branch's name: only the very same one clashes
        key = similarity.simplified(normalize(name))
        if not key:
            return []
        same = NameReservation.objects.active().filter(authority=auth, normalized_key=key)
        if application is not None:
            same = same.exclude(application_id=application.pk)
        return [Conflict(similarity.IDENTICAL, r.name, reserved=True) for r in same
                if similarity.simplified(normalize(r.name)) == key  # not a core key
                and not _reusable(r, key, user, application)]
    held = _sharing_a_reading(proposed, auth, application)
    core_key = similarity.core_key(proposed)
    found = []
    for reservation in held:
        if _reusable(reservation, core_key, user, application):
            continue  # the reservation reserve() would reuse: not in the way
        rule = similarity.compare(proposed, parse(reservation.name),
                                  proposed_industry_code=industry_code)
        if rule:
            found.append(Conflict(rule, reservation.name, reserved=True))
    return found


def _sharing_a_reading(proposed: ParsedName, auth: str, application=None
                       ) -> list[NameReservation]:
    """The active reservations under ``auth`` whose 字号 shares a key or any reading
    with ``proposed``'s, but the one held for ``application``: each with its name, keys,
    owner and application. In SQL (prepared, :mod:`yilian.db.prepared`): every name
    check asks this, twice a submission, and compiling the ORM's query (an ``OR`` per
    reading) cost several times its execution."""
    from yilian.db import prepared

    ops = connection.ops
    sounds = [f"%|{ops.prep_for_like_query(sound)}|%"
              for sound in similarity.readings(proposed.trade_name)]
    sql = ("SELECT id, name, normalized_key, owner_id, application_id "
           "FROM names_namereservation WHERE released_at IS NULL AND expires_at > %s "
           "AND authority = %s AND (trade_key = %s"
           + " OR readings LIKE %s ESCAPE '\\'" * len(sounds) + ")")
    params = [ops.adapt_datetimefield_value(timezone.now()), auth,
              similarity.trade_key(proposed), *sounds]
    if application is not None:
        sql += " AND (application_id IS NULL OR application_id <> %s)"
        params.append(type(application)._meta.pk.get_db_prep_value(application.pk,
                                                                     connection))
    with prepared.cursor() as cursor:
        cursor.execute(sql + " ORDER BY id", params)
        rows = cursor.fetchall()
    return [NameReservation(id=pk, name=name, normalized_key=key, owner_id=owner,
                            application_id=held_for)
            for pk, name, key, owner, held_for in rows]
