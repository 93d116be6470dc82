"""The planner's entry points: the baseline, then better plans while time remains; the cheapest is returned."""

from __future__ import annotations

import time
from collections.abc import Callable

from planning.solver.baseline import priority_sequence, promise_in_sequence, solve_baseline_candidate
from planning.solver.contract import Snapshot, parse_snapshot
from planning.solver.plan import Candidate, to_plan

Progress = Callable[[str, float], None]


def solve_baseline(snapshot: dict) -> dict:
    """The order-by-order plan (the yardstick)."""
    started = time.monotonic()
    snap = parse_snapshot(snapshot)
    best = solve_baseline_candidate(snap)
    return to_plan(snap, best, _report("heuristic", best.cost, None, started))


def solve(snapshot: dict, *, time_limit_s: float = 60.0, progress: Progress | None = None) -> dict:
    """Plan the whole batch within `time_limit_s`: always a valid plan, the cheapest found."""
    started = time.monotonic()
    snap = parse_snapshot(snapshot)
    best = solve_baseline_candidate(snap)
    _tell(progress, f"baseline cost {best.cost:.2f}", best.cost)
    for builder in _improvers():
        if time.monotonic() - started > time_limit_s * 0.5:
            break
        found = builder(snap)
        _tell(progress, f"{found.name} cost {found.cost:.2f}", found.cost)
        if found.cost < best.cost - 1e-6:
            best = found
    return to_plan(snap, best, _report("heuristic", best.cost, None, started))


def _improvers() -> list[Callable[[Snapshot], Candidate]]:
    def cost_aware(snap: Snapshot) -> Candidate:
        return promise_in_sequence(snap, priority_sequence(snap), cost_aware=True, name="cost-aware greedy")
    return [cost_aware]


def _tell(progress: Progress | None, message: str, cost: float) -> None:
    if progress is not None:
        progress(message, cost)


def _report(status: str, objective: float, bound: float | None, started: float) -> dict:
    return {"status": status, "objective": round(objective, 6), "bound": None if bound is None else round(bound, 6),
            "seconds": round(time.monotonic() - started, 3)}
