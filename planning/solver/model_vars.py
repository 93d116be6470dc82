"""The batch model's variables, each kind with its own constraints: purchases, production, transfers and
deliveries (see `model`)."""

from __future__ import annotations

import math

from planning.solver.contract import DAY, Lane, Offer, Order, Route, day_of
from planning.solver.model import (
    INF,
    MAX_LANES,
    RESTRICTED,
    Model,
    dawn,
    delivery_days,
    dusk,
    holding,
)
from planning.solver.supply import round_up


def add_purchases(model: Model, i: int, offer: Offer, bound: float) -> None:
    """buy[i, d]: quantity received on day d; buy_open[i, d] when a purchase order is placed (order cost,
    minimum); a whole number of multiples; at most capacity_per_day (less what fixed orders take)."""
    s, grid, snap = model.solver, model.grid, model.snap
    need = round_up(max(bound, offer.min_qty), offer.multiple)  # a purchase order of at least the minimum
    earliest = offer.earliest_receipt(snap.plan_start)
    if need <= 0 or earliest > snap.horizon_end:
        return
    key = ("offer", offer.supplier, offer.sku, offer.location)
    for d in range(day_of(earliest), model.supply_days.stop):
        t = max(grid.start_of(d), earliest)
        if t > snap.horizon_end:
            break
        cap = need
        if offer.capacity_per_day is not None:
            cap = min(need, offer.capacity_per_day - model.fixed.used.get((*key, d), 0.0))
        if cap <= 1e-9:
            continue
        if offer.multiple:
            n = s.add_integer_variable(lb=0, ub=math.floor(cap / offer.multiple + 1e-9))
            qty = s.add_variable(lb=0, ub=cap)
            s.add_linear_constraint(0.0, 0.0, {qty: 1.0, n: -offer.multiple})
            model.buy_lots[(i, d)] = n
        else:
            qty = s.add_variable(lb=0, ub=cap)
        model.buy[(i, d)] = qty
        lot_paid = ("buy", i, d) in model.fixed.lots
        if (offer.order_cost > 0 or offer.min_qty > 0) and not lot_paid:
            opened = s.add_binary_variable()
            model.buy_open[(i, d)] = opened
            s.add_linear_constraint(-INF, 0.0, {qty: 1.0, opened: -cap})
            if offer.min_qty > 0:
                s.add_linear_constraint(0.0, INF, {qty: 1.0, opened: -offer.min_qty})
            model.cost(opened, offer.order_cost)
        model.gates.setdefault((offer.sku, offer.location), []).append((d, model.buy_open.get((i, d))))
        received = t if model.mode == RESTRICTED else min(snap.horizon_end, (d + 1) * DAY - 1)
        model.cost(qty, offer.unit_cost + holding(model, offer.sku, received))
        model.flow(offer.sku, offer.location, model.inflow_slot(t), qty, 1.0)


