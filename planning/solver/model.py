"""The batch model: a daily time-bucketed mixed-integer flow model of a network, solved with HiGHS.

Phases: data (`DayGrid`, pairs) -> variables -> constraints -> objective -> solve -> values. Quantities per
UTC day: purchases by receive day, production by start day, transfers and deliveries by departure day.

The model comes in two modes, because the contract times everything to the second and the model by day:
- `restricted`, for plans: an inflow counts from the latest day it can arrive and a delivery's lateness
  from the earliest instant it can leave that day, so a daily plan can be timed exactly (`extract`), each
  event at its earliest instant; its costs are those of the timed plan. Its optimum is *not* a bound.
- `relaxed`, for bounds: every exact plan maps onto a solution of it that costs no more — inflows count
  from the earliest day they can arrive, holding is charged from the latest instant an inflow can come and
  credited from the earliest an outflow can leave, lines of one order may arrive apart (lateness is the
  latest line's), and a route may run only to turn stock into something cheaper to hold. So its MIP bound
  (or LP value) is a true lower bound of the contract's optimum. Where all times fall on midnights (the
  published cases) the two modes are the same model.
Both are strengthened where fixed costs make the LP weak: a purchase's or a production's quantity is bounded
by what the batch can use, and a location that can get goods only through ordered or set-up supply can ship
nothing before one is placed (per delivery share: the facility-location inequality x_ij <= y_i).

`Fixed` carries what a neighbourhood search keeps of a plan: stock moves of fixed orders and actions,
capacity they use, and lots already paid for, so that the model plans the rest around them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from ortools.math_opt.python import mathopt

from planning.solver.contract import DAY, Lane, Offer, Order, Route, Snapshot, day_of
from planning.solver.network import DayGrid, can_have, earliest_stock, needed
from planning.solver.supply import round_up

INF = math.inf
RESTRICTED, RELAXED = "restricted", "relaxed"
BOUND_ONLY = "bound only"  # a solve that proved a bound but found no solution
MAX_LANES = 48  # delivery lanes per line in a plan's model (see _delivery_lanes)
# a plan's model offers each order the days up to this many past its wanted day or its best plan's last
# departure (`ship_window`; small generated network, 50 orders: 43,000 variables -> 20,000, and the plan
# HiGHS finds in 30 s 2% below the best passes' instead of about level with them)
SHIP_SLACK_DAYS = 3


@dataclass
class Fixed:
    """The part of a plan a model must plan around: stock moves per (sku, location, slot) of the fixed orders
    and actions, capacity they use per (capacity key, day), and lots placed (("buy", offer index, day) or
    ("make", route index, day)) that more quantity can join without another order cost or setup."""

    flows: dict[tuple[str, str, int], float] = field(default_factory=dict)
    used: dict[tuple, float] = field(default_factory=dict)
    lots: set[tuple[str, int, int]] = field(default_factory=set)


@dataclass
class Model:
    """The OR-Tools model with its variables indexed by what they decide."""

    snap: Snapshot
    grid: DayGrid
    mode: str
    solver: mathopt.Model
    pairs: set[tuple[str, str]]
    orders: list[int]
    fixed: Fixed
    buy: dict[tuple[int, int], object] = field(default_factory=dict)  # (offer index, receive day)
    buy_open: dict[tuple[int, int], object] = field(default_factory=dict)
    buy_lots: dict[tuple[int, int], object] = field(default_factory=dict)  # multiples of the offer bought
    make: dict[tuple[int, int], object] = field(default_factory=dict)  # (route index, start day)
    make_early: dict[tuple[int, int], object] = field(default_factory=dict)  # started at the day's start
    setup: dict[tuple[int, int], object] = field(default_factory=dict)
    move: dict[tuple[int, str, int], object] = field(default_factory=dict)  # (lane index, sku, day)
    move_early: dict[tuple[int, str, int], object] = field(default_factory=dict)  # leaving at the day's start
    ship: dict[tuple[int, int, int, int], object] = field(default_factory=dict)  # (order, line, lane, day)
    unserved: dict[int, object] = field(default_factory=dict)
    late: dict[int, object] = field(default_factory=dict)
    broken: dict[int, object] = field(default_factory=dict)
    flows: dict[tuple[str, str, int], list] = field(default_factory=dict)  # (sku, loc, slot) -> [(var, k)]
    gates: dict[tuple[str, str], list[tuple[int, object]]] = field(default_factory=dict)  # see add_gates
    objective: dict[object, float] = field(default_factory=dict)
    earliest: dict[tuple[str, str], int] = field(default_factory=dict)  # see network.earliest_stock
    pruned: bool = False  # some lines were left only their cheapest lanes (then it bounds nothing)
    last_ship_day: dict[int, int] = field(default_factory=dict)  # order -> its last departure day (plans)
    road: list[tuple[object, str, int]] = field(default_factory=list)  # transfers: (var, sku, seconds)
    supply_stop: int | None = None  # the first day no supply is planned on (see `build`)

    @property
    def supply_days(self) -> range:
        """The days purchases are received, production started and transfers leave on."""
        days = self.grid.days
        return days if self.supply_stop is None else range(days.start, min(days.stop, self.supply_stop))

    def ready_day(self, sku: str, loc: str) -> int:
        """The first day goods of `sku` could be at `loc` (past the horizon if never)."""
        return day_of(self.earliest.get((sku, loc), self.snap.horizon_end + DAY))

    def flow(self, sku: str, loc: str, slot: int, var, coef: float) -> None:
        """`var` * `coef` into (sku, loc) at `slot` (see `dawn` and `dusk`)."""
        self.flows.setdefault((sku, loc, slot), []).append((var, coef))

    def inflow_slot(self, t: int) -> int:
        """The slot an inflow at instant `t` counts in: the dawn of its day when it comes at the day's start
        (restricted mode: early events can use it), else its dusk."""
        d = day_of(t)
        return dawn(d) if self.mode == RESTRICTED and t == self.grid.start_of(d) else dusk(d)

    def early_slot(self, day: int, duration: int) -> int | None:
        """Restricted mode: the slot an event started at the very start of `day` arrives in, when that is
        sooner than where one started any time that day arrives (None: no sooner, or relaxed mode)."""
        if self.mode != RESTRICTED:
            return None
        slot = self.inflow_slot(self.grid.start_of(day) + duration)
        return slot if slot < dusk(self.arrival_day(day, duration)) else None

    def delivery_slot(self, day: int) -> int:
        """The slot a delivery leaving on `day` takes its goods from. Restricted mode: the dawn, since its
        lateness counts from the earliest instant it can leave that day, when an inflow later in the day
        (counted at the dusk) is not there yet; relaxed mode: the dusk."""
        return dawn(day) if self.mode == RESTRICTED else dusk(day)

    def cost(self, var, amount: float) -> None:
        self.objective[var] = self.objective.get(var, 0.0) + amount

    def arrival_day(self, day: int, duration: int) -> int:
        """The day an inflow started on `day` after `duration` counts from, in this mode."""
        if self.mode == RELAXED:
            return day_of(self.grid.start_of(day) + duration)
        return self.grid.arrival_day(day, duration)

    def arrival_time(self, day: int, duration: int) -> int:
        """The instant holding is charged from for an inflow started on `day` after `duration`."""
        if self.mode == RELAXED:
            return min(self.snap.horizon_end, (day + 1) * DAY - 1 + duration)
        return self.grid.start_of(day) + duration


def dawn(day: int) -> int:
    """The slot at the start of `day` (the plan's start on its first day): what is there may leave then."""
    return 2 * day


def dusk(day: int) -> int:
    """The slot at the end of `day`: stock must not be below zero once the day's moves are done."""
    return 2 * day + 1


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
    make_early: dict[tuple[int, int], float] = field(default_factory=dict)
    move_early: dict[tuple[int, str, int], float] = field(default_factory=dict)


def estimated_size(snap: Snapshot, orders: list[int] | None = None) -> int:
    """A cheap upper estimate of the model's variable count, to decide whether to build it: deliveries of
    the orders, and supply of what can reach them."""
    days = (snap.horizon_end - snap.plan_start) // DAY + 2
    chosen = snap.orders if orders is None else [snap.orders[o] for o in orders]
    delivery = sum(len(o.lines) * min(MAX_LANES, len(snap.lanes_to(o.region))) for o in chosen)
    pairs = needed(snap, chosen) if orders is not None else None
    offers = sum(1 for o in snap.offers if pairs is None or (o.sku, o.location) in pairs)
    routes = sum(1 for r in snap.routes if pairs is None or (r.sku, r.location) in pairs)
    skus_at: dict[str, int] = {}
    for _sku, loc in pairs if pairs is not None else {(line.sku, None) for o in chosen for line in o.lines}:
        skus_at[loc] = skus_at.get(loc, 0) + 1
    transfers = sum(
        skus_at.get(lane.origin if pairs is not None else None, 0)
        for lane in snap.lanes
        if lane.to in snap.location_region
    )
    return days * (delivery + 2 * (offers + routes) + 2 * transfers)


def build(
    snap: Snapshot,
    mode: str = RESTRICTED,
    *,
    orders: list[int] | None = None,
    fixed: Fixed | None = None,
    moves=None,
    deliveries=None,
    last_ship_day: dict[int, int] | None = None,
) -> Model:
    """The model of `orders` (all by default) in `mode`, around what `fixed` keeps of a plan. `moves` and
    `deliveries` (functions of the model, and of the model and an order) replace how transfers and
    deliveries are modelled (see `bound`); the gates then are left out. `last_ship_day` (restricted mode
    only: a restriction bounds nothing) caps the days an order's deliveries may leave (see `ship_window`)."""
    grid = DayGrid(snap.plan_start, snap.horizon_end)
    chosen = list(range(len(snap.orders))) if orders is None else orders
    have = can_have(snap)
    pairs = have & needed(snap, [snap.orders[o] for o in chosen])
    model = Model(snap, grid, mode, mathopt.Model(name="takt"), pairs, chosen, fixed or Fixed())
    model.earliest = earliest_stock(snap)
    if last_ship_day is not None:
        assert mode == RESTRICTED, "a window on deliveries is a restriction: no bound"
        model.last_ship_day = last_ship_day
        if all(o in last_ship_day for o in chosen):
            # nothing that comes after the last delivery can serve an order: those days plan no supply
            # (goods left idle are sent rolling afterwards, `rolling`), a model a third smaller or more
            model.supply_stop = max(last_ship_day.values(), default=grid.days.start) + 1
    bounds = demand_bounds(snap, [snap.orders[o] for o in chosen])
    converting = converting_routes(snap, have) if mode == RELAXED else set()
    for i, route in enumerate(snap.routes):
        if i in converting:
            model.pairs |= {(route.sku, route.location)} | {(c.sku, route.location) for c in route.components}
    for i, offer in enumerate(snap.offers):
        if (offer.sku, offer.location) in model.pairs:
            add_purchases(model, i, offer, bounds.get(offer.sku, 0.0))
    for i, route in enumerate(snap.routes):
        if (route.sku, route.location) in model.pairs:
            bound = bounds.get(route.sku, 0.0) + (held_components(snap, route) if i in converting else 0.0)
            add_production(model, i, route, bound)
    (moves or add_transfers)(model)
    for o in chosen:
        (deliveries or add_deliveries)(model, o, snap.orders[o])
    add_stock_balances(model)
    add_capacities(model)
    if mode == RELAXED:
        add_transit_budget(model, bounds)
    if deliveries is None:
        add_gates(model)
    set_objective(model)
    return model


def same_in_both_modes(snap: Snapshot) -> bool:
    """Whether the restricted and relaxed models are one model: nothing bought, made or transferred costs
    holding (so when in its day an inflow comes costs nothing), every lead time and transit is whole days
    (so an inflow arrives on the same day whenever in its day it started), and no route could save holding."""
    have = can_have(snap)
    origins = {lane.origin for lane in snap.lanes if lane.to in snap.location_region}
    moved = {o.sku for o in snap.offers} | {r.sku for r in snap.routes}
    moved |= {sku for sku, loc in have if loc in origins}
    if any(snap.holding.get(sku, 0.0) > 0 for sku in moved):
        return False
    if any(r.lead % DAY for r in snap.routes) or any(
        lane.transit % DAY for lane in snap.lanes if lane.to in snap.location_region
    ):
        return False
    return not converting_routes(snap, have)


def demand_bounds(snap: Snapshot, orders) -> dict[str, float]:
    """An upper bound of what the orders could ever need of each sku (exploded through every route)."""
    need: dict[str, float] = {}
    for order in orders:
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


def converting_routes(snap: Snapshot, have: set[tuple[str, str]]) -> set[int]:
    """Routes that could lower the holding cost by turning components on hand into goods cheaper to hold
    (the contract charges holding per unit of each sku): a bound must allow them, needed or not."""
    found = set()
    for i, route in enumerate(snap.routes):
        components = [(c.sku, route.location) for c in route.components]
        if components and all(pair in have for pair in components):
            held_in = sum(snap.holding.get(c.sku, 0.0) * c.qty_per for c in route.components)
            if held_in > snap.holding.get(route.sku, 0.0) + 1e-12:
                found.add(i)
    return found


# -- variables with their own constraints -----------------------------------------------------------
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
            s.add_linear_constraint(qty == offer.multiple * n)
            model.buy_lots[(i, d)] = n
        else:
            qty = s.add_variable(lb=0, ub=cap)
        model.buy[(i, d)] = qty
        lot_paid = ("buy", i, d) in model.fixed.lots
        if (offer.order_cost > 0 or offer.min_qty > 0) and not lot_paid:
            opened = s.add_binary_variable()
            model.buy_open[(i, d)] = opened
            s.add_linear_constraint(qty <= cap * opened)
            s.add_linear_constraint(qty >= offer.min_qty * opened)
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
            s.add_linear_constraint(qty + (early if early is not None else 0) <= cap * on)
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


def held_components(snap: Snapshot, route: Route) -> float:
    """How much of `route` the components on hand and on their way could make."""
    total = INF
    for comp in route.components:
        held = snap.stock.get((comp.sku, route.location), 0.0)
        held += sum(r.qty for r in snap.receipts if (r.sku, r.location) == (comp.sku, route.location))
        total = min(total, held / comp.qty_per)
    return 0.0 if math.isinf(total) else total


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


def delivery_days(
    grid: DayGrid, order: Order, lane: Lane, ready: int, last: int | None = None
) -> list[tuple[int, int]]:
    """(departure day, earliest arrival) of a delivery: not before requested nor before the goods can be at
    the lane's origin (`ready`), not after the horizon (nor after day `last` when given)."""
    earliest = max(grid.plan_start, order.requested_at - lane.transit, ready)
    days = []
    stop = grid.days.stop if last is None else min(grid.days.stop, last + 1)
    for d in range(day_of(earliest), stop):
        depart = max(grid.start_of(d), earliest)
        if depart + lane.transit > grid.horizon_end:
            break
        days.append((d, depart + lane.transit))
    return days


def ship_window(snap: Snapshot, outcomes, days: int = SHIP_SLACK_DAYS) -> dict[int, int]:
    """The last departure day of each order a plan's model needs, given a plan's outcomes: `days` past the
    day it is wanted, or past the plan's own last departure if later (the model's days are coarser than the
    plan's times: an event in the plan may fall a day or two later in the model, more along a chain). An order
    the plan leaves unserved keeps the whole horizon. Lateness only grows with the day, so a delivery much
    later than wanted and than the plan in hand seldom pays; dropping those days makes the model a fraction
    of its size, which HiGHS solves many times faster."""
    window = {}
    for o, outcome in enumerate(outcomes):
        if outcome.promised_at is None:
            continue
        wanted = day_of(max(snap.plan_start, outcome.order.requested_at))
        departs = [day_of(d.depart_at) for line in outcome.lines for d in line.deliveries]
        window[o] = max(wanted, *departs) + days
    return window


def holding(model: Model, sku: str, t: int) -> float:
    """Holding cost of one unit arriving at `t` and staying to the horizon's end."""
    return model.snap.holding.get(sku, 0.0) * max(0, model.snap.horizon_end - t) / DAY


# -- constraints across variables --------------------------------------------------------------------
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
        if (i, d) in model.setup and qty is model.make[(i, d)]:
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
    objective = model.solver.objective
    objective.is_maximize = False
    for var, coef in model.objective.items():
        objective.set_linear_coefficient(var, coef)


def solve_model(
    model: Model, time_limit_s: float, *, hint: dict | None = None, relative_gap: float = 1e-5
) -> Solution | None:
    """Solve with HiGHS within the time limit (from `hint`, integer values by variable, when given): the best
    solution found and the best bound proved (status `bound only` and no decisions when it found no
    solution but proved a bound; None when the solve failed)."""
    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=max(0.05, time_limit_s)), relative_gap_tolerance=relative_gap
    )
    model_params = None
    if hint:
        hints = [mathopt.SolutionHint(variable_values=hint)]
        model_params = mathopt.ModelSolveParameters(solution_hints=hints)
    # MathOpt's HiGHS wrapper fails now and then at a time limit (and its own error translation then raises
    # AttributeError): the plan found so far stands
    try:
        result = mathopt.solve(
            model.solver, mathopt.SolverType.HIGHS, params=params, model_params=model_params
        )
    except Exception:
        return None
    if not result.has_primal_feasible_solution():
        bound = result.termination.objective_bounds.dual_bound
        return Solution(BOUND_ONLY, math.inf, bound, {}, {}, {}, {}, set()) if math.isfinite(bound) else None
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
        values(model.make_early),
        values(model.move_early),
    )


