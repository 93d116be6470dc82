"""Getting goods to a location by a time: stock, receipts, transfers, production, purchases, at exact times.

`Sourcer.acquire` finds the earliest (or cheapest, when cost-aware) way to have a quantity takeable at a
location, commits it to the ledger and returns when and why. Alternatives are tried against the ledger
and rolled back.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from planning.solver.contract import DAY, Lane, Offer, Route, Snapshot, day_of
from planning.solver.ledger import QTY_TOL, Ledger, Production, Purchase, Transfer

MAX_DEPTH = 5
MAX_TRANSFER_SOURCES = 6
TRIALS_PER_LINE = 60
RANK = {"stock": 0, "receipt": 1, "transfer": 2, "production": 3, "procurement": 4}


@dataclass(frozen=True)
class Supply:
    """`qty` can leave the location at `ready`; `reason` is what it waited for, `note` says it in words."""

    ready: int
    reason: str
    note: str


def round_up(qty: float, multiple: float | None) -> float:
    if not multiple:
        return qty
    return math.ceil(qty / multiple - 1e-9) * multiple


def round_down(qty: float, multiple: float | None) -> float:
    if not multiple or math.isinf(qty):
        return qty
    return math.floor(qty / multiple + 1e-9) * multiple


def next_day(t: int) -> int:
    return (day_of(t) + 1) * DAY


class Sourcer:
    """Acquires supply against a ledger; `late_rate` (cost per second late) makes the choice cost-aware.

    `trials_left` bounds how many alternatives are tried (the caller resets it per order line), so that a line
    with a deep supply network cannot take unbounded time."""

    def __init__(self, snapshot: Snapshot, ledger: Ledger, cost_aware: bool) -> None:
        self.snap = snapshot
        self.ledger = ledger
        self.cost_aware = cost_aware
        self.trials_left = TRIALS_PER_LINE
        self.lanes_into = {}
        for lane in snapshot.lanes:
            if lane.to in snapshot.location_region:
                self.lanes_into.setdefault(lane.to, []).append(lane)
        for lanes in self.lanes_into.values():
            lanes.sort(key=lambda lane: (lane.transit, lane.unit_cost))

    # -- the choice ---------------------------------------------------------------------------
    def acquire(
        self,
        sku: str,
        qty: float,
        loc: str,
        want: int,
        late_rate: float,
        depth: int = 0,
        allow_transfer: bool = True,
    ) -> Supply | None:
        """Make `qty` of `sku` takeable at `loc` as early as possible from `want`; commit it (None: never)."""
        line = self.ledger.line(sku, loc)
        waited = line.earliest_take(qty, want)
        if waited == want:
            return Supply(want, "stock", f"{_q(qty)} {sku} on hand at {loc}")
        best: tuple | None = None
        if waited is not None:
            best = (
                self._score(waited, want, 0.0, late_rate, "receipt"),
                None,
                "receipt",
                f"{sku} receipt at {loc}",
            )
        if depth < MAX_DEPTH:
            shortfall = qty - max(0.0, line.takeable(want))
            for reason, replenish in self._replenishments(
                sku, shortfall, loc, want, late_rate, depth, allow_transfer
            ):
                if self.trials_left <= 0 and (best is not None or self.trials_left <= -TRIALS_PER_LINE):
                    break
                budget = self.trials_left
                self.trials_left -= 1
                mark, cost = self.ledger.mark(), self.ledger.cost
                note = replenish()
                ready = line.earliest_take(qty, want) if note is not None else None
                if ready is not None and ready <= self.snap.horizon_end:
                    score = self._score(ready, want, self.ledger.cost - cost, late_rate, reason)
                    if best is None or score < best[0]:
                        best = (score, replenish, reason, note, budget)
                self.ledger.rollback(mark)
        if best is None:
            return None
        _, replenish, reason, note, *budget = best
        if replenish is not None:
            # the same budget as when it was tried, so that the nested choices are the same again
            left, self.trials_left = self.trials_left, budget[0] - 1
            note = replenish()
            self.trials_left = min(left, self.trials_left)
        ready = line.earliest_take(qty, want)
        return None if ready is None else Supply(ready, reason, note)

    def _score(self, ready: int, want: int, cost: float, late_rate: float, reason: str) -> tuple:
        if self.cost_aware:
            return (late_rate * max(0, ready - want) + cost, ready, RANK[reason])
        return (ready, RANK[reason], cost)

    def _replenishments(
        self, sku: str, qty: float, loc: str, want: int, late_rate: float, depth: int, allow_transfer: bool
    ) -> list[tuple[str, Callable[[], str | None]]]:
        options: list[tuple[str, Callable[[], str | None]]] = []
        if allow_transfer:
            for lane in self._transfer_sources(sku, loc):
                options.append(
                    ("transfer", lambda lane=lane: self._transfer(lane, sku, qty, want, late_rate, depth))
                )
        for route in self.snap.routes_at(sku, loc):
            options.append(
                ("production", lambda route=route: self._produce(route, qty, want, late_rate, depth))
            )
        for offer in self.snap.offers_at(sku, loc):
            options.append(("procurement", lambda offer=offer: self._purchase(offer, qty, want)))
        return options

    def _transfer_sources(self, sku: str, loc: str) -> list[Lane]:
        """Lanes into `loc` from where `sku` is made (all), then from the nearest holding or buying it."""
        makers, others = [], []
        for lane in self.lanes_into.get(loc, []):
            line = self.ledger.lines.get((sku, lane.origin))
            if self.snap.routes_at(sku, lane.origin):
                makers.append(lane)
            elif (line is not None and (line.opening > 0 or line.events)) or self.snap.offers_at(
                sku, lane.origin
            ):
                others.append(lane)
        return makers + others[: max(0, MAX_TRANSFER_SOURCES - len(makers))]

    # -- the ways to replenish (each commits to the ledger and returns a note, or None) -------
    def _purchase(self, offer: Offer, qty: float, want: int) -> str | None:
        """Purchase orders for `offer` received from max(want, plan_start + lead), split by daily capacity."""
        t = max(want, self.snap.plan_start + offer.lead)
        remaining = round_up(max(qty, offer.min_qty), offer.multiple)
        key = ("offer", offer.supplier, offer.sku, offer.location)
        while remaining > QTY_TOL:
            if t > self.snap.horizon_end:
                return None
            room = round_down(self.ledger.room(key, t, offer.capacity_per_day), offer.multiple)
            take = min(remaining, room)
            if take > QTY_TOL and take >= offer.min_qty - QTY_TOL:
                self._place_purchase(offer, take, t, key)
                remaining -= take
            t = next_day(t)
        return f"PO to {offer.supplier}: {offer.lead / 3600:g} h lead time"

    def _place_purchase(self, offer: Offer, qty: float, receive_at: int, key: tuple) -> None:
        self.ledger.record(
            Purchase(offer.supplier, offer.sku, offer.location, qty, receive_at - offer.lead, receive_at)
        )
        self.ledger.move(offer.sku, offer.location, receive_at, qty)
        self.ledger.load(key, receive_at, qty)
        self.ledger.spend(qty * offer.unit_cost + offer.order_cost)

    def _produce(self, route: Route, qty: float, want: int, late_rate: float, depth: int) -> str | None:
        """Production orders on `route` from its components, split over days by the resource's hours."""
        start = max(self.snap.plan_start, want - route.lead)
        for comp in route.components:
            got = self.acquire(comp.sku, qty * comp.qty_per, route.location, start, late_rate, depth + 1)
            if got is None:
                return None
            start = max(start, got.ready)
        hours_per_day = self.snap.resources[route.resource][1]
        key = ("resource", route.resource)
        remaining, t = qty, start
        while remaining > QTY_TOL:
            if t + route.lead > self.snap.horizon_end:
                return None
            room = self.ledger.room(key, t, hours_per_day) - route.setup_hours
            fits = remaining if route.hours_per_unit <= 0 else min(remaining, room / route.hours_per_unit)
            if room > QTY_TOL and fits > QTY_TOL and (fits >= remaining - QTY_TOL or fits >= 1):
                take = fits if fits >= remaining - QTY_TOL else math.floor(fits)
                self._place_production(route, take, t, key)
                remaining -= take
            t = next_day(t)
        return f"made on {route.resource}: {route.lead / 3600:g} h"

    def _place_production(self, route: Route, qty: float, start: int, key: tuple) -> None:
        self.ledger.record(Production(route.resource, route.sku, qty, start, start + route.lead))
        for comp in route.components:
            self.ledger.move(comp.sku, route.location, start, -qty * comp.qty_per)
        self.ledger.move(route.sku, route.location, start + route.lead, qty)
        self.ledger.load(key, start, qty * route.hours_per_unit + route.setup_hours)
        self.ledger.spend(qty * route.unit_cost + route.setup_cost)

    def _transfer(
        self, lane: Lane, sku: str, qty: float, want: int, late_rate: float, depth: int
    ) -> str | None:
        """Transfers on `lane` from what its origin has (or can get), split over days by lane capacity."""
        depart_want = max(self.snap.plan_start, want - lane.transit)
        source = self.acquire(sku, qty, lane.origin, depart_want, late_rate, depth + 1, allow_transfer=False)
        if source is None:
            return None
        if not self.ship(lane, sku, qty, source.ready, self._record_transfer):
            return None
        return f"transfer from {lane.origin} by {lane.mode} ({lane.transit / 3600:g} h); {source.note}"

    def _record_transfer(self, lane: Lane, sku: str, qty: float, depart: int) -> None:
        self.ledger.record(Transfer(lane.origin, lane.to, lane.mode, sku, qty, depart, depart + lane.transit))
        self.ledger.move(sku, lane.to, depart + lane.transit, qty)

    def first_departure(self, lane: Lane, qty: float, t: int) -> int | None:
        """The first instant from `t` on a day when `lane` has room for `qty` (None past the horizon)."""
        key = ("lane", lane.origin, lane.to, lane.mode)
        while t + lane.transit <= self.snap.horizon_end:
            if self.ledger.room(key, t, lane.capacity_per_day) >= qty - QTY_TOL:
                return t
            t = next_day(t)
        return None

    def ship(
        self, lane: Lane, sku: str, qty: float, depart: int, place: Callable[[Lane, str, float, int], None]
    ) -> bool:
        """Depart `qty` on `lane` from `depart` on, split by its daily capacity; False past the horizon."""
        key = ("lane", lane.origin, lane.to, lane.mode)
        remaining, t = qty, depart
        while remaining > QTY_TOL:
            if t + lane.transit > self.snap.horizon_end:
                return False
            take = min(remaining, self.ledger.room(key, t, lane.capacity_per_day))
            if take > QTY_TOL:
                self.ledger.move(sku, lane.origin, t, -take)
                self.ledger.load(key, t, take)
                self.ledger.spend(take * lane.unit_cost)
                place(lane, sku, take, t)
                remaining -= take
            t = next_day(t)
        return True


def _q(qty: float) -> str:
    return f"{qty:g}"
