"""Promising one order at a time at exact times: per line a delivery lane and the supply behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from planning.solver.contract import DAY, HOUR, Lane, Order, OrderLine, Snapshot
from planning.solver.demand import OpenDemand
from planning.solver.ledger import QTY_TOL, Ledger
from planning.solver.supply import RANK, TRIALS_PER_LINE, Sourcer, Supply, next_day

MAX_DELIVERY_LANES = 5
MAX_PROMISE_BUMPS = 90
RETRY_WIDER = 4


@dataclass(frozen=True)
class Delivery:
    origin: str
    mode: str
    qty: float
    depart_at: int
    arrive_at: int


@dataclass
class LineOutcome:
    line: OrderLine
    deliveries: list[Delivery] = field(default_factory=list)
    lane: Lane | None = None
    supply: Supply | None = None
    reservation: tuple | None = None


@dataclass(frozen=True)
class OrderOutcome:
    """A confirmation (`promised_at` set) or an unconfirmed order (`blocked` says why)."""

    order: Order
    promised_at: int | None
    lines: tuple[LineOutcome, ...]
    reason: str
    explanation: str


@dataclass(frozen=True)
class Tactics:
    """How a pass promises. `cost_aware`: choose supply by cost, lateness included, and leave an order
    unserved when serving it costs more; `save_stock`: leave stock to the orders still open near it when
    they want more than is left (see `Sourcer.acquire`); `retry`: search wider for an order that could not
    be promised; `lots`: purchases and production of the same day join one lot (see `Sourcer`); `top_up`:
    where receipts to come cover part of a need, bring in only the rest beside them (`Sourcer.acquire`)."""

    cost_aware: bool = False
    save_stock: bool = False
    retry: bool = False
    lots: bool = False
    top_up: bool = False


class Promiser:
    """Promises orders one by one against a shared ledger (the order of calls is the priority)."""

    def __init__(self, snapshot: Snapshot, ledger: Ledger, tactics: Tactics) -> None:
        self.snap = snapshot
        self.ledger = ledger
        self.sourcer = Sourcer(snapshot, ledger, tactics.cost_aware)
        self.sourcer.top_up = tactics.top_up
        ledger.lots = tactics.lots
        self.cost_aware = tactics.cost_aware
        self.trials_per_line = TRIALS_PER_LINE
        self.delivery_lanes: int | None = MAX_DELIVERY_LANES  # tried when none has the goods on time
        self.retry = tactics.retry
        self.exhausted: dict[tuple[str, str], float] = {}  # (sku, region): least quantity not found
        self.failed_line: OrderLine | None = None
        if tactics.save_stock:
            self.sourcer.open_demand = OpenDemand(snapshot)

    def promise(self, order: Order) -> OrderOutcome:
        mark, cost = self.ledger.mark(), self.ledger.cost
        hopeless = self._hopeless_line(order) if self.retry else None
        if hopeless is not None:
            outcome = OrderOutcome(order, None, (), "", blocker(self.snap, order, hopeless))
        else:
            outcome = self._try_promise(order)
        if outcome.promised_at is None and self.retry and hopeless is None:
            self.ledger.rollback(mark)
            outcome = self._search_wider(order)
            if outcome.promised_at is None and self.failed_line is not None:
                key = (self.failed_line.sku, order.region)
                self.exhausted[key] = min(self.exhausted.get(key, math.inf), self.failed_line.qty)
        if outcome.promised_at is not None and self.cost_aware and self._not_worth_it(order, outcome, cost):
            outcome = OrderOutcome(order, None, (), "", "serving it would cost more than leaving it unserved")
        if outcome.promised_at is None:
            self.ledger.rollback(mark)
        self.ledger.journal.clear()
        if self.sourcer.open_demand is not None:
            self.sourcer.open_demand.done(order)
        return outcome

    def _hopeless_line(self, order: Order) -> OrderLine | None:
        """A line of `order` that the wider search already failed to supply to its region in this pass, in
        the same or a smaller quantity (what is left only shrinks as orders are promised)."""
        for line in order.lines:
            if line.qty >= self.exhausted.get((line.sku, order.region), math.inf) - QTY_TOL:
                return line
        return None

    def _search_wider(self, order: Order) -> OrderOutcome:
        """Try again with RETRY_WIDER times the alternatives per line, every delivery lane when none has the
        goods on time, and every transfer source."""
        trials, lanes, sources = self.trials_per_line, self.delivery_lanes, self.sourcer.transfer_sources
        self.trials_per_line, self.delivery_lanes, self.sourcer.transfer_sources = (
            trials * RETRY_WIDER,
            None,
            None,
        )
        try:
            return self._try_promise(order)
        finally:
            self.trials_per_line, self.delivery_lanes, self.sourcer.transfer_sources = trials, lanes, sources

    def _not_worth_it(self, order: Order, outcome: OrderOutcome, cost_before: float) -> bool:
        policy = self.snap.policy
        serve = self.ledger.cost - cost_before + self._late_cost(order, outcome.promised_at)
        if order.confirmed_promise_at is not None and outcome.promised_at > order.confirmed_promise_at + 1:
            serve += order.weight * policy.broken_promise_penalty
        skip = order.weight * policy.unserved_penalty
        if order.confirmed_promise_at is not None:
            skip += order.weight * policy.broken_promise_penalty
        return serve > skip

    def _late_cost(self, order: Order, arrive: int) -> float:
        return (
            order.weight * self.snap.policy.lateness_cost_per_day * max(0, arrive - order.requested_at) / DAY
        )

    def _try_promise(self, order: Order) -> OrderOutcome:
        self.failed_line = None
        lines: list[LineOutcome] = []
        for line in order.lines:
            outcome = self._source_line(order, line, lines)
            if outcome is None:
                self.failed_line = line
                return OrderOutcome(order, None, (), "", blocker(self.snap, order, line))
            lines.append(outcome)
        if order.ship_complete:
            promised = self._deliver_together(order, lines)
            if promised is None:
                return OrderOutcome(
                    order, None, (), "", "delivery lane capacity is exhausted within the horizon"
                )
        else:
            promised = max(d.arrive_at for outcome in lines for d in outcome.deliveries)
        reason, explanation = explain(order, lines, promised)
        return OrderOutcome(order, promised, tuple(lines), reason, explanation)

    # -- one line ---------------------------------------------------------------------------
    def _delivery_lanes(self, order: Order) -> list[Lane]:
        lanes = sorted(self.snap.lanes_to(order.region), key=lambda lane: (lane.transit, lane.unit_cost))
        return [lane for lane in lanes if lane.origin in self.snap.location_region]

    def _want(self, order: Order, lane: Lane) -> int:
        return max(self.snap.plan_start, order.requested_at - lane.transit)

    def _source_line(self, order: Order, line: OrderLine, earlier: list[LineOutcome]) -> LineOutcome | None:
        """Choose the delivery lane and supply for one line and reserve the goods at the lane's origin."""
        lanes = self._delivery_lanes(order)
        self.sourcer.trials_left = self.sourcer.grace = self.trials_per_line
        outcome = LineOutcome(line)
        remaining = line.qty
        if not order.ship_complete:
            remaining = self._ship_available_now(order, line, lanes, outcome)
            if remaining <= QTY_TOL:
                return outcome
        on_time = [
            lane
            for lane in lanes
            if self.ledger.line(line.sku, lane.origin).takeable(self._want(order, lane))
            >= remaining - QTY_TOL
        ]
        candidates = on_time if on_time else lanes[: self.delivery_lanes]
        best = None
        for lane in candidates:
            mark, cost = self.ledger.mark(), self.ledger.cost
            supply = self._supply_at(order, line.sku, remaining, lane)
            depart = None
            if supply is not None:
                together = sum(o.line.qty for o in earlier if o.lane == lane) if order.ship_complete else 0.0
                ready = max(supply.ready, self._want(order, lane))
                depart = self.sourcer.first_departure(lane, remaining + together, ready)
            if depart is not None:
                arrive = depart + lane.transit
                score = self._score(order, arrive, self.ledger.cost - cost + remaining * lane.unit_cost, lane)
                if best is None or score < best[0]:
                    best = (score, lane, supply, self.ledger.journal[mark:])
            self.ledger.rollback(mark)
        if best is None:
            return None
        _, outcome.lane, outcome.supply, entries = best
        self.ledger.redo(entries)  # the chosen lane's supply, as it was tried
        lane = outcome.lane
        ready = max(outcome.supply.ready, self._want(order, lane))
        outcome.reservation = self.ledger.move(line.sku, lane.origin, ready, -remaining)
        if not order.ship_complete and not self._ship_reserved(order, outcome, ready):
            return None  # the lane's capacity runs out before the horizon: the order is rolled back
        return outcome

    def _supply_at(self, order: Order, sku: str, qty: float, lane: Lane) -> Supply | None:
        late_rate = order.weight * self.snap.policy.lateness_cost_per_day / DAY
        return self.sourcer.acquire(sku, qty, lane.origin, self._want(order, lane), late_rate)

    def _score(self, order: Order, arrive: int, cost: float, lane: Lane) -> tuple:
        if arrive > self.snap.horizon_end:
            return (float("inf"),)
        if not self.cost_aware:
            return (arrive, lane.transit, cost)
        broken = order.confirmed_promise_at is not None and arrive > order.confirmed_promise_at + 1
        penalty = order.weight * self.snap.policy.broken_promise_penalty if broken else 0.0
        return (self._late_cost(order, arrive) + cost + penalty, arrive)

    # -- deliveries -------------------------------------------------------------------------
    def _ship_available_now(
        self, order: Order, line: OrderLine, lanes: list[Lane], outcome: LineOutcome
    ) -> float:
        """For an order that may ship in parts: send what is on hand now fastest; return the rest."""
        remaining = line.qty
        for lane in lanes:
            want = self._want(order, lane)
            now = min(remaining, self.ledger.line(line.sku, lane.origin).takeable(want))
            if now > QTY_TOL and want + lane.transit <= self.snap.horizon_end:
                room = self.ledger.room(
                    ("lane", lane.origin, lane.to, lane.mode), want, lane.capacity_per_day
                )
                now = min(now, room)
                if now > QTY_TOL:
                    self.sourcer.ship(lane, line.sku, now, want, self._deliver_into(outcome))
                    remaining -= now
            if remaining <= QTY_TOL:
                break
        return remaining

    def _ship_reserved(self, order: Order, outcome: LineOutcome, ready: int) -> bool:
        self.ledger.unmove(outcome.line.sku, outcome.lane.origin, outcome.reservation)
        qty = -outcome.reservation[2]
        return self.sourcer.ship(outcome.lane, outcome.line.sku, qty, ready, self._deliver_into(outcome))

    def _deliver_into(self, outcome: LineOutcome):
        def place(lane: Lane, sku: str, qty: float, depart: int) -> None:
            outcome.deliveries.append(Delivery(lane.origin, lane.mode, qty, depart, depart + lane.transit))

        return place

    def _deliver_together(self, order: Order, lines: list[LineOutcome]) -> int | None:
        """Ship every line to arrive at one instant, the first the lanes' capacities allow."""
        promised = together_at(self.snap, order, [o.reservation[0] + o.lane.transit for o in lines])
        for _ in range(MAX_PROMISE_BUMPS):
            if promised > self.snap.horizon_end:
                return None
            late = self._lane_full(lines, promised)
            if late is None:
                break
            promised = next_day(promised - late.transit) + late.transit
        else:
            return None
        for outcome in lines:
            self._ship_reserved(order, outcome, promised - outcome.lane.transit)
        return promised

    def _lane_full(self, lines: list[LineOutcome], promised: int) -> Lane | None:
        need: dict[Lane, float] = {}
        for outcome in lines:
            need[outcome.lane] = need.get(outcome.lane, 0.0) + outcome.line.qty
        for lane, qty in need.items():
            key = ("lane", lane.origin, lane.to, lane.mode)
            if self.ledger.room(key, promised - lane.transit, lane.capacity_per_day) < qty - QTY_TOL:
                return lane
        return None


