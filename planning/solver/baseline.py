"""The yardstick: order-by-order promising, priority then requested time, earliest arrival for each line.

For each line it takes stock at the nearest location first, then waits for receipts, then transfers,
production and purchases, whichever arrives first; each order is promised and committed before the next.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from planning.solver.contract import Order, Snapshot
from planning.solver.ledger import Ledger
from planning.solver.plan import Candidate, candidate
from planning.solver.promise import Promiser


def priority_sequence(snapshot: Snapshot) -> list[Order]:
    """Orders by priority (heaviest weight first), then requested time, then id."""
    return sorted(snapshot.orders, key=lambda o: (-o.weight, o.requested_at, o.id))


class OutOfTime(Exception):
    """The deadline passed before every order was promised."""


def promise_in_sequence(
    snapshot: Snapshot, orders: Iterable[Order], *, cost_aware: bool, name: str, deadline: float | None = None
) -> Candidate:
    """Promise `orders` one after another against one ledger; outcomes keep the snapshot's order.

    Raises OutOfTime when `deadline` (a time.monotonic() instant) passes first."""
    ledger = Ledger.opening(snapshot)
    promiser = Promiser(snapshot, ledger, cost_aware)
    by_id = {}
    for count, order in enumerate(orders):
        if deadline is not None and count % 50 == 0 and time.monotonic() > deadline:
            raise OutOfTime(name)
        by_id[order.id] = promiser.promise(order)
    return candidate(snapshot, name, [by_id[order.id] for order in snapshot.orders], ledger)


def solve_baseline_candidate(snapshot: Snapshot) -> Candidate:
    return promise_in_sequence(snapshot, priority_sequence(snapshot), cost_aware=False, name="baseline")
