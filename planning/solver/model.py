"""The batch model: a daily time-bucketed mixed-integer flow model of the whole network, solved with HiGHS.

Phases: data (`DayGrid`, reachable pairs) -> variables -> constraints -> objective -> solve -> values.
Quantities per UTC day: purchases by receive day, production by start day, transfers and deliveries by
departure day; inflows count from the latest day they can arrive, so that a daily plan can be timed
exactly (`extract`), where an event starts at its earliest instant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from ortools.math_opt.python import mathopt

from planning.solver.contract import DAY, Lane, Offer, Order, Route, Snapshot, day_of
from planning.solver.network import DayGrid, reachable_pairs
from planning.solver.supply import round_up

INF = math.inf


@dataclass
class Model:
    """The OR-Tools model with its variables indexed by what they decide."""

    snap: Snapshot
    grid: DayGrid
    solver: mathopt.Model
    pairs: set[tuple[str, str]]
    buy: dict[tuple[int, int], object] = field(default_factory=dict)  # (offer index, day)
    buy_open: dict[tuple[int, int], object] = field(default_factory=dict)
    make: dict[tuple[int, int], object] = field(default_factory=dict)  # (route index, day)
    setup: dict[tuple[int, int], object] = field(default_factory=dict)
    move: dict[tuple[int, str, int], object] = field(default_factory=dict)  # (lane index, sku, day)
    ship: dict[tuple[int, int, int, int], object] = field(
        default_factory=dict
    )  # (order, line, lane, day): share
    unserved: dict[int, object] = field(default_factory=dict)
    late: dict[int, object] = field(default_factory=dict)
    broken: dict[int, object] = field(default_factory=dict)
    flows: dict[tuple[str, str, int], list] = field(
        default_factory=dict
    )  # (sku, loc, day) -> [(var, +-1 * k)]
    objective: dict[object, float] = field(default_factory=dict)

    def flow(self, sku: str, loc: str, day: int, var, coef: float) -> None:
        self.flows.setdefault((sku, loc, day), []).append((var, coef))

    def cost(self, var, amount: float) -> None:
        self.objective[var] = self.objective.get(var, 0.0) + amount


@dataclass(frozen=True)
class Solution:
    """The model's daily quantities (only the non-zero ones), its objective and best bound."""

    status: str
    objective: float
    bound: float
    buy: dict[tuple[int, int], float]
    make: dict[tuple[int, int], float]
    move: dict[tuple[int, str, int], float]
    ship: dict[tuple[int, int, int, int], float]
    unserved: set[int]


def estimated_size(snap: Snapshot) -> int:
    """A cheap upper estimate of the model's variable count, to decide whether to build it."""
    days = (snap.horizon_end - snap.plan_start) // DAY + 2
    delivery = sum(len(o.lines) * len(snap.lanes_to(o.region)) for o in snap.orders)
    skus = len({line.sku for o in snap.orders for line in o.lines})
    supply = len(snap.offers) + len(snap.routes) + len(snap.lanes) * skus
    return days * (delivery + supply)


def build(snap: Snapshot) -> Model:
    grid = DayGrid(snap.plan_start, snap.horizon_end)
    model = Model(snap, grid, mathopt.Model(name="takt"), reachable_pairs(snap))
    bounds = demand_bounds(snap)
    for i, offer in enumerate(snap.offers):
        if (offer.sku, offer.location) in model.pairs:
            add_purchases(model, i, offer, bounds.get(offer.sku, 0.0))
    for i, route in enumerate(snap.routes):
        if (route.sku, route.location) in model.pairs:
            add_production(model, i, route, bounds.get(route.sku, 0.0))
    add_transfers(model)
    for o, order in enumerate(snap.orders):
        add_deliveries(model, o, order)
    add_stock_balances(model)
    add_capacities(model)
    set_objective(model)
    return model


def demand_bounds(snap: Snapshot) -> dict[str, float]:
    """An upper bound of what the batch could ever need of each sku (orders exploded through every route)."""
    need: dict[str, float] = {}
    for order in snap.orders:
        for line in order.lines:
            need[line.sku] = need.get(line.sku, 0.0) + line.qty
    for _ in range(6):
        extra: dict[str, float] = dict(need)
        for route in snap.routes:
            for comp in route.components:
                extra[comp.sku] = max(
                    extra.get(comp.sku, 0.0),
                    need.get(comp.sku, 0.0) + need.get(route.sku, 0.0) * comp.qty_per,
                )
        need = extra
    return need


