"""An earlier plan caught up to a later start: what it did before the new start is done at the start, and
whatever waited for those goods waits exactly as long, no longer.

A run a few minutes (or hours) after the last one has the last plan as its best start (`warm`), but that
plan's first actions are due before the new run's `plan_start`: a purchase ordered "now" at the last run's
start, a transfer that left then. Shifting them to the new start delays their goods by the same seconds;
an action or a delivery that took those goods the moment they arrived must then wait for them too, and so
on down the chain. Everything else keeps its time. This is done on the exact-time stock lines: each line
that goes below zero has its first shortfall's taker moved to the earliest instant its quantity is there
(`StockLine.earliest_take`), and the taker's own goods move with it. A delivery to a ship-complete order
makes the order's other deliveries wait for it. Capacities per day and the horizon are checked by the
caller (a shift across midnight may not fit): this only makes the stock hold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from planning.solver.contract import Snapshot
from planning.solver.ledger import INFLOW, OUTFLOW, QTY_TOL, Ledger, Production, Purchase, StockLine, Transfer
from planning.solver.peg import Actions
from planning.solver.promise import LineOutcome

CATCH_UP_SECONDS = 5.0  # a replay that does not settle in this time is no start (the passes are)


@dataclass
class _Step:
    """One action or delivery: what it takes at `start`, what it gives at `end` (its duration is fixed)."""

    start: int
    end: int
    takes: tuple[tuple[tuple[str, str], float], ...]
    gives: tuple[tuple[tuple[str, str], float], ...]
    action: object  # the Purchase, Production or Transfer, or (order id, line index, delivery index)

    def events(self) -> list[tuple[tuple[str, str], tuple[int, int, float]]]:
        return [(key, (self.start, OUTFLOW, -qty)) for key, qty in self.takes] + [
            (key, (self.end, INFLOW, qty)) for key, qty in self.gives
        ]


def catch_up(
    snap: Snapshot, actions: Actions, read: dict[str, list[LineOutcome]]
) -> tuple[Actions, dict[str, list[LineOutcome]]] | None:
    """`actions` and the orders' delivered lines (`read`, by order id) moved so that nothing happens before
    `snap.plan_start` and every stock line holds; None if that cannot be done in reasonable time or at all
    (goods that never come)."""
    steps = _steps(snap, actions, read)
    lines = Ledger.opening(snap).lines  # stock on hand and the receipts to come
    owners: dict[tuple, list[int]] = {}
    for i, step in enumerate(steps):
        if step.start < snap.plan_start:
            _delay(step, snap.plan_start - step.start)
        _place(lines, owners, i, step)
    deadline = time.monotonic() + CATCH_UP_SECONDS
    waiting = [key for key, line in lines.items() if line.takeable(-1) < -QTY_TOL]
    while waiting:
        if time.monotonic() > deadline:
            return None
        key = waiting.pop()
        line = lines[key]
        short = _first_shortfall(line)
        if short is None:
            continue
        i = owners[(key, short)][-1]
        step = steps[i]
        _lift(lines, owners, i, step)
        qty = next(q for k, q in step.takes if k == key)
        at = line.earliest_take(qty, step.start)
        if at is None or at <= step.start:
            return None  # the goods never come (or the line is short for another reason)
        _delay(step, at - step.start)
        _place(lines, owners, i, step)
        # (a later take never makes a line short; later goods may, where they go)
        waiting.extend({key, *(k for k, _ in step.gives)})
    _ship_complete_together(snap, steps)
    return _back(steps, read)


def _steps(snap: Snapshot, actions: Actions, read: dict[str, list[LineOutcome]]) -> list[_Step]:
    routes = {(r.resource, r.sku): r for r in snap.routes}
    steps = [
        _Step(p.order_at, p.receive_at, (), (((p.sku, p.location), p.qty),), p) for p in actions.purchases
    ]
    for m in actions.productions:
        route = routes.get((m.resource, m.sku))
        if route is None:
            continue  # the caller's checks refuse the plan
        takes = tuple(((c.sku, route.location), m.qty * c.qty_per) for c in route.components)
        steps.append(_Step(m.start_at, m.end_at, takes, (((m.sku, route.location), m.qty),), m))
    for t in actions.transfers:
        steps.append(
            _Step(t.depart_at, t.arrive_at, (((t.sku, t.origin), t.qty),), (((t.sku, t.to), t.qty),), t)
        )
    for order_id, lines in read.items():
        for j, line in enumerate(lines):
            for k, d in enumerate(line.deliveries):
                takes = (((line.line.sku, d.origin), d.qty),)
                steps.append(_Step(d.depart_at, d.arrive_at, takes, (), (order_id, j, k)))
    return steps


def _delay(step: _Step, seconds: int) -> None:
    step.start += seconds
    step.end += seconds


def _place(lines, owners, i: int, step: _Step) -> None:
    for key, event in step.events():
        lines.setdefault(key, StockLine(0.0)).add(event)
        owners.setdefault((key, event), []).append(i)


def _lift(lines, owners, i: int, step: _Step) -> None:
    for key, event in step.events():
        lines[key].remove(event)
        owners[(key, event)].remove(i)


def _first_shortfall(line: StockLine) -> tuple[int, int, float] | None:
    """The outflow at which the balance first goes below zero (None if it never does)."""
    balance = line.opening
    for event in line.events:
        balance += event[2]
        if balance < -QTY_TOL and event[1] == OUTFLOW:
            return event
    return None


def _ship_complete_together(snap: Snapshot, steps: list[_Step]) -> None:
    """A ship-complete order's deliveries all arrive with its latest one (later is safe: they take later)."""
    complete = {order.id for order in snap.orders if order.ship_complete}
    latest: dict[str, int] = {}
    for step in steps:
        if isinstance(step.action, tuple) and step.action[0] in complete:
            latest[step.action[0]] = max(latest.get(step.action[0], step.end), step.end)
    for step in steps:
        if isinstance(step.action, tuple) and step.action[0] in latest:
            _delay(step, latest[step.action[0]] - step.end)


def _back(
    steps: list[_Step], read: dict[str, list[LineOutcome]]
) -> tuple[Actions, dict[str, list[LineOutcome]]]:
    purchases, productions, transfers = [], [], []
    moved = {
        order_id: [replace(line, deliveries=list(line.deliveries)) for line in lines]
        for order_id, lines in read.items()
    }
    for step in steps:
        a = step.action
        if isinstance(a, Purchase):
            purchases.append(replace(a, order_at=step.start, receive_at=step.end))
        elif isinstance(a, Production):
            productions.append(replace(a, start_at=step.start, end_at=step.end))
        elif isinstance(a, Transfer):
            transfers.append(replace(a, depart_at=step.start, arrive_at=step.end))
        else:
            order_id, j, k = a
            line = moved[order_id][j]
            line.deliveries[k] = replace(line.deliveries[k], depart_at=step.start, arrive_at=step.end)
    return Actions(tuple(purchases), tuple(productions), tuple(transfers)), moved
