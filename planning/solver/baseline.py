"""The yardstick: order-by-order promising, priority then requested time, earliest arrival for each line.

For each line it takes stock at the nearest location first, then waits for receipts, then transfers,
production and purchases, whichever arrives first; each order is promised and committed before the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from planning.solver.contract import Order, Snapshot
from planning.solver.ledger import Ledger
from planning.solver.plan import Candidate, candidate
from planning.solver.promise import Promiser


def priority_sequence(snapshot: Snapshot) -> list[Order]:
    """Orders by priority (heaviest weight first), then requested time, then id."""
    return sorted(snapshot.orders, key=lambda o: (-o.weight, o.requested_at, o.id))


HURRIED_TRIALS_PER_LINE = 6


class OutOfTime(Exception):
    """The deadline passed before every order was promised."""


def promise_in_sequence(
    snapshot: Snapshot,
    orders: Sequence[Order],
    *,
    cost_aware: bool,
    name: str,
    deadline: float | None = None,
    hurry_at: float | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> Candidate:
    """Promise `orders` one after another against one ledger; outcomes keep the snapshot's order.

    Raises OutOfTime when `deadline` (a time.monotonic() instant) passes first; after `hurry_at` it tries far
    fewer alternatives per line, so that a plan is ready in time; reports progress every 500 orders."""
    ledger = Ledger.opening(snapshot)
    promiser = Promiser(snapshot, ledger, cost_aware)
    by_id = {}
    for count, order in enumerate(orders):
        now = time.monotonic()
        if deadline is not None and now > deadline:
            raise OutOfTime(name)
        if hurry_at is not None and now > hurry_at:
            promiser.trials_per_line = HURRIED_TRIALS_PER_LINE
        if progress is not None and count % 500 == 0 and count:
            progress(f"{name}: {count} of {len(orders)} orders promised", ledger.cost)
        by_id[order.id] = promiser.promise(order)
    return candidate(snapshot, name, [by_id[order.id] for order in snapshot.orders], ledger)


def solve_baseline_candidate(
    snapshot: Snapshot, progress: Callable[[str, float], None] | None = None, hurry_at: float | None = None
) -> Candidate:
    """The baseline plan; with `hurry_at`, it tries fewer alternatives from that instant on."""
    return promise_in_sequence(
        snapshot,
        priority_sequence(snapshot),
        cost_aware=False,
        name="baseline",
        hurry_at=hurry_at,
        progress=progress,
    )
