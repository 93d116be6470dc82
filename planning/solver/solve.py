"""The planner's entry points: the baseline first (always valid), then better plans while time remains.

Candidates: the order-by-order baseline, a cost-aware greedy, and, where the network is small enough to model
whole, the daily batch model solved with HiGHS and timed exactly. The cheapest candidate is returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from planning.solver.baseline import (
    OutOfTime,
    priority_sequence,
    promise_in_sequence,
    solve_baseline_candidate,
)
from planning.solver.contract import Snapshot, parse_snapshot
from planning.solver.extract import time_solution
from planning.solver.model import build, estimated_size, solve_model
from planning.solver.plan import Candidate, opening_holding, to_plan

Progress = Callable[[str, float], None]
MODEL_SIZE_LIMIT = 400_000
# HiGHS checks its time limit only between phases (a round of root cuts on 50k variables ran 6 s past it), so
# the model is tried only when its estimated size leaves it well inside the time left
MODEL_VARIABLES_PER_SECOND = 2_000


def safety_margin(time_limit_s: float) -> float:
    """Seconds kept back from the time limit for writing the plan (and the clock's jitter)."""
    return min(2.0, 0.3 + 0.05 * time_limit_s)


def solve_baseline(snapshot: dict) -> dict:
    """The order-by-order plan (the yardstick)."""
    started = time.monotonic()
    snap = parse_snapshot(snapshot)
    best = solve_baseline_candidate(snap)
    return to_plan(snap, best, _report("heuristic", best.cost, None, started))


def solve(snapshot: dict, *, time_limit_s: float = 60.0, progress: Progress | None = None) -> dict:
    """Plan the whole batch within `time_limit_s`: always a valid plan, the cheapest found, and a bound.

    The baseline comes first (a valid plan, and the yardstick never to exceed); then the cost-aware greedy if
    it can finish in time; then, for networks small enough, the batch model with the time that is left. The
    baseline keeps pace with the limit (fewer alternatives per line when behind; past it, the orders left are
    unconfirmed), so that the plan is written within `time_limit_s`."""
    started = time.monotonic()
    deadline = started + time_limit_s - safety_margin(time_limit_s)
    snap = parse_snapshot(snapshot)
    best = solve_baseline_candidate(snap, progress, deadline=deadline)
    baseline_seconds = time.monotonic() - started
    _tell(progress, f"baseline cost {best.cost:.2f}", best.cost)
    if deadline - time.monotonic() > 0.3 * baseline_seconds:
        try:
            found = promise_in_sequence(
                snap,
                priority_sequence(snap),
                cost_aware=True,
                name="cost-aware greedy",
                deadline=deadline,
                progress=progress,
            )
            _tell(progress, f"cost-aware greedy cost {found.cost:.2f}", found.cost)
            best = min(best, found, key=lambda c: c.cost)
        except OutOfTime:
            _tell(progress, "cost-aware greedy stopped at the time limit", best.cost)
    status, bound = "heuristic", None
    left = deadline - time.monotonic()
    if left > 2.0 and estimated_size(snap) <= min(MODEL_SIZE_LIMIT, MODEL_VARIABLES_PER_SECOND * left):
        modelled, bound = _batch_model(snap, deadline)
        if modelled is not None:
            _tell(progress, f"batch model cost {modelled.cost:.2f}", modelled.cost)
            best = min(best, modelled, key=lambda c: c.cost)
        status = _status(best.cost, bound)
    return to_plan(snap, best, _report(status, best.cost, bound, started))


def _status(cost: float, bound: float | None) -> str:
    """`optimal` when the bound proves the plan's cost (within 0.01%), else `feasible` (a bound exists)."""
    if bound is None:
        return "heuristic"
    return "optimal" if cost <= bound + 1e-4 * abs(bound) + 1e-6 else "feasible"


def _batch_model(snap: Snapshot, deadline: float) -> tuple[Candidate | None, float | None]:
    """Build and solve the daily model within the deadline (leaving time to time it exactly)."""
    built = time.monotonic()
    model = build(snap)
    build_seconds = time.monotonic() - built
    remaining = deadline - time.monotonic() - max(0.3, build_seconds)
    if remaining <= 0.5:
        return None, None
    solution = solve_model(model, remaining)
    if solution is None:
        return None, None
    bound = solution.bound + opening_holding(snap)
    return time_solution(snap, solution), bound


def _tell(progress: Progress | None, message: str, cost: float) -> None:
    if progress is not None:
        progress(message, cost)


def _report(status: str, objective: float, bound: float | None, started: float) -> dict:
    return {
        "status": status,
        "objective": round(objective, 6),
        "bound": None if bound is None else round(bound, 6),
        "seconds": round(time.monotonic() - started, 3),
    }
