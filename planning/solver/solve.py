"""The planner's entry points: `solve(snapshot) -> plan` and the order-by-order `solve_baseline`.

A snapshot is first split into independent parts (`decompose`); each is planned alone (`part.plan_part`:
passes, then the exact model or a neighbourhood search) and the plans are merged, so a batch of many small
networks is planned as well as each network alone, and its bound is the sum of theirs. Parts run in parallel
in worker processes (`parallel`), small ones first, the time shared by size; time a part does not need (it
was proven optimal) goes to the parts still waiting. A single big part runs in a worker too: HiGHS does not
always stop at its time limit, and the planner must.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial

from planning.solver.baseline import solve_baseline_candidate
from planning.solver.contract import parse_snapshot
from planning.solver.decompose import merge, part_size, plan_of_part, split
from planning.solver.parallel import INLINE_WORK, run_parts
from planning.solver.part import Progress, plan_part, report, safety_margin
from planning.solver.plan import to_plan


def solve_baseline(snapshot: dict) -> dict:
    """The order-by-order plan (the yardstick)."""
    started = time.monotonic()
    snap = parse_snapshot(snapshot)
    best = solve_baseline_candidate(snap)
    return to_plan(snap, best, report("heuristic", best.cost, None, started))


def default_workers() -> int:
    """Worker processes for the parts: `TAKT_PLANNER_WORKERS`, else one per core."""
    configured = os.environ.get("TAKT_PLANNER_WORKERS")
    return max(1, int(configured)) if configured else max(1, os.cpu_count() or 1)


def solve(
    snapshot: dict,
    *,
    time_limit_s: float = 60.0,
    progress: Progress | None = None,
    workers: int | None = None,
    warm_start: dict | None = None,
    executor: Callable[..., list[dict]] | None = None,
) -> dict:
    """Plan the whole batch within `time_limit_s`: always a valid plan, the cheapest found, and a bound.
    `warm_start` is the plan in force (an earlier plan document): its decisions are replayed first.
    `executor` plans the parts in place of this machine's worker processes (`run_parts`' signature, less
    `workers`): e.g. on a cluster."""
    started = time.monotonic()
    parts = split(snapshot)
    sizes = [part_size(part) for part in parts]
    workers = default_workers() if workers is None else workers
    if len(parts) == 1 and (workers <= 1 or sizes[0] <= INLINE_WORK):
        plan = plan_part(snapshot, time_limit_s=time_limit_s, progress=progress, warm_start=warm_start)
        plan["solver"]["parts"] = 1
        return plan
    # several parts, or one big enough for a long model solve: in worker processes, so the deadline holds
    # even when HiGHS overruns its time limit (the part then keeps the best plan its worker wrote)
    deadline = started + time_limit_s - safety_margin(time_limit_s)
    plan_parts = executor or partial(run_parts, workers=workers)
    plans = plan_parts(
        parts,
        sizes=sizes,
        deadline=deadline,
        progress=progress,
        warm_starts=None if warm_start is None else [plan_of_part(warm_start, part) for part in parts],
    )
    merged = merge(snapshot, plans)
    merged["solver"] = combined_report([plan["solver"] for plan in plans], started)
    return merged


def combined_report(reports: list[dict], started: float) -> dict:
    """The parts' reports as one: costs and bounds add up; optimal only when every part is."""
    objective = sum(r["objective"] for r in reports)
    bounds = [r["bound"] for r in reports]
    bound = None if any(b is None for b in bounds) else sum(bounds)
    optimal = sum(1 for r in reports if r["status"] == "optimal")
    status = "optimal" if optimal == len(reports) else "heuristic" if bound is None else "feasible"
    combined = report(status, objective, bound, started)
    combined.update(parts=len(reports), optimal_parts=optimal)
    if any("planned_on" in r for r in reports):  # an executor said where each part was planned
        combined["planned_on"] = [r.get("planned_on") for r in reports]
    return combined
