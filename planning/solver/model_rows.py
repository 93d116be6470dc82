"""The batch model's constraints across variables (stock balances, capacities, the road-time budget, the
facility-location gates) and its objective (see `model`)."""

from __future__ import annotations

from planning.solver.contract import DAY
from planning.solver.model import INF, Model, dawn, dusk


def exogenous_flows(model: Model) -> dict[tuple[str, str, int], float]:
    """Stock that comes and goes whatever the model decides, by slot: opening stock (at the dawn of the
    first day), receipts (an overdue one at the plan's start), and the moves of what is fixed."""
    snap, first = model.snap, model.grid.days.start
    exogenous: dict[tuple[str, str, int], float] = dict(model.fixed.flows)
    for (sku, loc), qty in snap.stock.items():
        exogenous[(sku, loc, dawn(first))] = exogenous.get((sku, loc, dawn(first)), 0.0) + qty
    for r in snap.receipts:
        key = (r.sku, r.location, model.inflow_slot(r.arrive_at))
        exogenous[key] = exogenous.get(key, 0.0) + r.qty
    return exogenous


def add_stock_balances(model: Model) -> None:
    """Stock of every (sku, location) is never negative at the dawn and at the dusk of every day: opening
    stock and receipts plus inflows that have surely arrived, minus everything that left."""
    s, grid = model.solver, model.grid
    exogenous = exogenous_flows(model)
    for sku, loc in {(sku, loc) for sku, loc, _ in model.flows}:
        previous, carried = None, 0.0
        for slot in range(dawn(grid.days.start), dusk(grid.days.stop - 1) + 1):
            carried += exogenous.get((sku, loc, slot), 0.0)
            flows = model.flows.get((sku, loc, slot), [])
            if not flows and (previous is None or slot % 2 == 0):
                continue  # (a dawn without moves is the same row as its dusk)
            level = s.add_variable(lb=0, ub=INF)
            row = s.add_linear_constraint(lb=carried, ub=carried)
            carried = 0.0
            row.set_coefficient(level, 1.0)
            if previous is not None:
                row.set_coefficient(previous, -1.0)
            for var, coef in flows:
                row.set_coefficient(var, row.get_coefficient(var) - coef)
            previous = level


def add_capacities(model: Model) -> None:
    """Per UTC day: hours started on each resource, quantity departing on each capped lane (less what the
    fixed part of a plan uses)."""
    s, snap, used = model.solver, model.snap, model.fixed.used
    hours: dict[tuple[str, int], list] = {}
    for (i, d), qty in [*model.make.items(), *model.make_early.items()]:
        route = snap.routes[i]
        hours.setdefault((route.resource, d), []).append((qty, route.hours_per_unit))
        if (i, d) in model.setup and qty == model.make[(i, d)]:
            hours[(route.resource, d)].append((model.setup[(i, d)], route.setup_hours))
    for (resource, d), terms in hours.items():
        cap = snap.resources[resource].hours_on(d) - used.get(("resource", resource, d), 0.0)
        row = s.add_linear_constraint(lb=-INF, ub=cap)
        for var, coef in terms:
            row.set_coefficient(var, row.get_coefficient(var) + coef)
    departing: dict[tuple[int, int], list] = {}
    for (k, _, d), qty in [*model.move.items(), *model.move_early.items()]:
        departing.setdefault((k, d), []).append((qty, 1.0))
    for (o, j, k, d), share in model.ship.items():
        departing.setdefault((k, d), []).append((share, snap.orders[o].lines[j].qty))
    for (k, d), terms in departing.items():
        lane = snap.lanes[k]
        if lane.capacity_per_day is not None:
            cap = lane.capacity_per_day - used.get(("lane", lane.origin, lane.to, lane.mode, d), 0.0)
            row = s.add_linear_constraint(lb=-INF, ub=cap)
            for var, coef in terms:
                row.set_coefficient(var, coef)


def add_transit_budget(model: Model, need: dict[str, float]) -> None:
    """Relaxed mode: per sku, the unit-seconds spent on the road are at most the horizon times the units
    there can ever be. Holding stops on the road, and a day's model can chain trips a real day cannot hold,
    so without this a round trip would pay for itself without end; every exact plan satisfies it."""
    s, snap = model.solver, model.snap
    span = snap.horizon_end - snap.plan_start
    held: dict[str, float] = {}
    for (sku, _), qty in snap.stock.items():
        held[sku] = held.get(sku, 0.0) + qty
    for r in snap.receipts:
        held[r.sku] = held.get(r.sku, 0.0) + r.qty
    rows: dict[str, object] = {}
    for var, sku, seconds in model.road:
        if sku not in rows:
            units = held.get(sku, 0.0) + need.get(sku, 0.0)
            rows[sku] = s.add_linear_constraint(lb=-INF, ub=span * units / DAY)
        rows[sku].set_coefficient(var, seconds / DAY)


def add_gates(model: Model) -> None:
    """Where a (sku, location) can get goods only through purchase orders or set-up production (no stock,
    no receipts, no transfers in, nothing fixed), nothing leaves it on day d unless one of them was placed to
    arrive by then: each delivery share is at most the number placed so far (x_ij <= y_i in facility
    location, whose LP is far stronger than capacity rows alone)."""
    exogenous = exogenous_flows(model)
    has_stock = {(sku, loc) for (sku, loc, _), qty in exogenous.items() if qty > 0}
    s, snap = model.solver, model.snap
    shares: dict[tuple[str, str], list] = {}
    for (o, j, k, d), share in model.ship.items():
        shares.setdefault((snap.orders[o].lines[j].sku, snap.lanes[k].origin), []).append((d, share))
    for sku, origin, d, share in model.takes:
        shares.setdefault((sku, origin), []).append((d, share))
    for pair, gates in model.gates.items():
        if pair in has_stock or pair not in shares or any(var is None for _, var in gates):
            continue
        by_day = sorted(gates, key=lambda g: g[0])
        for d, share in shares[pair]:
            row = s.add_linear_constraint(lb=0, ub=INF)
            row.set_coefficient(share, -1.0)
            for day, var in by_day:
                if day > d:
                    break
                row.set_coefficient(var, row.get_coefficient(var) + 1.0)


def set_objective(model: Model) -> None:
    """The contract's cost: service (lateness, unserved, broken promises), supply, freight and holding."""
    model.solver.objective = model.objective
