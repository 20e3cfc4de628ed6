"""What every network test ends with: each department's own ledger against Yilian's
steps, and reconciliation as an operator runs it."""

from __future__ import annotations

from collections import Counter


def assert_exactly_once(yilian, departments) -> None:
    """Every department acted exactly once per step of Yilian's — the keys of its ledger
    are the idempotency keys of Yilian's steps of that department, no more, no fewer —
    and the reference Yilian recorded is the one the department issued."""
    steps = yilian.steps()
    assert steps, "Yilian has no steps"
    for code, system in departments.items():
        mine = {s["key"]: s for s in steps if s["code"] == code}
        effects = system.effects()
        counts = Counter(e["key"] for e in effects)
        twice = {key: n for key, n in counts.items() if n != 1}
        assert not twice, f"{code} acted more than once for {twice}"
        assert set(counts) == set(mine), (
            f"{code}: ledger keys without a step {set(counts) - set(mine)}, "
            f"steps without an effect {set(mine) - set(counts)}")
        for effect in effects:
            step = mine[effect["key"]]
            assert step["status"] == "done", (code, step)
            assert step["reference"] == effect["reference"], (code, step, effect)


def assert_reconciled(yilian) -> None:
    result = yilian.reconcile()
    assert result.returncode == 0, result.stdout + result.stderr
