"""The planner's entry points: a valid plan first, then better ones while time remains; the cheapest wins.

Candidates are passes over the orders by priority against one exact-time ledger, with different tactics
(`promise.Tactics`): the order-by-order baseline; a cost-aware greedy; and a stock-saving pass (stock is left
to the open orders near it when they want more than is left, and far-off orders are replenished instead).
The two batch passes also place purchases and production of the same day as one lot (one order cost, one
setup) and search wider for an order they could not promise. The pass likeliest to win goes first, by how
much of the demand stock and receipts cover: stock-saving when little (the tight scenarios), the greedy
otherwise (measured with benchmarks/plan_bench.py). Where the network is small enough to model whole, the
daily batch model is solved with HiGHS and timed exactly.
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
from planning.solver.promise import Tactics

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


PASSES = {
    "baseline": Tactics(),
    "cost-aware greedy": Tactics(cost_aware=True, retry=True, lots=True),
    "stock-saving": Tactics(save_stock=True, retry=True, lots=True),
}
SHORT_COVER = 0.45  # below this share of demand covered by stock and receipts, stock-saving goes first


def stock_cover(snap: Snapshot) -> float:
    """The share of the units ordered that stock and open receipts of the same sku could cover."""
    demand: dict[str, float] = {}
    held: dict[str, float] = {}
    for order in snap.orders:
        for line in order.lines:
            demand[line.sku] = demand.get(line.sku, 0.0) + line.qty
    for (sku, _), qty in snap.stock.items():
        held[sku] = held.get(sku, 0.0) + qty
    for receipt in snap.receipts:
        held[receipt.sku] = held.get(receipt.sku, 0.0) + receipt.qty
    total = sum(demand.values())
    return sum(min(qty, held.get(sku, 0.0)) for sku, qty in demand.items()) / total if total else 1.0


def passes(snap: Snapshot) -> list[str]:
    """The passes in the order to try them: the one likeliest to be cheapest first."""
    if stock_cover(snap) < SHORT_COVER:
        return ["stock-saving", "cost-aware greedy", "baseline"]
    return ["cost-aware greedy", "baseline", "stock-saving"]


def solve(snapshot: dict, *, time_limit_s: float = 60.0, progress: Progress | None = None) -> dict:
    """Plan the whole batch within `time_limit_s`: always a valid plan, the cheapest found, and a bound.

    The first pass keeps pace with the limit (fewer alternatives per line when behind; past it, the orders
    left are unconfirmed), so that a plan is written within `time_limit_s`; the next passes run only if they
    may finish; then, for networks small enough, the batch model with the time that is left."""
    started = time.monotonic()
    deadline = started + time_limit_s - safety_margin(time_limit_s)
    snap = parse_snapshot(snapshot)
    sequence = priority_sequence(snap)
    best: Candidate | None = None
    first_seconds = 0.0
    for step in passes(snap):
        if best is not None and deadline - time.monotonic() < 0.3 * first_seconds:
            break
        began = time.monotonic()
        try:
            found = promise_in_sequence(
                snap,
                sequence,
                PASSES[step],
                name=step,
                deadline=deadline,
                must_finish=best is None,
                progress=progress,
            )
        except OutOfTime:
            _tell(progress, f"{step} stopped at the time limit", best.cost)
            break
        first_seconds = first_seconds or time.monotonic() - began
        _tell(progress, f"{step} cost {found.cost:.2f}", found.cost)
        best = found if best is None or found.cost < best.cost else best
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