# -- variables with their own constraints -----------------------------------------------------------
def add_purchases(model: Model, i: int, offer: Offer, bound: float) -> None:
    """buy[i, d]: quantity received on day d; buy_open[i, d] when a purchase order is placed (order cost,
    minimum); a whole number of multiples; at most capacity_per_day."""
    s, grid = model.solver, model.grid
    need = round_up(max(bound, offer.min_qty), offer.multiple)  # a purchase order of at least the minimum
    cap = need if offer.capacity_per_day is None else min(need, offer.capacity_per_day)
    earliest = model.snap.plan_start + offer.lead
    if cap <= 0 or earliest > model.snap.horizon_end:
        return
    for d in range(day_of(earliest), grid.days.stop):
        t = max(grid.start_of(d), earliest)
        if t > model.snap.horizon_end:
            break
        if offer.multiple:
            n = s.add_integer_variable(lb=0, ub=math.floor(cap / offer.multiple + 1e-9))
            qty = s.add_variable(lb=0, ub=cap)
            s.add_linear_constraint(qty == offer.multiple * n)
        else:
            qty = s.add_variable(lb=0, ub=cap)
        model.buy[(i, d)] = qty
        if offer.order_cost > 0 or offer.min_qty > 0:
            opened = s.add_binary_variable()
            model.buy_open[(i, d)] = opened
            s.add_linear_constraint(qty <= cap * opened)
            s.add_linear_constraint(qty >= offer.min_qty * opened)
            model.cost(opened, offer.order_cost)
        model.cost(qty, offer.unit_cost + holding(model, offer.sku, t))
        model.flow(offer.sku, offer.location, d, qty, 1.0)


def add_production(model: Model, i: int, route: Route, bound: float) -> None:
    """make[i, d]: quantity started on day d (components out that day, output in when it can have ended);
    setup[i, d] when a production order starts that day (setup hours and cost)."""
    s, grid, snap = model.solver, model.grid, model.snap
    resource = snap.resources[route.resource]
    for d in grid.days:
        start = grid.start_of(d)
        if start + route.lead > snap.horizon_end:
            break
        hours = resource.hours_on(d) - route.setup_hours
        cap = bound if route.hours_per_unit <= 0 else min(bound, hours / route.hours_per_unit)
        if cap <= 0 or hours < 0:
            continue
        qty = s.add_variable(lb=0, ub=cap)
        model.make[(i, d)] = qty
        if route.setup_hours > 0 or route.setup_cost > 0:
            on = s.add_binary_variable()
            model.setup[(i, d)] = on
            s.add_linear_constraint(qty <= cap * on)
            model.cost(on, route.setup_cost)
        out_cost = holding(model, route.sku, start + route.lead)
        in_cost = sum(holding(model, c.sku, start) * c.qty_per for c in route.components)
        model.cost(qty, route.unit_cost + out_cost - in_cost)
        model.flow(route.sku, route.location, grid.arrival_day(d, route.lead), qty, 1.0)
        for comp in route.components:
            model.flow(comp.sku, route.location, d, qty, -comp.qty_per)


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
            for d in grid.days:
                start = grid.start_of(d)
                if start + lane.transit > snap.horizon_end:
                    break
                qty = s.add_variable(lb=0, ub=INF)
                model.move[(k, sku, d)] = qty
                rate = lane.unit_cost + holding(model, sku, start + lane.transit) - holding(model, sku, start)
                model.cost(qty, rate)
                model.flow(sku, lane.origin, d, qty, -1.0)
                model.flow(sku, lane.to, grid.arrival_day(d, lane.transit), qty, 1.0)


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
        s.add_linear_constraint(broken >= unserved)
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
            for d, arrive in delivery_days(model.grid, order, lane):
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
                model.flow(line.sku, lane.origin, d, share, -line.qty)
    model.cost(unserved, order.weight * snap.policy.unserved_penalty)
    model.cost(late, order.weight * snap.policy.lateness_cost_per_day)
    if broken is not None:
        model.cost(broken, order.weight * snap.policy.broken_promise_penalty)


def _delivery_lanes(model: Model, sku: str, region: str) -> list[tuple[int, Lane]]:
    return [
        (k, lane)
        for k, lane in enumerate(model.snap.lanes)
        if lane.to == region and (sku, lane.origin) in model.pairs
    ]


