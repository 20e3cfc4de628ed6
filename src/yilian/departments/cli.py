"""``yilian reconcile [CODE]`` and ``yilian simulate …``: the departments' commands.

Every line says it in Chinese and English, as the other commands do.
"""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError

from yilian.departments import registry


def reconcile(code: str | None, show: int = 50) -> int:
    """Reconcile one department or all: exit 0 when everything agrees, 1 when there are
    differences, 2 when a department could not be reached (or the code is unknown)."""
    from yilian.departments.reconcile import KINDS, run

    codes = list(registry.departments())
    if code is not None and code not in codes:
        print(f"未知部门 unknown department: {code} ({', '.join(codes)})", file=sys.stderr)
        return 2
    unreachable = differences = False
    for each in [code] if code else codes:
        report, _stored = run(each)
        name = registry.get(each).name_zh
        if not report.reachable:
            unreachable = True
            print(f"{each} {name}: 无法连接部门系统 could not be reached — {report.error}")
            continue
        head = (f"{each} {name}: {report.steps} 个事项 steps, {report.effects} 条部门记录 "
                f"effects")
        if report.by_hand:
            head += f", {report.by_hand} 个人工办结 done by hand"
        if report.agrees:
            print(f"{head} — 一致 agree")
            continue
        differences = True
        counts = ", ".join(f"{zh} {en} {report.count(kind)}"
                           for kind, (zh, en) in KINDS.items() if report.count(kind))
        print(f"{head} — {counts}")
        for difference in report.differences[:show]:
            zh, en = KINDS[difference.kind]
            note_zh, note_en = difference.describe()
            refs = " ".join(part for part in (
                f"step={difference.step_reference}" if difference.step_reference else "",
                f"department={difference.effect_reference}"
                if difference.effect_reference else "") if part)
            print(f"  {zh} {en}  key={difference.key} {refs}\n      {note_zh} / {note_en}")
        if len(report.differences) > show:
            print(f"  … 另有 {len(report.differences) - show} 处 and more (--show N)")
    return 2 if unreachable else 1 if differences else 0


def simulate(latency_ms: str | None, failure_rate: float | None, outages: str | None,
             reset: bool) -> int:
    """Change the in-process simulators' settings while Yilian runs; print them."""
    from django.conf import settings

    from yilian.departments.models import SimulatorSettings

    row = SimulatorSettings.objects.filter(pk=1).first() or SimulatorSettings()
    if reset:
        row.latency_ms = row.failure_rate = row.outages = None
    for name, value in (("latency_ms", latency_ms), ("failure_rate", failure_rate),
                        ("outages", outages)):
        if value is not None:
            setattr(row, name, value)
    try:
        row.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            print(f"--{field.replace('_', '-')}: {' '.join(messages)}", file=sys.stderr)
        return 1
    if reset or any(v is not None for v in (latency_ms, failure_rate, outages)):
        row.save()
    print("模拟器设置 simulator settings (空 = 环境变量 empty = from the environment):")
    for name, variable in (("latency_ms", "YILIAN_SIM_LATENCY_MS"),
                           ("failure_rate", "YILIAN_SIM_FAILURE_RATE"),
                           ("outages", "YILIAN_SIM_OUTAGES")):
        value = getattr(row, name)
        shown = repr(value) if value is not None else \
            f"{settings.SIMULATOR.get(name)!r} ({variable})"
        print(f"  {name.replace('_', '-')}: {shown}")
    return 0
