"""True lower bounds for networks too big for the exact model: the floor (`floor_bound`, milliseconds at any
size) and a compact relaxation solved as an LP (`lower_bound`).

The floor plans each order alone against everything (every stock, every line, every lane free for it), and
counts the holding no plan can avoid:
- an order costs at least the cheaper of leaving it unserved and serving it: each line as soon as its goods
  could reach the region (`network.earliest_stock`, then the fastest lane) at the cheapest lane's freight,
  late by the latest line (ship-complete) or by the lines' weighted mean (partial), with the broken promise
  if even that is too late;
- a sku's stock and receipts are charged holding to the horizon's end, less the most that leaving goods
  could save: an order's units from the earliest they could leave for its region, what else the orders
  could ever need of it (components, exploded through the routes) from the plan's start. A
  sku that could save holding on the road (a transfer lane cheaper than its holding over the transit) or by
  being made into a good cheaper to hold is not counted at all.
Every plan's cost splits into a part per order that serves it, each no cheaper than the order alone, and
holding at least the floor's; supply actions' costs are never negative. So the sum is a lower bound.

The compact relaxation:

It is the relaxed daily model (`model`, relaxed mode) made smaller in ways that can only lower its optimum,
so that its LP value is still a lower bound of the contract's optimum:
- the lanes from one place to one region are one lane, as cheap as the cheapest and as fast as the fastest,
  with no capacity, and holding credited as if the goods left as early as the slowest of them would have had
  to; transfer lanes of one transit between two locations are one lane, as cheap as the cheapest;
- a line's deliveries later than a window after its first possible day are one variable, as late as the
  window's end, taking its goods on the last day they could leave;
- an order's lateness, unserved and broken-promise costs are spread over its units (each unit pays its share
  of the order's cost by when it arrives): the mean of the lines' lateness is never more than the latest's;
- integrality is dropped.
It keeps the full model's facility-location gates (`model_rows.add_gates`: where goods come only through
purchase orders or set-up production, a delivery's share is at most the number placed by the day it takes
its goods): a merged delivery takes its goods no earlier than any delivery it stands for, so every plan
still satisfies them. Without them the LP opens a purchase order only as far as its quantity fills its
room, and pays that share of its cost: on the OR-Library capacitated facility-location cases (cap61-64,
82, 124, 133) the compact bound was 0.72-0.93 of the optimum, with the gates 0.996-1.000.
"""

from __future__ import annotations

import math
import time

from planning.solver.contract import DAY, Order, Snapshot, day_of
from planning.solver.lp import solve
from planning.solver.model import RELAXED, Model, converting_routes, demand_bounds, dusk, holding
from planning.solver.model_build import build
from planning.solver.network import can_have, earliest_stock

WINDOW_DAYS = 10


MIN_LP_S = 0.05  # the LP of a 12-30-order network solves in hundredths of a second


def lower_bound(snap: Snapshot, time_limit_s: float) -> float | None:
    """The compact relaxation's LP value plus the opening stock's holding (None if not solved in time)."""
    from planning.solver.plan import opening_holding

    started = time.monotonic()
    model = build(snap, RELAXED, moves=add_merged_transfers, deliveries=add_merged_deliveries)
    model.solver.relax()
    left = time_limit_s - (time.monotonic() - started)
    if left <= MIN_LP_S:
        return None
    result = solve(model.solver, left)
    if result is None or not result.optimal:
        return None
    # a plan's cost is never below zero (holding is the integral of stock that is never negative)
    return max(0.0, result.bound + opening_holding(snap))


def floor_bound(snap: Snapshot) -> float:
    """The floor: each order alone at its cheapest and earliest, and the holding no plan avoids (above)."""
    earliest = earliest_stock(snap)
    return sum(_order_floor(snap, order, earliest) for order in snap.orders) + _holding_floor(snap)


def _order_floor(snap: Snapshot, order: Order, earliest: dict[tuple[str, str], int]) -> float:
    policy = snap.policy
    promised = order.confirmed_promise_at
    unserved = policy.unserved_penalty + (policy.broken_promise_penalty if promised is not None else 0.0)
    arrivals, freight = [], 0.0
    for line in order.lines:
        first, cheapest = None, math.inf
        for lane in snap.lanes_to(order.region):
            ready = earliest.get((line.sku, lane.origin))
            if ready is None:
                continue
            arrive = max(ready, order.requested_at - lane.transit, snap.plan_start) + lane.transit
            if arrive > snap.horizon_end:
                continue
            first = arrive if first is None else min(first, arrive)
            cheapest = min(cheapest, lane.unit_cost)
        if first is None:
            return order.weight * unserved  # a line no plan can deliver
        arrivals.append((first, line.qty))
        freight += line.qty * cheapest
    if order.ship_complete:
        late = max(0, max(t for t, _ in arrivals) - order.requested_at)
    else:
        late = sum(q * max(0, t - order.requested_at) for t, q in arrivals) / sum(q for _, q in arrivals)
    service = policy.lateness_cost_per_day * late / DAY
    if promised is not None and max(t for t, _ in arrivals) > promised + 1:
        service += policy.broken_promise_penalty
    return min(order.weight * unserved, order.weight * service + freight)


