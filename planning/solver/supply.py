"""Getting goods to a location by a time: stock, receipts, transfers, production, purchases, at exact times.

`Sourcer.acquire` finds the earliest (or cheapest, when cost-aware) way to have a quantity takeable at a
location, commits it to the ledger and returns when and why. Alternatives are tried against the ledger
and rolled back; the chosen one is replayed from the journal. Transfers come from one location (which may
make, buy or hold the goods) or are gathered from the stock of several. With `open_demand` set, stock
wanted by the orders still open at a location is left to them when a replenishment can serve a far-off
need; with `lots`, purchases and production of one day share one order and one setup.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from planning.solver.contract import DAY, Lane, Offer, Route, Snapshot, day_of
from planning.solver.ledger import QTY_TOL, Ledger, Production, Purchase, StockLine, Transfer

if TYPE_CHECKING:
    from planning.solver.demand import OpenDemand

MAX_DEPTH = 5
MAX_TRANSFER_SOURCES = 6
TRIALS_PER_LINE = 60
SAVE_STOCK_AHEAD = 2 * DAY  # stock wanted sooner than this is never saved for others
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


def day_start(t: int) -> int:
    return day_of(t) * DAY


class Sourcer:
    """Acquires supply against a ledger; `late_rate` (cost per second late) makes the choice cost-aware.

    `trials_left` bounds how many alternatives are tried (the caller resets it per order line, with as
    much `grace` for a line nothing has worked for yet), so that a line with a deep supply network cannot
    take unbounded time."""

    def __init__(self, snapshot: Snapshot, ledger: Ledger, cost_aware: bool) -> None:
        self.snap = snapshot
        self.ledger = ledger
        self.cost_aware = cost_aware
        self.trials_left = TRIALS_PER_LINE
        self.grace = TRIALS_PER_LINE  # more alternatives allowed past the budget while none has worked
        self.transfer_sources: int | None = MAX_TRANSFER_SOURCES  # None: every lane in
        self.open_demand: OpenDemand | None = None  # set: stock is saved for nearer demand when scarce
        self.top_up = False  # set: a need part-covered by receipts to come is topped up beside them
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
        on_hand = waited == want
        if on_hand and not self._scarce(line, sku, loc, want):
            return Supply(want, "stock", f"{_q(qty)} {sku} on hand at {loc}")
        best: tuple | None = None
        free_before = line.takeable(want) if on_hand else 0.0
        if waited is not None and not on_hand:
            best = (
                self._score(waited, want, 0.0, late_rate, "receipt"),
                None,
                "receipt",
                f"{sku} receipt at {loc}",
            )
        if depth < MAX_DEPTH:
            options = self._replenishments(
                sku,
                qty if on_hand else qty - max(0.0, line.takeable(want)),
                loc,
                want,
                late_rate,
                depth,
                allow_transfer,
            )
            if (
                self.top_up
                and depth == 0
                and not on_hand
                and line.takeable(want) + QTY_TOL
                < (later := line.takeable(self.snap.horizon_end))
                < qty - QTY_TOL
            ):
                # receipts to come cover part: what they leave short, brought in beside them (the receipt
                # and a top-up transfer of the rest, rather than all of it from elsewhere)
                options += self._replenishments(sku, qty - later, loc, want, late_rate, depth, allow_transfer)
            for reason, replenish in options:
                if self.trials_left <= 0 and (best is not None or self.trials_left <= -self.grace):
                    break
                self.trials_left -= 1
                mark, cost = self.ledger.mark(), self.ledger.cost
                note = replenish()
                ready = line.earliest_take(qty, want) if note is not None else None
                if on_hand and ready is not None and line.takeable(want) < free_before + qty - QTY_TOL:
                    ready = None  # to save the stock, a replenishment must bring all of it by `want`
                if ready is not None and ready <= self.snap.horizon_end:
                    score = self._score(ready, want, self.ledger.cost - cost, late_rate, reason)
                    if best is None or score < best[0]:
                        best = (score, self.ledger.journal[mark:], reason, note)
                self.ledger.rollback(mark)
        if best is None:
            return Supply(want, "stock", f"{_q(qty)} {sku} on hand at {loc}") if on_hand else None
        _, entries, reason, note = best
        if entries is not None:
            self.ledger.redo(entries)  # the chosen replenishment, as it was tried
        ready = line.earliest_take(qty, want)
        return None if ready is None else Supply(ready, reason, note)

    def _scarce(self, line: StockLine, sku: str, loc: str, want: int) -> bool:
        """Whether the stock at `loc` should be saved for the orders still open there: they want more than
        will be left, and `want` is far enough ahead for a replenishment to arrive instead."""
        if self.open_demand is None or want < self.snap.plan_start + SAVE_STOCK_AHEAD:
            return False
        left = line.takeable(self.snap.horizon_end)
        return self.open_demand.at(sku, loc) > left + QTY_TOL

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
            options.append(("transfer", lambda: self._gather(sku, qty, loc, want)))
        for route in self.snap.routes_at(sku, loc):
            options.append(
                ("production", lambda route=route: self._produce(route, qty, want, late_rate, depth))
            )
            if self._ahead_may_help(route, qty, want):
                ahead = lambda route=route: self._produce(route, qty, want, late_rate, depth, ahead=True)  # noqa: E731
                options.append(("production", ahead))
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
        if self.transfer_sources is None:
            return makers + others
        return makers + others[: max(0, self.transfer_sources - len(makers))]

    # -- the ways to replenish (each commits to the ledger and returns a note, or None) -------
    def _purchase(self, offer: Offer, qty: float, want: int) -> str | None:
        """Purchase orders for `offer` received from max(want, plan_start + lead), split by daily capacity."""
        t = max(day_start(want) if self.ledger.lots else want, offer.earliest_receipt(self.snap.plan_start))
        key = ("offer", offer.supplier, offer.sku, offer.location)
        remaining = qty
        while remaining > QTY_TOL:
            if t > self.snap.horizon_end:
                return None
            topping_up = self.ledger.lots and self.ledger.used.get(("lot", *key, t), 0.0) > 0
            minimum = 0.0 if topping_up else offer.min_qty
            room = round_down(self.ledger.room(key, t, offer.capacity_per_day), offer.multiple)
            take = min(round_up(max(remaining, minimum), offer.multiple), room)
            if take > QTY_TOL and take >= minimum - QTY_TOL:
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
        first = not self.ledger.lots or self.ledger.tally(("lot", *key, receive_at)) == 0
        self.ledger.spend(qty * offer.unit_cost + (offer.order_cost if first else 0.0))

    def _produce(
        self, route: Route, qty: float, want: int, late_rate: float, depth: int, ahead: bool = False
    ) -> str | None:
        """Production orders on `route` from its components, split over days by the resource's hours on each
        day (its calendar): from the latest start that is on time onwards, or, `ahead`, on the days before it
        (built ahead and held, when those days have room and the components are there in time)."""
        wanted = want - route.lead
        latest = max(self.snap.plan_start, day_start(wanted) if self.ledger.lots else wanted)
        start = latest
        if ahead:
            tentative = self._slots(route, qty, self._days_back(latest))
            if tentative is None:
                return None
            start = min(t for t, _ in tentative)
        held = []
        for comp in route.components:
            need = qty * comp.qty_per
            got = self.acquire(comp.sku, need, route.location, start, late_rate, depth + 1)
            if got is None or (ahead and got.ready > start):
                return None  # (the caller's rollback takes back what was held)
            start = max(start, got.ready)
            # held from when it is ready until the production takes it: a later component using the same
            # goods (directly or inside a subassembly) must not count on them again
            held.append((comp.sku, self.ledger.move(comp.sku, route.location, got.ready, -need)))
        for sku, event in held:
            self.ledger.unmove(sku, route.location, event)
        # (the components may have used the same resource: the days are split again after them)
        starts = self._days_back(latest) if ahead else self._days_forward(route, start)
        chunks = self._slots(route, qty, starts)
        if chunks is None or min(t for t, _ in chunks) < start:
            return None
        key = ("resource", route.resource)
        for t, take in chunks:
            self._place_production(route, take, t, key)
        resource = self.snap.resources[route.resource]
        wanted_day = day_of(max(wanted, self.snap.plan_start))
        return resource.production_note([day_of(t) for t, _ in chunks], wanted_day, route.lead)

    def _slots(self, route: Route, qty: float, starts) -> list[tuple[int, float]] | None:
        """`qty` split over production starts (one a day, in the order given) by the hours left on the
        resource that day; None if they cannot take it all."""
        resource = self.snap.resources[route.resource]
        key = ("resource", route.resource)
        chunks, remaining = [], qty
        for t in starts:
            if remaining <= QTY_TOL:
                break
            setup = 0.0 if self._lot_open(route, t) else route.setup_hours
            room = self.ledger.room(key, t, resource.hours_on(day_of(t))) - setup
            fits = remaining if route.hours_per_unit <= 0 else min(remaining, room / route.hours_per_unit)
            if room > QTY_TOL and fits > QTY_TOL and (fits >= remaining - QTY_TOL or fits >= 1):
                take = fits if fits >= remaining - QTY_TOL else math.floor(fits)
                chunks.append((t, take))
                remaining -= take
        return chunks if remaining <= QTY_TOL else None

    def _days_forward(self, route: Route, start: int):
        """Production starts from `start` on, one a day, while the order can end within the horizon."""
        t = start
        while t + route.lead <= self.snap.horizon_end:
            yield t
            t = next_day(t)

    def _days_back(self, start: int):
        """Production starts at `start`, then at the start of each earlier day down to the plan's start."""
        yield start
        for day in range(day_of(start) - 1, day_of(self.snap.plan_start) - 1, -1):
            yield max(self.snap.plan_start, day * DAY)

    def _ahead_may_help(self, route: Route, qty: float, want: int) -> bool:
        """Whether building ahead is worth trying: the day production should start cannot take it all."""
        start = want - route.lead
        if start <= self.snap.plan_start:
            return False
        hours = self.snap.resources[route.resource].hours_on(day_of(start))
        room = self.ledger.room(("resource", route.resource), start, hours) - route.setup_hours
        return room < qty * route.hours_per_unit - QTY_TOL

    def _place_production(self, route: Route, qty: float, start: int, key: tuple) -> None:
        self.ledger.record(Production(route.resource, route.sku, qty, start, start + route.lead))
        for comp in route.components:
            self.ledger.move(comp.sku, route.location, start, -qty * comp.qty_per)
        self.ledger.move(route.sku, route.location, start + route.lead, qty)
        first = not self._lot_open(route, start)
        if self.ledger.lots:
            self.ledger.tally(("lot", route.resource, route.sku, start))
        setup_hours, setup_cost = (route.setup_hours, route.setup_cost) if first else (0.0, 0.0)
        self.ledger.load(key, start, qty * route.hours_per_unit + setup_hours)
        self.ledger.spend(qty * route.unit_cost + setup_cost)

    def _lot_open(self, route: Route, start: int) -> bool:
        """Whether a production order of `route` starting at `start` exists that this one can join."""
        return self.ledger.lots and self.ledger.used.get(("lot", route.resource, route.sku, start), 0.0) > 0

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

    def _gather(self, sku: str, qty: float, loc: str, want: int) -> str | None:
        """Transfers of the stock of several locations, nearest first, when no one location has enough."""
        remaining, origins = qty, []
        for lane in self.lanes_into.get(loc, []):
            line = self.ledger.lines.get((sku, lane.origin))
            if line is None:
                continue
            depart = max(self.snap.plan_start, want - lane.transit)
            take = min(remaining, line.takeable(depart))
            if take <= QTY_TOL:
                continue
            if not self.ship(lane, sku, take, depart, self._record_transfer):
                return None
            origins.append(lane.origin)
            remaining -= take
            if remaining <= QTY_TOL:
                return f"transfers from {', '.join(dict.fromkeys(origins))}"
        return None

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
