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
from planning.solver.parallel import BIG_SHARE, INLINE_WORK, run_parts
from planning.solver.part import Progress, plan_part, report, safety_margin, status_of
from planning.solver.plan import to_plan

FIRST_ROUND = 0.5  # of a batch's time for every part; the rest for the parts with the most at stake
MIN_SECOND_S = 2.0  # the least worker-seconds worth giving a part in the second round
MAX_ROUNDS = 4  # rounds after the first, at most


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
    # (a batch dominated by one big part gives it the whole time: its first pass must finish; so does an
    # executor of its own, a cluster, whose fallbacks for lost workers need the time)
    many = len(parts) > 1 and max(sizes) <= BIG_SHARE * sum(sizes) and executor is None
    first = started + (deadline - started) * FIRST_ROUND if many else deadline
    plan_parts = executor or partial(run_parts, workers=workers)
    extra = {}
    if executor is None and len(parts) < workers:
        # cores the parts leave idle prove the biggest parts' bounds, beside them, with all the time
        biggest = sorted(range(len(parts)), key=sizes.__getitem__, reverse=True)[: workers - len(parts)]
        extra["separate_bounds"] = frozenset(i for i in biggest if sizes[i] > INLINE_WORK)
    plans = plan_parts(
        parts,
        sizes=sizes,
        deadline=first,
        progress=progress,
        warm_starts=None if warm_start is None else [plan_of_part(warm_start, part) for part in parts],
        **extra,
    )
    rounds = 0
    while len(parts) > 1 and rounds < MAX_ROUNDS and (deadline - time.monotonic()) * workers >= MIN_SECOND_S:
        # further rounds while time is left: a round's parts may end early (proven optimal, or their search
        # out of sequences), and the time they leave goes to the parts then most at stake (eight small
        # networks in 19.2 s: the batch returned at 15.5 s for 729,961-730,206; with more rounds at 17.2 s
        # for 725,227-728,382, against 718,549 for each alone at 20 s)
        again = second_round(parts, plans, deadline, workers, progress, plan_parts)
        if again is plans:
            break
        plans, rounds = again, rounds + 1
    merged = merge(snapshot, plans)
    merged["solver"] = combined_report([plan["solver"] for plan in plans], started)
    return merged


def second_round(
    parts: list[dict],
    plans: list[dict],
    deadline: float,
    workers: int,
    progress: Progress | None,
    plan_parts: Callable[..., list[dict]] | None = None,
) -> list[dict]:
    """The time after the first round for the parts with the most money at stake (cost above bound), each
    from its first plan: a tight network whose unserved orders weigh millions gains more from a minute of the
    model than fifty networks from a second each. Each part keeps the cheaper plan and the higher bound.
    `plan_parts` plans them (`run_parts`' signature, less `workers`; this machine's workers by default)."""
    stakes = {
        i: plan["solver"]["objective"] - (plan["solver"]["bound"] or 0.0)
        for i, plan in enumerate(plans)
        if plan["solver"]["status"] != "optimal"
    }
    seconds = (deadline - time.monotonic()) * workers
    chosen: list[int] = []
    for i in sorted(stakes, key=stakes.get, reverse=True):
        share = seconds * stakes[i] / (sum(stakes[j] for j in chosen) + stakes[i])
        if stakes[i] <= 0 or share < MIN_SECOND_S:
            break
        chosen.append(i)
    if not chosen:
        return plans
    if progress is not None:
        progress(f"second round: {len(chosen)} parts with the most at stake", None)
    top = max(stakes[i] for i in chosen)
    again = (plan_parts or partial(run_parts, workers=workers))(
        [parts[i] for i in chosen],
        sizes=[max(1, round(1e6 * stakes[i] / top)) for i in chosen],
        deadline=deadline,
        progress=progress,
        warm_starts=[plans[i] for i in chosen],
    )
    better = list(plans)
    for i, plan in zip(chosen, again, strict=True):
        bound = max(b for b in (plans[i]["solver"]["bound"], plan["solver"]["bound"]) if b is not None)
        kept = plan if plan["solver"]["objective"] < plans[i]["solver"]["objective"] else plans[i]
        cost = kept["solver"]["objective"]
        kept["solver"].update(bound=bound, status=status_of(cost, bound))
        better[i] = kept
    return better


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