def _holding_floor(snap: Snapshot) -> float:
    span = (snap.horizon_end - snap.plan_start) / DAY
    area: dict[str, float] = {}
    for (sku, _), qty in snap.stock.items():
        area[sku] = area.get(sku, 0.0) + qty * span
    for r in snap.receipts:
        area[r.sku] = area.get(r.sku, 0.0) + r.qty * max(0, snap.horizon_end - r.arrive_at) / DAY
    have = can_have(snap)
    # unit-days of holding that leaving goods could save: an order's units from when they could leave at the
    # earliest for its region, anything else the orders could need (components) from the plan's start
    credit = {sku: qty * span for sku, qty in demand_bounds(snap, snap.orders).items()}
    for order in snap.orders:
        slowest = max((lane.transit for lane in snap.lanes_to(order.region)), default=0)
        leaves = max(snap.plan_start, order.requested_at - slowest)
        for line in order.lines:
            credit[line.sku] -= line.qty * (leaves - snap.plan_start) / DAY
    unbounded = {c.sku for i in converting_routes(snap, have) for c in snap.routes[i].components}
    held_at: dict[str, list[str]] = {}
    for sku, loc in have:
        held_at.setdefault(loc, []).append(sku)
    for lane in snap.lanes:
        if lane.to in snap.location_region:
            unbounded |= {
                sku
                for sku in held_at.get(lane.origin, ())
                if snap.holding.get(sku, 0.0) * lane.transit / DAY > lane.unit_cost
            }
    return sum(
        snap.holding.get(sku, 0.0) * max(0.0, units - credit.get(sku, 0.0))
        for sku, units in area.items()
        if sku not in unbounded
    )


def _groups(snap: Snapshot, lanes) -> dict[tuple[str, str], tuple[int, int, float]]:
    """(origin, destination) -> (fastest transit, slowest transit, cheapest unit cost) of `lanes`."""
    groups: dict[tuple[str, str], tuple[int, int, float]] = {}
    for lane in lanes:
        key = (lane.origin, lane.to)
        fast, slow, cheap = groups.get(key, (lane.transit, lane.transit, lane.unit_cost))
        groups[key] = (min(fast, lane.transit), max(slow, lane.transit), min(cheap, lane.unit_cost))
    return groups


def add_merged_transfers(model: Model) -> None:
    """Transfers on one lane per (origin, destination, transit), at the cheapest freight of those lanes, with
    no capacity. Lanes of different transits stay apart: a lane merged as fast as the fastest and credited
    holding as long as the slowest would let the relaxation send goods round and round for holding it
    never pays (the compact bound of generate.py's medium network was below zero)."""
    s, grid, snap = model.solver, model.grid, model.snap
    cheapest: dict[tuple[str, str, int], float] = {}
    for lane in snap.lanes:
        if lane.to in snap.location_region:
            key = (lane.origin, lane.to, lane.transit)
            cheapest[key] = min(cheapest.get(key, lane.unit_cost), lane.unit_cost)
    for (origin, to, transit), cheap in cheapest.items():
        skus = sorted({sku for sku, loc in model.pairs if loc == origin and (sku, to) in model.pairs})
        for sku in skus:
            model.gates.setdefault((sku, to), []).append((None, None))  # not gated: no fixed cost
            for d in range(max(grid.days.start, model.ready_day(sku, origin)), grid.days.stop):
                start = grid.start_of(d)
                if start + transit > snap.horizon_end:
                    break
                qty = s.add_variable(lb=0)
                model.road.append((qty, sku, transit))
                model.cost(qty, cheap + holding(model, sku, start + transit) - holding(model, sku, start))
                model.flow(sku, origin, dusk(d), qty, -1.0)
                model.flow(sku, to, dusk(day_of(start + transit)), qty, 1.0)


def add_merged_deliveries(model: Model, o: int, order: Order) -> None:
    """Each line delivered from each place on its one merged lane, by day within the window, then late."""
    s, snap, policy = model.solver, model.snap, model.snap.policy
    total = sum(line.qty for line in order.lines)
    unserved = model.unserved[o] = s.add_variable(lb=0, ub=1)
    penalty = policy.unserved_penalty + (policy.broken_promise_penalty if order.confirmed_promise_at else 0)
    model.cost(unserved, order.weight * penalty)
    groups = _groups(snap, snap.lanes_to(order.region))
    for line in order.lines:
        served = s.add_linear_constraint(lb=1, ub=1)
        served.set_coefficient(unserved, 1.0)
        share_of_order = line.qty / total
        for (origin, _), (fast, slow, cheap) in groups.items():
            if (line.sku, origin) not in model.pairs:
                continue
            for day, arrive, leave_day in _days(model, order, line.sku, origin, fast):
                share = s.add_variable(lb=0, ub=1)
                served.set_coefficient(share, 1.0)
                late_days = max(0, arrive - order.requested_at) / DAY
                cost = order.weight * policy.lateness_cost_per_day * late_days * share_of_order
                if order.confirmed_promise_at is not None and arrive > order.confirmed_promise_at + 1:
                    cost += order.weight * policy.broken_promise_penalty * share_of_order
                left = max(snap.plan_start, model.grid.start_of(day) - (slow - fast))
                cost += line.qty * (cheap - holding(model, line.sku, left))
                model.cost(share, cost)
                model.flow(line.sku, origin, dusk(leave_day), share, -line.qty)
                model.takes.append((line.sku, origin, leave_day, share))  # gated (`add_gates`)


def _days(model: Model, order: Order, sku: str, origin: str, fast: int) -> list[tuple[int, int, int]]:
    """(departure day, earliest arrival, day the goods are taken) of each delivery variable: one per day in
    the window, then one for every later day together."""
    grid, snap = model.grid, model.snap
    ready = model.earliest.get((sku, origin), snap.horizon_end + 1)
    earliest = max(grid.plan_start, order.requested_at - fast, ready)
    first = day_of(earliest)
    last = day_of(snap.horizon_end - fast)
    found = []
    for d in range(first, last + 1):
        arrive = max(grid.start_of(d), earliest) + fast
        if arrive > snap.horizon_end:
            break
        if d - first < WINDOW_DAYS:
            found.append((d, arrive, d))
        else:
            found.append((d, arrive, last))  # every later day as one: as late as the first of them
            break
    return found
