"""What serves what in a plan, and a plan rebuilt from its parts: the ground of the neighbourhood search.

`peg` replays each (sku, location) of a plan in time order and pegs every outflow (a delivery, a transfer
out, a production order's components) to the inflows it takes, first in, first out (opening stock and
receipts first). `free` then frees a set of orders and, closing over the pegs, every supply action whose
goods go only to what is freed — so that what stays fixed is a valid plan on its own: each fixed outflow
still has the fixed inflows it was pegged to. `rebuild` turns supply actions and order outcomes into a
candidate with its exact cost, the same way whatever produced them.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from planning.solver.contract import Snapshot
from planning.solver.ledger import QTY_TOL, Ledger, Production, Purchase, Transfer
from planning.solver.plan import Candidate, candidate
from planning.solver.promise import OrderOutcome


@dataclass(frozen=True)
class Actions:
    """Supply actions of a plan (each purchase and production order once, lots already merged)."""

    purchases: tuple[Purchase, ...]
    productions: tuple[Production, ...]
    transfers: tuple[Transfer, ...]

    @classmethod
    def of(cls, ledger: Ledger) -> Actions:
        purchases, productions = ledger.merged()
        return cls(tuple(purchases), tuple(productions), tuple(ledger.transfers))

    def merged(self) -> tuple[list[Purchase], list[Production]]:
        return list(self.purchases), list(self.productions)


def rebuild(snap: Snapshot, actions: Actions, outcomes: list[OrderOutcome], name: str) -> Candidate:
    """A candidate from supply actions and order outcomes, costed exactly (purchase and production orders
    with the same key are one order: one order cost, one setup)."""
    ledger = ledger_of(snap, actions, outcomes)
    return candidate(snap, name, outcomes, ledger)


def ledger_of(snap: Snapshot, actions: Actions, outcomes: list[OrderOutcome]) -> Ledger:
    """A ledger holding the actions and the deliveries of the outcomes, with their stock moves, capacity
    use and cost."""
    ledger = Ledger.opening(snap)
    offers = {(o.supplier, o.sku, o.location): o for o in snap.offers}
    routes = {(r.resource, r.sku): r for r in snap.routes}
    lanes = {(lane.origin, lane.to, lane.mode): lane for lane in snap.lanes}
    purchases, productions = _merge(actions.purchases, actions.productions)
    for p in purchases:
        offer = offers[(p.supplier, p.sku, p.location)]
        ledger.record(p)
        ledger.move(p.sku, p.location, p.receive_at, p.qty)
        ledger.load(("offer", p.supplier, p.sku, p.location), p.receive_at, p.qty)
        ledger.spend(p.qty * offer.unit_cost + offer.order_cost)
    for m in productions:
        route = routes[(m.resource, m.sku)]
        ledger.record(m)
        for comp in route.components:
            ledger.move(comp.sku, route.location, m.start_at, -m.qty * comp.qty_per)
        ledger.move(m.sku, route.location, m.end_at, m.qty)
        ledger.load(("resource", m.resource), m.start_at, m.qty * route.hours_per_unit + route.setup_hours)
        ledger.spend(m.qty * route.unit_cost + route.setup_cost)
    for t in actions.transfers:
        lane = lanes[(t.origin, t.to, t.mode)]
        ledger.record(t)
        ledger.move(t.sku, t.origin, t.depart_at, -t.qty)
        ledger.move(t.sku, t.to, t.arrive_at, t.qty)
        ledger.load(("lane", t.origin, t.to, t.mode), t.depart_at, t.qty)
        ledger.spend(t.qty * lane.unit_cost)
    for outcome in outcomes:
        for line in outcome.lines:
            for d in line.deliveries:
                lane = lanes[(d.origin, outcome.order.region, d.mode)]
                ledger.move(line.line.sku, d.origin, d.depart_at, -d.qty)
                ledger.load(("lane", d.origin, outcome.order.region, d.mode), d.depart_at, d.qty)
                ledger.spend(d.qty * lane.unit_cost)
    ledger.journal.clear()
    return ledger


def _merge(purchases, productions) -> tuple[list[Purchase], list[Production]]:
    merged = Ledger.__new__(Ledger)
    merged.lots, merged.purchases, merged.productions = True, list(purchases), list(productions)
    return merged.merged()


@dataclass
class Pegs:
    """Who takes from whom: for each supply action (("buy", i), ("make", i), ("move", i)), what takes its
    goods (the same keys, or ("order", o)); and what each action takes."""

    takers: dict[tuple, set[tuple]]
    takes: dict[tuple, set[tuple]]


def peg(snap: Snapshot, actions: Actions, outcomes: list[OrderOutcome]) -> Pegs:
    """Peg every outflow of the plan to the inflows it takes, first in, first out."""
    events: dict[tuple[str, str], list] = defaultdict(list)
    routes = {(r.resource, r.sku): r for r in snap.routes}
    for i, p in enumerate(actions.purchases):
        events[(p.sku, p.location)].append((p.receive_at, 0, p.qty, ("buy", i)))
    for i, m in enumerate(actions.productions):
        route = routes[(m.resource, m.sku)]
        events[(m.sku, route.location)].append((m.end_at, 0, m.qty, ("make", i)))
        for comp in route.components:
            events[(comp.sku, route.location)].append((m.start_at, 1, m.qty * comp.qty_per, ("make", i)))
    for i, t in enumerate(actions.transfers):
        events[(t.sku, t.to)].append((t.arrive_at, 0, t.qty, ("move", i)))
        events[(t.sku, t.origin)].append((t.depart_at, 1, t.qty, ("move", i)))
    for o, outcome in enumerate(outcomes):
        for line in outcome.lines:
            for d in line.deliveries:
                events[(line.line.sku, d.origin)].append((d.depart_at, 1, d.qty, ("order", o)))
    for r in snap.receipts:
        if (r.sku, r.location) in events:
            events[(r.sku, r.location)].append((r.arrive_at, 0, r.qty, ("held",)))
    takers: dict[tuple, set[tuple]] = defaultdict(set)
    takes: dict[tuple, set[tuple]] = defaultdict(set)
    for pair, moves in events.items():
        queue = deque([[("held",), snap.stock.get(pair, 0.0)]])
        for _, kind, qty, owner in sorted(moves, key=lambda e: (e[0], e[1])):
            if kind == 0:
                queue.append([owner, qty])
                continue
            while qty > QTY_TOL and queue:
                source = queue[0]
                taken = min(qty, source[1])
                if taken > QTY_TOL and source[0] != ("held",):
                    takers[source[0]].add(owner)
                    takes[owner].add(source[0])
                source[1] -= taken
                qty -= taken
                if source[1] <= QTY_TOL:
                    queue.popleft()
    return Pegs(takers, takes)


def free(actions: Actions, pegs: Pegs, orders: set[int]) -> set[tuple]:
    """The supply actions freed with `orders`: those whose goods go only to what is freed, closed over the
    pegs (a freed production order frees what its components were taken from, if nothing else took it);
    purchases and transfers whose goods nobody takes are freed too (production kept: it may turn stock into
    goods cheaper to hold)."""
    freed = {("order", o) for o in orders}
    keys = [("buy", i) for i in range(len(actions.purchases))]
    keys += [("make", i) for i in range(len(actions.productions))]
    keys += [("move", i) for i in range(len(actions.transfers))]
    changed = True
    while changed:
        changed = False
        for key in keys:
            takers = pegs.takers.get(key, set())
            if key not in freed and takers <= freed and (takers or key[0] != "make"):
                freed.add(key)
                changed = True
    return {key for key in freed if key[0] != "order"}