def delivery_days(grid: DayGrid, order: Order, lane: Lane) -> list[tuple[int, int]]:
    """(departure day, estimated arrival) of a delivery: not before requested, not after the horizon."""
    earliest = max(grid.plan_start, order.requested_at - lane.transit)
    days = []
    for d in range(day_of(earliest), grid.days.stop):
        depart = max(grid.start_of(d), earliest)
        if depart + lane.transit > grid.horizon_end:
            break
        days.append((d, depart + lane.transit))
    return days


def holding(model: Model, sku: str, t: int) -> float:
    """Holding cost of one unit arriving at `t` and staying to the horizon's end."""
    return model.snap.holding.get(sku, 0.0) * max(0, model.snap.horizon_end - t) / DAY


# -- constraints across variables --------------------------------------------------------------------
def add_stock_balances(model: Model) -> None:
    """Stock of every (sku, location) at the end of every day is never negative: opening stock and receipts
    plus inflows that have surely arrived, minus everything that left."""
    s, grid, snap = model.solver, model.grid, model.snap
    exogenous: dict[tuple[str, str, int], float] = {}
    first = grid.days.start
    for (sku, loc), qty in snap.stock.items():
        exogenous[(sku, loc, first)] = exogenous.get((sku, loc, first), 0.0) + qty
    for r in snap.receipts:
        key = (r.sku, r.location, day_of(r.arrive_at))
        exogenous[key] = exogenous.get(key, 0.0) + r.qty
    pairs = {(sku, loc) for sku, loc, _ in model.flows}
    for sku, loc in pairs:
        previous, carried = None, 0.0
        for d in grid.days:
            carried += exogenous.get((sku, loc, d), 0.0)
            flows = model.flows.get((sku, loc, d), [])
            if not flows and previous is None:
                continue
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
    """Per UTC day: hours started on each resource, quantity departing on each capped lane."""
    s, snap = model.solver, model.snap
    hours: dict[tuple[str, int], list] = {}
    for (i, d), qty in model.make.items():
        route = snap.routes[i]
        hours.setdefault((route.resource, d), []).append((qty, route.hours_per_unit))
        if (i, d) in model.setup:
            hours[(route.resource, d)].append((model.setup[(i, d)], route.setup_hours))
    for (resource, d), terms in hours.items():
        row = s.add_linear_constraint(lb=-INF, ub=snap.resources[resource].hours_on(d))
        for var, coef in terms:
            row.set_coefficient(var, row.get_coefficient(var) + coef)
    departing: dict[tuple[int, int], list] = {}
    for (k, _, d), qty in model.move.items():
        departing.setdefault((k, d), []).append((qty, 1.0))
    for (o, j, k, d), share in model.ship.items():
        departing.setdefault((k, d), []).append((share, snap.orders[o].lines[j].qty))
    for (k, _), terms in departing.items():
        cap = snap.lanes[k].capacity_per_day
        if cap is not None:
            row = s.add_linear_constraint(lb=-INF, ub=cap)
            for var, coef in terms:
                row.set_coefficient(var, coef)


def set_objective(model: Model) -> None:
    """The contract's cost: service (lateness, unserved, broken promises), supply, freight and holding."""
    objective = model.solver.objective
    objective.is_maximize = False
    for var, coef in model.objective.items():
        objective.set_linear_coefficient(var, coef)


def solve_model(model: Model, time_limit_s: float) -> Solution | None:
    """Solve with HiGHS within the time limit; the best solution found and the best bound proved."""
    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=max(0.5, time_limit_s)), relative_gap_tolerance=1e-5
    )
    result = mathopt.solve(model.solver, mathopt.SolverType.HIGHS, params=params)
    if not result.has_primal_feasible_solution():
        return None
    solved = result.variable_values()

    def values(table: dict) -> dict:
        return {key: v for key, var in table.items() if (v := solved[var]) > 1e-7}

    optimal = result.termination.reason == mathopt.TerminationReason.OPTIMAL
    unserved = {o for o, var in model.unserved.items() if solved[var] > 0.5}
    return Solution(
        "optimal" if optimal else "feasible",
        result.objective_value(),
        result.termination.objective_bounds.dual_bound,
        values(model.buy),
        values(model.make),
        values(model.move),
        _shipped(model, values(model.ship)),
        unserved,
    )


def _shipped(model: Model, shares: dict) -> dict:
    """Delivered quantities from the shares of each line."""
    return {(o, j, k, d): share * model.snap.orders[o].lines[j].qty for (o, j, k, d), share in shares.items()}
