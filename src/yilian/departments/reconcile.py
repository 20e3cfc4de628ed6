"""对账 — reconciliation: Yilian's recorded steps against what each department has done.

For one department, every :class:`~yilian.chain.models.Step` of its code (idempotency
key, status, reference) is compared with the department's own list of effects
(:meth:`Department.effects`: the simulator's ledger in-process, ``GET /v1/effects`` over
HTTP — docs/department-protocol.md §6). Three kinds of difference:

- **missing** (缺失) — Yilian recorded the step done, the department has no effect for
  its key (or has not finished it);
- **extra** (多出) — the department acted on a key Yilian has not recorded done: a lost
  reply whose step is still retrying (it will find the effect on its next ask, with the
  same key), or a key Yilian knows no step for;
- **mismatched** (不符) — the same key, a different reference.

A step an officer completed by hand (人工办结) was done off-line, and a step recorded as
history (``result.history``: done before the department's system was connected, as the
demo's seeded years are): no effect is expected for either, but one with another
reference is a mismatch. Each run is stored
(:class:`~yilian.departments.models.Reconciliation`) for the department console.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.db.models import Q
from django.utils import timezone

from yilian.audit.services import record
from yilian.chain.models import Step, StepStatus
from yilian.departments import registry
from yilian.departments.models import Reconciliation

KEPT_DETAILS = 200  # differences stored per run; the counts are always complete

# Each kind and note of a difference, in Chinese and English.
KINDS = {"missing": ("缺失", "missing"), "extra": ("多出", "extra"),
         "mismatched": ("不符", "mismatched")}
NOTES = {
    "no_effect": ("本系统记为已办结，部门无对应办理记录",
                  "done in Yilian, the department has no effect for it"),
    "not_finished": ("本系统记为已办结，部门记录为“{effect_status}”",
                     "done in Yilian, the department says {effect_status}"),
    "lost_reply": ("答复丢失：部门已办理，本系统事项仍为“{step_status}”"
                   "（下次询问将以同一幂等键取回结果）",
                   "lost reply: the department acted, the step is still {step_status} (its "
                   "next ask, with the same key, collects the result)"),
    "unknown_key": ("部门有办理记录，本系统无此事项", "the department acted on a key Yilian has no "
                    "step for"),
    "reference": ("业务编号不一致", "different references"),
    "by_hand": ("人工办结的编号与部门记录不一致", "completed by hand with another reference than "
                "the department's"),
    "duplicate": ("部门对同一幂等键列出多条记录", "the department lists the key more than once"),
}


@dataclass(frozen=True)
class Difference:
    kind: str  # a key of KINDS
    note: str  # a key of NOTES
    key: str
    step_status: str = ""
    step_reference: str = ""
    effect_status: str = ""
    effect_reference: str = ""

    def describe(self) -> tuple[str, str]:
        zh, en = NOTES[self.note]
        return (zh.format(**asdict(self)), en.format(**asdict(self)))


@dataclass
class Report:
    code: str
    reachable: bool = True
    error: str = ""
    steps: int = 0
    effects: int = 0
    by_hand: int = 0
    differences: list[Difference] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for d in self.differences if d.kind == kind)

    @property
    def agrees(self) -> bool:
        return self.reachable and not self.differences


def compare(code: str) -> Report:
    """Compare ``code``'s steps with its department's effects (nothing is stored)."""
    report = Report(code)
    try:
        effects = list(registry.get(code).effects())
    except Exception as exc:  # down, refusing, or not listing effects at all
        report.reachable, report.error = False, f"{type(exc).__name__}: {exc}"[:500]
        return report
    steps = {key: (status, reference or "") for key, status, reference in
             Step.objects.filter(code=code)
             .values_list("idempotency_key", "status", "reference").iterator()}
    # Done without asking this department's system: by an officer, or history recorded
    # before the system was connected (the demo's seeded years). No effect is expected.
    by_hand = set(Step.objects.filter(Q(result__by_hand=True) | Q(result__history=True),
                                      code=code, status=StepStatus.DONE)
                  .values_list("idempotency_key", flat=True))
    report.steps, report.effects = len(steps), len(effects)
    seen: dict[str, dict] = {}
    for effect in effects:
        key = str(effect.get("key", ""))
        if key in seen:
            report.differences.append(Difference(
                "mismatched", "duplicate", key, effect_reference=str(effect.get("reference"))))
            continue
        seen[key] = effect
        report.differences.extend(_judge(key, steps.get(key), effect, key in by_hand))
    for key, (status, reference) in steps.items():
        if status == StepStatus.DONE and key not in seen:
            if key in by_hand:
                report.by_hand += 1
            else:
                report.differences.append(Difference("missing", "no_effect", key, status,
                                                     reference))
    return report


def _judge(key: str, step: tuple[str, str] | None, effect: dict,
           by_hand: bool) -> list[Difference]:
    effect_status = str(effect.get("status") or "done")
    effect_reference = str(effect.get("reference") or "")
    acted = effect_status == "done"
    if step is None:
        return [Difference("extra", "unknown_key", key, effect_status=effect_status,
                           effect_reference=effect_reference)]
    status, reference = step
    found = {"step_status": status, "step_reference": reference,
             "effect_status": effect_status, "effect_reference": effect_reference}
    if status != StepStatus.DONE:
        return [Difference("extra", "lost_reply", key, **found)] if acted else []
    if not acted:
        return [Difference("missing", "not_finished", key, **found)]
    if reference != effect_reference:
        return [Difference("mismatched", "by_hand" if by_hand else "reference", key,
                           **found)]
    return []


def run(code: str) -> tuple[Report, Reconciliation]:
    """Compare and store the run (and one audit entry in the department's stream)."""
    from yilian.departments.circuit import stream_for_department

    report = compare(code)
    kept = [asdict(d) for d in report.differences[:KEPT_DETAILS]]
    stored = Reconciliation.objects.create(
        code=code, ran_at=timezone.now(), reachable=report.reachable, steps=report.steps,
        effects=report.effects, missing=report.count("missing"),
        extra=report.count("extra"), mismatched=report.count("mismatched"),
        details={"differences": kept, "more": max(0, len(report.differences) - len(kept)),
                 "by_hand": report.by_hand, "error": report.error})
    record(stream_for_department(code), "reconciliation.ran", actor_label="reconcile",
           data={"reachable": report.reachable, "missing": stored.missing,
                 "extra": stored.extra, "mismatched": stored.mismatched})
    return report, stored


def latest(codes) -> dict[str, Reconciliation]:
    """The last run of each of ``codes`` (the console's panel): one small query each."""
    runs = {code: Reconciliation.objects.filter(code=code).first() for code in codes}
    return {code: run_ for code, run_ in runs.items() if run_ is not None}