def together_at(snap: Snapshot, order: Order, arrivals: list[int]) -> int:
    """The first instant a ship-complete order can arrive whole, before lane capacity: not before it is
    requested; a late one in whole hours, so that a rerun moments later (what ships "now" leaving a little
    later) still keeps the promise."""
    promised = max([order.requested_at, *arrivals])
    if promised > order.requested_at and -(-promised // HOUR) * HOUR <= snap.horizon_end:
        promised = -(-promised // HOUR) * HOUR
    return promised


def blocker(snap: Snapshot, order: Order, line: OrderLine | None = None) -> str:
    """Why an order cannot be confirmed: no lane, no source for a line, or nothing within the horizon."""
    if not snap.lanes_to(order.region):
        return f"no lane delivers to {order.region}"
    for candidate in [line] if line is not None else list(order.lines):
        if candidate.sku not in snap.sourced_skus:
            return (
                f"line {candidate.line}: no source for {candidate.sku} (no stock, receipt, supplier or route)"
            )
    which = f"line {line.line}: {line.sku}" if line is not None else "the order"
    return f"{which} cannot reach {order.region} within the horizon (lead times and capacity)"


def explain(order: Order, lines: list[LineOutcome], promised: int) -> tuple[str, str]:
    """The promise's reason (what the latest line waited for) and a sentence a planner can read."""

    def arrival(outcome: LineOutcome) -> int:
        return max(d.arrive_at for d in outcome.deliveries)

    latest = max(range(len(lines)), key=lambda i: (arrival(lines[i]), RANK[_reason(lines[i])]))
    outcome = lines[latest]
    reason = _reason(outcome)
    lane = outcome.lane
    parts = []
    if outcome.supply is not None:
        parts.append(("waits for " if reason != "stock" else "") + outcome.supply.note)
    elif outcome.deliveries:
        parts.append(f"{outcome.line.sku} on hand at {outcome.deliveries[0].origin}")
    if lane is not None:
        parts.append(f"{lane.mode} from {lane.origin} to {order.region} takes {lane.transit / 3600:g} h")
    if len(lines) > 1:
        parts.append(f"line {outcome.line.line} of {len(lines)} is the latest")
    late = max(0, promised - order.requested_at) / 3600
    parts.append("on time" if late <= 0 else f"{late:g} h after the requested time")
    return reason, "; ".join(parts)


def _reason(outcome: LineOutcome) -> str:
    return outcome.supply.reason if outcome.supply is not None else "stock"
