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

The model's parts: this module holds its data (`Model`, slots, sizes, windows); `model_vars` the variables
with their own constraints, `model_rows` the constraints across them and the objective, `model_build` the
build, `model_solve` the solve and the hint from a plan.

`Fixed` carries what a neighbourhood search keeps of a plan: stock moves of fixed orders and actions,
capacity they use, and lots already paid for, so that the model plans the rest around them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from planning.solver.contract import DAY, Lane, Order, Route, Snapshot, day_of
from planning.solver.lp import LinearModel
from planning.solver.network import DayGrid, can_have, needed

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
    """The linear model (`lp.LinearModel`) with its variables indexed by what they decide."""

    snap: Snapshot
    grid: DayGrid
    mode: str
    solver: LinearModel
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
    # deliveries modelled outside `ship` (the compact bound's merged lanes): (sku, origin, day taken, share)
    takes: list[tuple[str, str, int, object]] = field(default_factory=list)
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
    values: list[float] | None = None  # every variable's value: a start for another solve of the model


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


def held_components(snap: Snapshot, route: Route) -> float:
    """How much of `route` the components on hand and on their way could make."""
    total = INF
    for comp in route.components:
        held = snap.stock.get((comp.sku, route.location), 0.0)
        held += sum(r.qty for r in snap.receipts if (r.sku, r.location) == (comp.sku, route.location))
        total = min(total, held / comp.qty_per)
    return 0.0 if math.isinf(total) else total


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