def hint_from(model: Model, ledger, outcomes) -> dict:
    """The integer decisions of an exact-time plan (its ledger's actions and the orders' outcomes) as values
    of the model's variables, to start the solver from it (HiGHS completes the rest)."""
    snap = model.snap
    offer_index = {(o.supplier, o.sku, o.location): i for i, o in enumerate(snap.offers)}
    route_index = {(r.resource, r.sku): i for i, r in enumerate(snap.routes)}
    lane_index = {(lane.origin, lane.to, lane.mode): k for k, lane in enumerate(snap.lanes)}
    tables = (model.buy_open, model.setup, model.unserved)
    values: dict = {var: 0.0 for table in tables for var in table.values()}
    values.update({var: 0.0 for key, var in model.ship.items() if snap.orders[key[0]].ship_complete})
    values.update({var: 0.0 for var in model.buy_lots.values()})
    purchases, productions = ledger.merged()
    bought: dict[tuple[int, int], float] = {}
    for p in purchases:
        key = (offer_index[(p.supplier, p.sku, p.location)], day_of(p.receive_at))
        bought[key] = bought.get(key, 0.0) + p.qty
        if key in model.buy_open:
            values[model.buy_open[key]] = 1.0
    for key, qty in bought.items():
        if key in model.buy_lots:
            values[model.buy_lots[key]] = round(qty / snap.offers[key[0]].multiple)
    for m in productions:
        key = (route_index[(m.resource, m.sku)], day_of(m.start_at))
        if key in model.setup:
            values[model.setup[key]] = 1.0
        table = model.make_early if m.start_at == model.grid.start_of(key[1]) else model.make
        if key in table:
            values[table[key]] = values.get(table[key], 0.0) + m.qty
    for t in ledger.transfers:
        key = (lane_index[(t.origin, t.to, t.mode)], t.sku, day_of(t.depart_at))
        table = model.move_early if t.depart_at == model.grid.start_of(key[2]) else model.move
        if key in table:
            values[table[key]] = values.get(table[key], 0.0) + t.qty
    planned = set(model.orders)
    for o, outcome in enumerate(outcomes):
        if o not in planned:
            continue
        if outcome.promised_at is None:
            values[model.unserved[o]] = 1.0
            continue
        for j, line in enumerate(outcome.lines):
            for d in line.deliveries:
                key = (o, j, lane_index[(d.origin, outcome.order.region, d.mode)], day_of(d.depart_at))
                if key in model.ship:
                    values[model.ship[key]] = values.get(model.ship[key], 0.0) + d.qty / line.line.qty
    return values


def _shipped(model: Model, shares: dict) -> dict:
    """Delivered quantities from the shares of each line."""
    lines = model.snap.orders
    return {(o, j, k, d): round(share * lines[o].lines[j].qty, 9) for (o, j, k, d), share in shares.items()}
