"""Planning one network (a part, see `decompose`): a valid plan first, then better ones while time remains.

Candidates are passes over the orders by priority against one exact-time ledger, with different tactics
(`promise.Tactics`): the order-by-order baseline; a cost-aware greedy; and a stock-saving pass (stock is left
to the open orders near it when they want more than is left, and far-off orders are replenished instead).
The two batch passes also place purchases and production of the same day as one lot (one order cost, one
setup) and search wider for an order they could not promise. The pass likeliest to win goes first, by how
much of the demand stock and receipts cover: stock-saving when little (the tight scenarios), the greedy
otherwise (measured with benchmarks/plan_bench.py). Then the best pass runs again over other sequences of
the orders (`sequence`), with most of the time left when a model follows: within seconds it gains far more
than the model (four generated 50-order networks at 20 s: 723,125 with 30% of the time, 600,056 with 60%).
Where the network is small enough to model whole, the daily batch model is solved with HiGHS and timed
exactly; where it is not, a neighbourhood search (`lns`) improves the plan. Last, idle goods roll on the road
where that is cheaper (`rolling`). The bound is the best of the floor (`bound.floor_bound`, at once), the
compact relaxation's and the relaxed model's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from planning.solver.baseline import OutOfTime, priority_sequence, promise_in_sequence
from planning.solver.bound import floor_bound, lower_bound
from planning.solver.contract import Snapshot, parse_snapshot
from planning.solver.extract import time_solution
from planning.solver.ledger import Ledger
from planning.solver.lns import STEP_SECONDS, improve
from planning.solver.model import (
    BOUND_ONLY,
    RELAXED,
    RESTRICTED,
    Solution,
    estimated_size,
    same_in_both_modes,
    ship_window,
)
from planning.solver.model_build import build
from planning.solver.model_solve import hint_from, solve_model, solve_within_lots
from planning.solver.peg import Actions, rebuild
from planning.solver.plan import Candidate, candidate, opening_holding, to_plan
from planning.solver.promise import OrderOutcome, Tactics
from planning.solver.rolling import roll_idle_stock
from planning.solver.sequence import search
from planning.solver.warm import warm_candidates

Progress = Callable[..., None]  # progress(phase, best_cost, bound=..., parts_done=..., parts_total=...)
MODEL_SIZE_LIMIT = 400_000
# HiGHS checks its time limit only between phases (a round of root cuts on 50k variables ran 6 s past it), so
# the model is tried only when its estimated size leaves it well inside the time left (a model of 16k
# variables, 15 orders over 60 days, is built in 0.3 s and within 0.2% of its optimum in 6 s)
MODEL_VARIABLES_PER_SECOND = 20_000


MIN_MODEL_S = 0.05  # the least time worth a model (a tiny part's model solves in milliseconds)
BOUND_SHARE = 0.25  # of the time left after the passes, at most, for the compact relaxation's bound
PLAN_SHARE = 0.4  # of the model's time, for the plan (restricted model); the rest for the bound (relaxed)
LOTS_SHARE = 0.3  # of the plan's model time, at most, with the best plan's lots kept (`solve_within_lots`)
SEARCH_SHARE = 0.6  # of the time left after the passes, for the sequence search, when a model follows
MIN_SEARCH_SHARE = 0.1  # ... at least (its first sequences mend a pass's gross misses: unserved orders)
MODEL_ROOM = 3.0  # the model's expected time (`MODEL_VARIABLES_PER_SECOND`) kept for it, times this


def safety_margin(time_limit_s: float) -> float:
    """Seconds kept back from the time limit for writing the plan (and the clock's jitter)."""
    return min(2.0, 0.3 + 0.05 * time_limit_s)


PASSES = {
    "baseline": Tactics(),
    "cost-aware greedy": Tactics(cost_aware=True, retry=True, lots=True, top_up=True),
    "stock-saving": Tactics(save_stock=True, retry=True, lots=True, top_up=True),
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


def plan_part(
    snapshot: dict,
    *,
    time_limit_s: float = 60.0,
    progress: Progress | None = None,
    warm_start: dict | None = None,
    better_plan: Callable[[dict], None] | None = None,
    bound_elsewhere: bool = False,
) -> dict:
    """Plan one network within `time_limit_s`: always a valid plan, the cheapest found, and a bound
    (`better_plan` is handed each better valid plan as soon as it is found, the first as soon as there is
    one: what a caller falls back on if this call does not return in time). `bound_elsewhere`: another
    process proves the bound (`bound_part`), so every second here goes to the plan (the bound is the floor).

    The first pass keeps pace with the limit (fewer alternatives per line when behind; past it, the orders
    left are unconfirmed), so that a plan is written within `time_limit_s`; the next passes run only if they
    may finish; then, for networks small enough, the batch model with the time that is left."""
    started = time.monotonic()
    deadline = started + time_limit_s - safety_margin(time_limit_s)
    snap = parse_snapshot(snapshot)
    sequence = priority_sequence(snap)
    floor = floor_bound(snap)  # a bound at once, whatever the size (the others may not come in time)
    best: Candidate | None = None
    if warm_start is not None:
        for found in warm_candidates(snap, warm_start):
            best = found if best is None or found.cost < best.cost else best
        if best is not None:
            _tell(progress, f"plan in force replayed: cost {best.cost:.2f}", best.cost, bound=floor)
            _hand_over(better_plan, snap, best, started, floor)
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
        if best is None or found.cost < best.cost:
            best = found
            _hand_over(better_plan, snap, best, started, floor)
        _tell(progress, f"{step} cost {found.cost:.2f}", best.cost, bound=floor)
    bound = floor
    left = deadline - time.monotonic()
    size = estimated_size(snap)
    modelled = left > MIN_MODEL_S and size <= min(MODEL_SIZE_LIMIT, MODEL_VARIABLES_PER_SECOND * left)
    searched = not modelled and left > 2 * STEP_SECONDS[0]
    same = modelled and same_in_both_modes(snap)  # (only a model needs to know: not on every big network)
    if modelled and not same and not bound_elsewhere:
        # the compact relaxation's bound while there is time for it: a part in a big batch has seconds,
        # and the search may leave too little for it afterwards
        bound = _compact_bound(snap, best, left * BOUND_SHARE, started, progress, better_plan, floor)
        left = deadline - time.monotonic()
    until = time.monotonic() + _search_time(
        left, size / MODEL_VARIABLES_PER_SECOND if modelled else None, searched
    )
    best, sequence = _search_sequences(snap, best, sequence, until, started, progress, better_plan, floor)
    left = deadline - time.monotonic()
    if modelled and size <= MODEL_VARIABLES_PER_SECOND * left:
        # the model (after the compact relaxation's bound, above: quick, and the daily MIP may not prove
        # one in its time); the bound is the better of the two (both are lower bounds)
        _tell(progress, f"batch model: solving from cost {best.cost:.2f}", best.cost, bound=bound)
        expected = size / MODEL_VARIABLES_PER_SECOND
        best, proved = _batch_model(snap, best, deadline, expected, same, plan_only=bound_elsewhere)
        bound = bound if proved is None else max(bound, proved)
        _tell(progress, f"batch model cost {best.cost:.2f}", best.cost, bound=bound)
        _hand_over(better_plan, snap, best, started, bound)
    elif searched:
        # too big for one model: a bound from the compact relaxation, then the neighbourhood search
        if not bound_elsewhere:
            bound = _compact_bound(snap, best, left * BOUND_SHARE, started, progress, better_plan, floor)
        best = improve(snap, best, deadline, progress=progress)
    if status_of(best.cost, bound) != "optimal":
        # time the model did not take (it stopped early, or would not fit in what was left): the search again
        best, _ = _search_sequences(
            snap, best, sequence, deadline, started, progress, better_plan, bound, seed=1
        )
    best = one_order_per_key(snap, roll_idle_stock(snap, best))
    return to_plan(snap, best, report(status_of(best.cost, bound), best.cost, bound, started))


def bound_part(
    snapshot: dict, *, time_limit_s: float, better_bound: Callable[[float], None] | None = None
) -> float:
    """A part's lower bound with all of `time_limit_s`, in a process of its own beside `plan_part(...,
    bound_elsewhere=True)` on an otherwise idle core: the best of the floor, the compact relaxation's LP
    and, where the daily model fits in the time left, the relaxed model's MIP bound. (Where the two modes
    are one model, the plan's own solve proves its bound: the compact relaxation only, here.) `better_bound`
    is handed each better bound as soon as it is proved (HiGHS may overrun its time limit: a caller keeps
    what came)."""
    started = time.monotonic()
    deadline = started + time_limit_s - safety_margin(time_limit_s)
    snap = parse_snapshot(snapshot)
    bound = floor_bound(snap)
    compact = lower_bound(snap, deadline - time.monotonic())
    if compact is not None and compact > bound:
        bound = compact
        if better_bound is not None:
            better_bound(bound)
    left = deadline - time.monotonic()
    fits = estimated_size(snap) <= min(MODEL_SIZE_LIMIT, MODEL_VARIABLES_PER_SECOND * left)
    if fits and not same_in_both_modes(snap):
        solution = solve_model(build(snap, RELAXED), deadline - time.monotonic())
        if solution is not None and math.isfinite(solution.bound):
            bound = max(bound, solution.bound + opening_holding(snap))
    return bound


def one_order_per_key(snap: Snapshot, best: Candidate) -> Candidate:
    """`best` with its purchase orders of the same supplier, sku, location and times as one, and its
    production orders of the same line, sku and times as one (one order cost, one setup), when that is
    cheaper: a ledger placed without lots (the baseline's, a model solution timed exactly) can hold two, and
    the contract charges each. (Seen: a 30-order network's plan with two identical production orders, one
    setup too many, 180 dearer than the same plan read back.)"""
    if best.ledger.lots:
        return best  # merged as it is written
    ledger = best.ledger
    actions = Actions(tuple(ledger.purchases), tuple(ledger.productions), tuple(ledger.transfers))
    merged = rebuild(snap, actions, list(best.outcomes), best.name)
    return merged if merged.cost < best.cost - 1e-6 else best


def unplanned(snapshot: dict, reason: str) -> dict:
    """A plan that promises nothing and buys nothing (valid for any snapshot): every order unconfirmed."""
    started = time.monotonic()
    snap = parse_snapshot(snapshot)
    outcomes = [OrderOutcome(order, None, (), "", reason) for order in snap.orders]
    found = candidate(snap, "unplanned", outcomes, Ledger.opening(snap))
    return to_plan(snap, found, report("heuristic", found.cost, None, started))


def _search_time(left: float, model_s: float | None, searched: bool) -> float:
    """Seconds for the sequence search before the model (`model_s`: its expected time, None if no model
    follows) or the neighbourhood search: SEARCH_SHARE of what is left, but never so much that the model
    gets less than MODEL_ROOM times its expected time, nor less than MIN_SEARCH_SHARE. (Small networks in a
    big batch have a second or two: with 60% of it for the search, the model did not fit in the rest, and one
    27-order network kept a plan 37% dearer than the model finds in that second. Eight generated networks
    of 12-30 orders at 2.4 s each: 1.063 of their cost at 20 s (geometric mean), 1.028 with the model
    given its room; four 50-order networks at 6 s: 1.039 of the best plan found, 1.021. At 20 s and more
    the rule changes nothing: SEARCH_SHARE leaves the model its room.)"""
    if model_s is None:
        return left * (SEARCH_SHARE if searched else 1.0)
    return max(left * MIN_SEARCH_SHARE, min(left * SEARCH_SHARE, left - MODEL_ROOM * model_s))


def status_of(cost: float, bound: float | None) -> str:
    """`optimal` when the bound proves the plan's cost (within 0.01%), else `feasible` (a bound exists)."""
    if bound is None:
        return "heuristic"
    return "optimal" if cost <= bound + 1e-4 * abs(bound) + 1e-6 else "feasible"


def _search_sequences(
    snap: Snapshot,
    best: Candidate,
    sequence: list,
    until: float,
    started: float,
    progress: Progress | None,
    better_plan: Callable[[dict], None] | None,
    bound: float,
    seed: int = 0,
) -> tuple[Candidate, list]:
    """The best pass again over other order sequences until `until` (`sequence.search`): the best plan and
    the sequence to go on from."""
    if until - time.monotonic() <= MIN_MODEL_S:
        return best, sequence
    name = best.name if best.name in PASSES else passes(snap)[0]
    _tell(progress, f"sequence search from cost {best.cost:.2f}", best.cost, bound=bound)
    found, sequence, tried = search(snap, best, sequence, PASSES[name], until, seed=seed)
    _tell(progress, f"sequence search: {tried} sequences, cost {found.cost:.2f}", found.cost, bound=bound)
    if found is not best:
        _hand_over(better_plan, snap, found, started, bound)
    return found, sequence


def _compact_bound(
    snap: Snapshot,
    best: Candidate,
    seconds: float,
    started: float,
    progress: Progress | None,
    better_plan: Callable[[dict], None] | None,
    floor: float,
) -> float:
    """The better of the compact relaxation's bound (`bound.lower_bound`) and the floor, told and handed
    over with the best plan."""
    _tell(progress, "bounding: the compact relaxation", best.cost, bound=floor)
    compact = lower_bound(snap, seconds)
    if compact is None or compact <= floor:
        return floor
    _tell(progress, "bound of the compact relaxation", best.cost, bound=compact)
    _hand_over(better_plan, snap, best, started, compact)
    return compact


def _batch_model(
    snap: Snapshot,
    best: Candidate,
    deadline: float,
    expected_s: float,
    same: bool,
    plan_only: bool = False,
) -> tuple[Candidate, float | None]:
    """The daily model within the deadline, from the best plan so far: the restricted model for a plan that
    can be timed exactly (first with the best plan's purchase orders and setups kept, `solve_within_lots`,
    then whole), then the relaxed one for a true bound (and perhaps a better plan); where the two are one
    model (`same`, and no lane was left out of it), it is solved once for both, and whole.
    `plan_only`: the restricted model alone, with all the time (the bound is proved elsewhere)."""
    bound = None
    for mode in (RESTRICTED,) if plan_only and not same else (RESTRICTED, RELAXED):
        built = time.monotonic()
        # (where the two modes are one model, it is solved once for the plan and the bound: no window)
        window = ship_window(snap, best.outcomes) if mode == RESTRICTED and not same else None
        model = build(snap, mode, last_ship_day=window)
        # (kept back: about the build's time again, for timing the solution exactly)
        remaining = deadline - time.monotonic() - max(MIN_MODEL_S, time.monotonic() - built)
        proves = mode == RELAXED or (same and not model.pruned)
        alone = proves or plan_only
        share = remaining if alone else remaining * PLAN_SHARE
        if share <= max(MIN_MODEL_S, expected_s / 2):
            break
        start = None
        if mode == RESTRICTED and not proves:
            # (where the plan's model is the exact one, it proves the bound too: all its time for that)
            began = time.monotonic()
            hint = hint_from(model, best.ledger, best.outcomes)
            start = solve_within_lots(model, share * LOTS_SHARE, hint)
            best = _better(snap, best, start)
            share -= time.monotonic() - began
            if share <= MIN_MODEL_S and not proves:
                break
            start = start if start is not None and start.values is not None else None
        # the whole model from the plan around the best plan's lots, when there is one
        solution = solve_model(model, share, start=start)
        if solution is not None:
            if proves:
                bound = solution.bound + opening_holding(snap)
            best = _better(snap, best, solution)
        if alone:
            break
    return best, bound


def _better(snap: Snapshot, best: Candidate, solution: Solution | None) -> Candidate:
    """The model's solution timed exactly, when it is cheaper than `best`."""
    if solution is None or solution.status == BOUND_ONLY:
        return best
    timed = time_solution(snap, solution)
    return timed if timed is not None and timed.cost < best.cost else best


def _hand_over(
    better_plan: Callable[[dict], None] | None,
    snap: Snapshot,
    found: Candidate,
    started: float,
    bound: float | None = None,
) -> None:
    if better_plan is not None:
        better_plan(to_plan(snap, found, report(status_of(found.cost, bound), found.cost, bound, started)))


def _tell(progress: Progress | None, message: str, cost: float, **details) -> None:
    if progress is not None:
        progress(message, cost, **details)


def report(status: str, objective: float, bound: float | None, started: float) -> dict:
    return {
        "status": status,
        "objective": round(objective, 6),
        "bound": None if bound is None else round(bound, 6),
        "seconds": round(time.monotonic() - started, 3),
    }
