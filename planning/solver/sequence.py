"""Searching the order sequence: the passes again and again, each time with the orders in another sequence.

A pass promises orders one by one (`baseline.promise_in_sequence`): whoever comes first takes the nearest
stock, the free line hours and the lane's room, so the sequence decides much of the plan. Priority order is
a good first sequence but not the best one: a low-priority order that one unit of stock would serve on time
may be served late because a heavier order took that unit where another source would have done as well.
This is an iterated greedy: from the best sequence so far, move a few orders — mostly those the best plan
serves late, leaves unserved or breaks a promise to, the dearer the likelier — to an earlier place, now and
then one served on time to a later one, run the best pass again, and keep the sequence when its plan is
cheaper. A pass over 50 orders takes some 30 ms, so a few seconds try a hundred sequences: where a part
has only seconds (a batch of many networks on two cores), the daily model would not even finish its root
node there, while the search improves on the passes at once; with minutes, the model still comes after it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from planning.solver.baseline import OutOfTime, promise_in_sequence
from planning.solver.contract import Order, Snapshot
from planning.solver.plan import Candidate, service_cost
from planning.solver.promise import Tactics

MOVES = (1, 2, 3, 5)  # orders moved in one step, drawn at random
LATER_SHARE = 0.2  # of the moves, one order served on time moved later (it may leave its stock to another)
STALL = 100  # sequences tried in a row without a cheaper plan (at least; twice the orders if more) to stop


def search(
    snap: Snapshot,
    best: Candidate,
    sequence: Sequence[Order],
    tactics: Tactics,
    deadline: float,
    *,
    seed: int = 0,
) -> tuple[Candidate, list[Order], int]:
    """The cheapest plan found by passes over perturbed sequences until `deadline`, or until many in a row
    found nothing cheaper (`best`, the plan of `sequence`, if none is), its sequence, and how many sequences
    were tried."""
    rng = random.Random(seed)
    current = list(sequence)
    tried = since_better = 0
    patience = max(STALL, 2 * len(current))
    cost = service_costs(snap, best)
    while time.monotonic() < deadline and len(current) > 1 and since_better < patience:
        trial = perturb(current, cost, rng)
        try:
            found = promise_in_sequence(snap, trial, tactics, name=best.name, deadline=deadline)
        except OutOfTime:
            break
        tried += 1
        since_better += 1
        if found.cost < best.cost - 1e-9 * max(1.0, abs(best.cost)):
            best, current, since_better = found, trial, 0
            cost = service_costs(snap, best)
    return best, current, tried


def service_costs(snap: Snapshot, plan: Candidate) -> dict[str, float]:
    """Each order's lateness, unserved and broken-promise cost in `plan`, by order id."""
    return {outcome.order.id: service_cost(snap, outcome) for outcome in plan.outcomes}


def perturb(sequence: list[Order], cost: dict[str, float], rng: random.Random) -> list[Order]:
    """`sequence` with a few orders moved: troubled ones (by their service `cost` in the best plan) earlier,
    now and then one without trouble later."""
    trial = list(sequence)
    for _ in range(rng.choice(MOVES)):
        position = {order.id: i for i, order in enumerate(trial)}
        troubled = [order for order in trial if cost[order.id] > 0]
        if troubled and rng.random() >= LATER_SHARE:
            order = rng.choices(troubled, weights=[cost[o.id] for o in troubled])[0]
            i = position[order.id]
            j = rng.randrange(0, i + 1)
        else:
            order = rng.choice(trial)
            i = position[order.id]
            j = rng.randrange(i, len(trial))
        trial.insert(j, trial.pop(i))
    return trial
