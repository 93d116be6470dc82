"""The yardstick: order-by-order promising, priority then requested time, earliest arrival for each line.

For each line it takes stock at the nearest location first, then waits for receipts, then transfers,
production and purchases, whichever arrives first; each order is promised and committed before the next.
Against a deadline it keeps pace: when the orders left would not be promised in time at the pace so far,
it tries fewer alternatives per line (measured on large-tight at a third of its time: steps to one
alternative per line, or no wider search, leave far more orders unserved than 8 alternatives and the wider
search do).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from planning.solver.contract import Order, Snapshot
from planning.solver.ledger import Ledger
from planning.solver.plan import Candidate, candidate
from planning.solver.promise import OrderOutcome, Promiser, Tactics
from planning.solver.supply import TRIALS_PER_LINE

TRIAL_STEPS = (TRIALS_PER_LINE, 20, 8)  # alternatives per line, from unhurried to hurried
PACE_SAMPLE = 50  # orders promised at one step before its pace is trusted
PACE_WINDOW = 200  # the pace is that of the latest orders (it slows down as the ledger fills)
PACE_SLACK = 0.85  # the orders left should take at most this share of the time left
UNPLANNED = "not planned: the time limit ran out before this order's turn"


def priority_sequence(snapshot: Snapshot) -> list[Order]:
    """Orders by priority (heaviest weight first), then requested time, then id."""
    return sorted(snapshot.orders, key=lambda o: (-o.weight, o.requested_at, o.id))


class OutOfTime(Exception):
    """The deadline passed before every order was promised."""


class Pace:
    """Steps down the alternatives tried per line when the orders left would not be done by `deadline` at
    the pace of the latest ones (the first orders, the heaviest, get the most alternatives)."""

    def __init__(self, promiser: Promiser, total: int, deadline: float | None) -> None:
        self.promiser, self.total, self.deadline = promiser, total, deadline
        self.step, self.stamps = 0, [time.monotonic()]

    def keep(self, done: int, now: float) -> None:
        if self.deadline is None or self.step == len(TRIAL_STEPS) - 1:
            return
        self.stamps.append(now)
        counted = min(len(self.stamps) - 1, PACE_WINDOW)
        if counted < PACE_SAMPLE:
            return
        per_order = (now - self.stamps[-1 - counted]) / counted
        if per_order * (self.total - done) > PACE_SLACK * (self.deadline - now):
            self.step += 1
            self.promiser.trials_per_line = TRIAL_STEPS[self.step]
            self.stamps = [now]


def promise_in_sequence(
    snapshot: Snapshot,
    orders: Sequence[Order],
    tactics: Tactics,
    *,
    name: str,
    deadline: float | None = None,
    must_finish: bool = False,
    progress: Callable[[str, float], None] | None = None,
) -> Candidate:
    """Promise `orders` one after another against one ledger; outcomes keep the snapshot's order.

    Keeps pace with `deadline` (a time.monotonic() instant); when it passes first, raises OutOfTime, or with
    `must_finish` leaves the orders not yet promised unconfirmed; reports progress every 500 orders."""
    ledger = Ledger.opening(snapshot)
    promiser = Promiser(snapshot, ledger, tactics)
    pace = Pace(promiser, len(orders), deadline)
    by_id = {}
    for count, order in enumerate(orders):
        now = time.monotonic()
        if deadline is not None and now > deadline:
            if not must_finish:
                raise OutOfTime(name)
            by_id[order.id] = OrderOutcome(order, None, (), "", UNPLANNED)
            continue
        pace.keep(count, now)
        if progress is not None and count % 500 == 0 and count:
            progress(f"{name}: {count} of {len(orders)} orders promised", ledger.cost)
        by_id[order.id] = promiser.promise(order)
    return candidate(snapshot, name, [by_id[order.id] for order in snapshot.orders], ledger)


def solve_baseline_candidate(
    snapshot: Snapshot, progress: Callable[[str, float], None] | None = None, deadline: float | None = None
) -> Candidate:
    """The baseline plan; with `deadline`, it hurries to be done by then (the orders left: unconfirmed)."""
    return promise_in_sequence(
        snapshot,
        priority_sequence(snapshot),
        Tactics(),
        name="baseline",
        deadline=deadline,
        must_finish=True,
        progress=progress,
    )