def add_production(model: Model, i: int, route: Route, bound: float) -> None:
    """make[i, d]: quantity started on day d (components out that day, output in when it can have ended);
    setup[i, d] when a production order starts that day (setup hours and cost)."""
    s, grid, snap = model.solver, model.grid, model.snap
    resource = snap.resources[route.resource]
    ready = max([grid.days.start, *(model.ready_day(c.sku, route.location) for c in route.components)])
    for d in range(ready, model.supply_days.stop):
        start = grid.start_of(d)
        if start + route.lead > snap.horizon_end:
            break
        lot_paid = ("make", i, d) in model.fixed.lots
        setup_hours = 0.0 if lot_paid else route.setup_hours
        used = model.fixed.used.get(("resource", route.resource, d), 0.0)
        hours = resource.hours_on(d) - setup_hours - used
        if hours < 0 or (hours <= 1e-9 and route.hours_per_unit > 0):
            continue
        cap = bound if route.hours_per_unit <= 0 else min(bound, hours / route.hours_per_unit)
        if cap <= 1e-9:
            continue
        qty = s.add_variable(lb=0, ub=cap)
        model.make[(i, d)] = qty
        early_slot = model.early_slot(d, route.lead)
        early = None
        if early_slot is not None:
            early = model.make_early[(i, d)] = s.add_variable(lb=0, ub=cap)
        on = None
        if (route.setup_hours > 0 or route.setup_cost > 0) and not lot_paid:
            on = s.add_binary_variable()
            model.setup[(i, d)] = on
            limit = s.add_linear_constraint(-INF, 0.0, {qty: 1.0, on: -cap})
            if early is not None:
                limit.set_coefficient(early, 1.0)
            model.cost(on, route.setup_cost)
        model.gates.setdefault((route.sku, route.location), []).append((model.arrival_day(d, route.lead), on))
        out_cost = holding(model, route.sku, model.arrival_time(d, route.lead))
        in_cost = sum(holding(model, c.sku, start) * c.qty_per for c in route.components)
        model.cost(qty, route.unit_cost + out_cost - in_cost)
        model.flow(route.sku, route.location, dusk(model.arrival_day(d, route.lead)), qty, 1.0)
        for comp in route.components:
            model.flow(comp.sku, route.location, dusk(d), qty, -comp.qty_per)
        if early is not None:
            model.gates[(route.sku, route.location)].append((early_slot // 2, on))
            model.cost(early, route.unit_cost + out_cost - in_cost)
            model.flow(route.sku, route.location, early_slot, early, 1.0)
            for comp in route.components:
                model.flow(comp.sku, route.location, dawn(d), early, -comp.qty_per)


def add_transfers(model: Model) -> None:
    """move[lane, sku, d]: quantity of sku departing on lane on day d, arriving when it can have arrived."""
    s, grid, snap = model.solver, model.grid, model.snap
    for k, lane in enumerate(snap.lanes):
        if lane.to not in snap.location_region:
            continue
        skus = sorted(
            {sku for sku, loc in model.pairs if loc == lane.origin and (sku, lane.to) in model.pairs}
        )
        for sku in skus:
            model.gates.setdefault((sku, lane.to), []).append((None, None))  # not gated: no fixed cost
            for d in range(max(grid.days.start, model.ready_day(sku, lane.origin)), model.supply_days.stop):
                start = grid.start_of(d)
                if start + lane.transit > snap.horizon_end:
                    break
                qty = s.add_variable(lb=0, ub=INF)
                model.move[(k, sku, d)] = qty
                model.road.append((qty, sku, lane.transit))
                # holding stops while the goods are on the road, exactly the transit whenever they leave
                rate = lane.unit_cost + holding(model, sku, start + lane.transit) - holding(model, sku, start)
                model.cost(qty, rate)
                model.flow(sku, lane.origin, dusk(d), qty, -1.0)
                model.flow(sku, lane.to, dusk(model.arrival_day(d, lane.transit)), qty, 1.0)
                early_slot = model.early_slot(d, lane.transit)
                if early_slot is not None:
                    early = model.move_early[(k, sku, d)] = s.add_variable(lb=0, ub=INF)
                    model.cost(early, rate)
                    model.flow(sku, lane.origin, dawn(d), early, -1.0)
                    model.flow(sku, lane.to, early_slot, early, 1.0)


def add_deliveries(model: Model, o: int, order: Order) -> None:
    """ship[o, line, lane, d]: share of a line leaving on a lane to the order's region on day d; every line
    served in full unless unserved[o]; late[o] in days (the mean over each line's deliveries, or over all the
    order's deliveries when it may ship in parts); broken[o] when the earlier promise is not kept."""
    s, snap = model.solver, model.snap
    unserved = model.unserved[o] = s.add_binary_variable()
    late = model.late[o] = s.add_variable(lb=0, ub=INF)
    broken = None
    if order.confirmed_promise_at is not None:
        broken = model.broken[o] = s.add_variable(lb=0, ub=1)
        s.add_linear_constraint(0.0, INF, {broken: 1.0, unserved: -1.0})
    total = sum(line.qty for line in order.lines)
    partial_late = s.add_linear_constraint(lb=0, ub=INF) if not order.ship_complete else None
    if partial_late is not None:
        partial_late.set_coefficient(late, 1.0)
    for j, line in enumerate(order.lines):
        served = s.add_linear_constraint(lb=1, ub=1)
        served.set_coefficient(unserved, 1.0)
        line_late = s.add_linear_constraint(lb=0, ub=INF) if order.ship_complete else None
        if line_late is not None:
            line_late.set_coefficient(late, 1.0)
        line_broken = s.add_linear_constraint(lb=0, ub=INF) if broken is not None else None
        if line_broken is not None:
            line_broken.set_coefficient(broken, 1.0)
        for k, lane in _delivery_lanes(model, line.sku, order.region):
            ready = model.earliest.get((line.sku, lane.origin), snap.horizon_end + 1)
            for d, arrive in delivery_days(model.grid, order, lane, ready, model.last_ship_day.get(o)):
                share = s.add_binary_variable() if order.ship_complete else s.add_variable(lb=0, ub=1)
                model.ship[(o, j, k, d)] = share
                served.set_coefficient(share, 1.0)
                days_late = max(0, arrive - order.requested_at) / DAY
                if line_late is not None:
                    line_late.set_coefficient(share, -days_late)
                else:
                    partial_late.set_coefficient(share, -days_late * line.qty / total)
                if line_broken is not None and arrive > order.confirmed_promise_at + 1:
                    line_broken.set_coefficient(share, -1.0)
                model.cost(
                    share, line.qty * (lane.unit_cost - holding(model, line.sku, arrive - lane.transit))
                )
                model.flow(line.sku, lane.origin, model.delivery_slot(d), share, -line.qty)
    model.cost(unserved, order.weight * snap.policy.unserved_penalty)
    model.cost(late, order.weight * snap.policy.lateness_cost_per_day)
    if broken is not None:
        model.cost(broken, order.weight * snap.policy.broken_promise_penalty)


def _delivery_lanes(model: Model, sku: str, region: str) -> list[tuple[int, Lane]]:
    """The lanes a line may be delivered on: all of them for a bound; for a plan, the MAX_LANES cheapest
    (by freight, then transit), so that a region served from a hundred places stays a small model."""
    lanes = [
        (k, lane)
        for k, lane in enumerate(model.snap.lanes)
        if lane.to == region and (sku, lane.origin) in model.pairs
    ]
    if model.mode == RESTRICTED and len(lanes) > MAX_LANES:
        lanes = sorted(lanes, key=lambda kl: (kl[1].unit_cost, kl[1].transit))[:MAX_LANES]
        model.pruned = True
    return lanes
