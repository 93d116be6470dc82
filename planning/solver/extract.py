"""From the model's daily quantities to exact times: every event at its earliest instant in its day.

Days are replayed in order against an exact-time ledger (purchases, production, transfers, then deliveries);
an outflow leaves as soon as the stock allows (later than its day if an input arrives late, where capacity
allows). A ship-complete order's deliveries then leave so that they all arrive together. If the daily plan
cannot be timed within the horizon and the capacities, there is no candidate (None).
"""

from __future__ import annotations

from planning.solver.contract import Lane, Order, Snapshot, day_of
from planning.solver.ledger import QTY_TOL, Ledger, Production, Purchase, Transfer
from planning.solver.model import Solution
from planning.solver.network import DayGrid
from planning.solver.plan import Candidate, candidate
from planning.solver.promise import (
    Delivery,
    LineOutcome,
    OrderOutcome,
    Promiser,
    Tactics,
    blocker,
    explain,
    together_at,
)
from planning.solver.supply import Supply, next_day

MAX_BUMPS = 90


class TimingFailed(Exception):
    """The daily plan cannot be timed exactly within its days."""


class Timer:
    """Places a daily solution's events at exact times in a ledger."""

    def __init__(
        self,
        snap: Snapshot,
        solution: Solution,
        ledger: Ledger | None = None,
        orders: list[int] | None = None,
    ) -> None:
        self.snap = snap
        self.sol = solution
        self.grid = DayGrid(snap.plan_start, snap.horizon_end)
        self.ledger = Ledger.opening(snap) if ledger is None else ledger
        self.orders = list(range(len(snap.orders))) if orders is None else orders
        self.inflow_note: dict[tuple[str, str, int], tuple[str, str]] = {}
        self.pending: dict[int, list[tuple[int, Lane, float, tuple]]] = {}

    def run(self) -> list[OrderOutcome]:
        by_day: dict[int, list] = {}
        # in each day: purchases, what starts at the day's start, the rest of supply, then deliveries
        for (i, d), qty in self.sol.buy.items():
            by_day.setdefault(d, []).append((0, 0, self._purchase, (i, d, qty)))
        for (i, d), qty in self.sol.make_early.items():
            by_day.setdefault(d, []).append((1, 0, self._produce, (i, d, qty)))
        for (k, sku, d), qty in self.sol.move_early.items():
            by_day.setdefault(d, []).append((1, 1, self._transfer, (k, sku, d, qty)))
        for (i, d), qty in self.sol.make.items():
            by_day.setdefault(d, []).append((2, 0, self._produce, (i, d, qty)))
        for (k, sku, d), qty in self.sol.move.items():
            by_day.setdefault(d, []).append((2, 1, self._transfer, (k, sku, d, qty)))
        for (o, j, k, d), qty in self.sol.ship.items():
            by_day.setdefault(d, []).append((3, o, self._reserve, (o, j, k, d, qty)))
        failed: set[int] = set()
        for d in sorted(by_day):
            events = sorted(by_day[d], key=lambda e: (e[0], e[1]))
            for attempt in range(2):  # what needs another event of its day is tried again after it
                events = [e for e in events if not self._place(e, failed, last=attempt == 1)]
        # an order the daily plan neither serves nor leaves unserved (a plan in force that has not seen it)
        failed |= {o for o in self.orders if o not in self.pending and o not in self.sol.unserved}
        for o in failed:
            self._undo_reservations(o)
        outcomes, repairs = {}, sorted(failed)
        for o in sorted(set(self.orders) - failed, key=self._earliest_arrival):
            mark = self.ledger.mark()
            try:
                outcomes[o] = self._outcome(o, self.snap.orders[o])
            except TimingFailed:
                # what the order did before it failed (reservations taken back, departures placed) undone
                # first, so its reservations are there to be taken back
                self.ledger.rollback(mark)
                self._undo_reservations(o)
                repairs.append(o)
        promiser = Promiser(self.snap, self.ledger, Tactics(cost_aware=True))
        for o in sorted(
            repairs, key=lambda o: (-self.snap.orders[o].weight, self.snap.orders[o].requested_at)
        ):
            outcomes[o] = promiser.promise(self.snap.orders[o])
        return [outcomes[o] for o in self.orders]

    def _place(self, event: tuple, failed: set[int], *, last: bool) -> bool:
        """Place one event of the daily plan; False if it cannot be yet. On the `last` try a supply action
        that cannot be placed is left out, and an order whose goods cannot be reserved is re-promised."""
        kind, o, place, args = event
        if kind == 3 and o in failed:
            return True
        try:
            place(*args)
        except TimingFailed:
            if not last:
                return False
            if kind == 3:
                failed.add(o)
        return True

    def _undo_reservations(self, o: int) -> None:
        for j, lane, _, event in self.pending.pop(o, []):
            self.ledger.unmove(self.snap.orders[o].lines[j].sku, lane.origin, event)

    def _earliest_arrival(self, o: int) -> int:
        parts = self.pending.get(o, [])
        return max(
            [self.snap.orders[o].requested_at] + [event[0] + lane.transit for _, lane, _, event in parts]
        )

    # -- supply ---------------------------------------------------------------------------------
    def _purchase(self, i: int, d: int, qty: float) -> None:
        offer = self.snap.offers[i]
        qty = round(qty / offer.multiple) * offer.multiple if offer.multiple else round(qty, 9)
        if qty <= QTY_TOL:
            return
        t = max(self.grid.start_of(d), offer.earliest_receipt(self.snap.plan_start))
        self.ledger.record(Purchase(offer.supplier, offer.sku, offer.location, qty, t - offer.lead, t))
        self.ledger.move(offer.sku, offer.location, t, qty)
        self.ledger.load(("offer", offer.supplier, offer.sku, offer.location), t, qty)
        self.ledger.spend(qty * offer.unit_cost + offer.order_cost)
        self.inflow_note[(offer.sku, offer.location, t)] = (
            "procurement",
            f"PO to {offer.supplier}: {offer.lead / 3600:g} h lead time",
        )

    def _produce(self, i: int, d: int, qty: float) -> None:
        route = self.snap.routes[i]
        qty = round(qty, 9)
        if qty <= QTY_TOL:
            return
        t = self.grid.start_of(d)
        for comp in route.components:
            t = max(t, self._take_time(comp.sku, route.location, qty * comp.qty_per, t))
        resource = self.snap.resources[route.resource]
        load = qty * route.hours_per_unit + route.setup_hours
        for _ in range(MAX_BUMPS):
            if self.ledger.room(("resource", route.resource), t, resource.hours_on(day_of(t))) >= load - 1e-6:
                break
            t = next_day(t)
        if (
            t + route.lead > self.snap.horizon_end
            or self.ledger.room(("resource", route.resource), t, resource.hours_on(day_of(t))) < load - 1e-6
        ):
            raise TimingFailed(f"{route.resource} full from day {d}")
        self.ledger.record(Production(route.resource, route.sku, qty, t, t + route.lead))
        for comp in route.components:
            self.ledger.move(comp.sku, route.location, t, -qty * comp.qty_per)
        self.ledger.move(route.sku, route.location, t + route.lead, qty)
        self.ledger.load(("resource", route.resource), t, qty * route.hours_per_unit + route.setup_hours)
        self.ledger.spend(qty * route.unit_cost + route.setup_cost)
        self.inflow_note[(route.sku, route.location, t + route.lead)] = (
            "production",
            resource.production_note([day_of(t)], d, route.lead),
        )

    def _transfer(self, k: int, sku: str, d: int, qty: float) -> None:
        lane = self.snap.lanes[k]
        qty = round(qty, 9)
        if qty <= QTY_TOL:
            return
        t = self._first_room(lane, qty, self._take_time(sku, lane.origin, qty, self.grid.start_of(d)))
        self._depart(lane, sku, qty, t)
        self.ledger.record(Transfer(lane.origin, lane.to, lane.mode, sku, qty, t, t + lane.transit))
        self.ledger.move(sku, lane.to, t + lane.transit, qty)
        self.inflow_note[(sku, lane.to, t + lane.transit)] = (
            "transfer",
            f"transfer from {lane.origin} by {lane.mode} ({lane.transit / 3600:g} h)",
        )

    def _depart(self, lane: Lane, sku: str, qty: float, t: int) -> None:
        key = ("lane", lane.origin, lane.to, lane.mode)
        if (
            self.ledger.room(key, t, lane.capacity_per_day) < qty - 1e-6
            or t + lane.transit > self.snap.horizon_end
        ):
            raise TimingFailed(f"lane {key} full")
        self.ledger.move(sku, lane.origin, t, -qty)
        self.ledger.load(key, t, qty)
        self.ledger.spend(qty * lane.unit_cost)

    def _take_time(self, sku: str, loc: str, qty: float, not_before: int) -> int:
        t = self.ledger.line(sku, loc).earliest_take(qty, not_before)
        if t is None:
            raise TimingFailed(f"{sku}@{loc} short")
        return t

    # -- deliveries ---------------------------------------------------------------------------------
    def _reserve(self, o: int, j: int, k: int, d: int, qty: float) -> None:
        order, lane = self.snap.orders[o], self.snap.lanes[k]
        want = max(self.grid.start_of(d), order.requested_at - lane.transit)
        t = self._take_time(order.lines[j].sku, lane.origin, qty, want)
        event = self.ledger.move(order.lines[j].sku, lane.origin, t, -qty)
        self.pending.setdefault(o, []).append((j, lane, qty, event))

    def _outcome(self, o: int, order: Order) -> OrderOutcome:
        parts = self.pending.get(o, [])
        if o in self.sol.unserved or not parts:
            return OrderOutcome(order, None, (), "", blocker(self.snap, order))
        lines = [LineOutcome(line) for line in order.lines]
        _balance_quantities(order, parts)
        if order.ship_complete:
            promised = self._promise_together(order, parts)
            departures = [(j, lane, qty, event, promised - lane.transit) for j, lane, qty, event in parts]
        else:
            departures = [
                (j, lane, qty, event, self._first_room(lane, qty, event[0])) for j, lane, qty, event in parts
            ]
        for j, lane, qty, event, depart in departures:
            sku = order.lines[j].sku
            self.ledger.unmove(sku, lane.origin, event)
            self._depart(lane, sku, qty, depart)
            lines[j].deliveries.append(Delivery(lane.origin, lane.mode, qty, depart, depart + lane.transit))
            lines[j].lane = lane
            lines[j].supply = self._supply_note(
                sku, lane.origin, event[0], max(self.snap.plan_start, order.requested_at - lane.transit)
            )
        promised = max(d.arrive_at for line in lines for d in line.deliveries)
        reason, explanation = explain(order, lines, promised)
        return OrderOutcome(order, promised, tuple(lines), reason, explanation)

    def _promise_together(self, order: Order, parts: list) -> int:
        promised = together_at(self.snap, order, [event[0] + lane.transit for _, lane, _, event in parts])
        for _ in range(MAX_BUMPS):
            if promised > self.snap.horizon_end:
                break
            need: dict[Lane, float] = {}
            for _, lane, qty, _ in parts:
                need[lane] = need.get(lane, 0.0) + qty
            full = [
                lane
                for lane, qty in need.items()
                if self.ledger.room(
                    ("lane", lane.origin, lane.to, lane.mode), promised - lane.transit, lane.capacity_per_day
                )
                < qty - 1e-6
            ]
            if not full:
                return promised
            promised = next_day(promised - full[0].transit) + full[0].transit
        raise TimingFailed(f"no delivery day for {order.id}")

    def _first_room(self, lane: Lane, qty: float, t: int) -> int:
        for _ in range(MAX_BUMPS):
            if (
                self.ledger.room(("lane", lane.origin, lane.to, lane.mode), t, lane.capacity_per_day)
                >= qty - 1e-6
            ):
                return t
            t = next_day(t)
        raise TimingFailed("no delivery day")

    def _supply_note(self, sku: str, loc: str, ready: int, want: int) -> Supply:
        if ready <= want:
            return Supply(ready, "stock", f"{sku} on hand at {loc}")
        notes = [
            (t, note)
            for (s, lc, t), note in self.inflow_note.items()
            if s == sku and lc == loc and t <= ready
        ]
        if not notes:
            return Supply(ready, "receipt", f"{sku} receipt at {loc}")
        reason, note = max(notes)[1]
        return Supply(ready, reason, note)


def _balance_quantities(order: Order, parts: list) -> None:
    """Make each line's delivered quantities add up to the line exactly (the model's values are rounded)."""
    for j, line in enumerate(order.lines):
        mine = [i for i, part in enumerate(parts) if part[0] == j]
        if not mine:
            raise TimingFailed(f"{order.id} line {line.line} not delivered")
        total = sum(parts[i][2] for i in mine)
        if abs(total - line.qty) > 1e-6:
            raise TimingFailed(f"{order.id} line {line.line} delivers {total}, not {line.qty}")


def time_solution(snap: Snapshot, solution: Solution) -> Candidate | None:
    """The daily solution as an exact-time candidate plan; None if it cannot be timed."""
    timer = Timer(snap, solution)
    try:
        outcomes = timer.run()
    except TimingFailed:
        return None
    timer.ledger.journal.clear()
    return candidate(snap, "batch model", outcomes, timer.ledger)
