"""Building the batch model of a network, or of some of its orders around a fixed rest (see `model`)."""

from __future__ import annotations

from planning.solver.contract import Snapshot
from planning.solver.lp import LinearModel
from planning.solver.model import (
    RELAXED,
    RESTRICTED,
    Fixed,
    Model,
    converting_routes,
    demand_bounds,
    held_components,
)
from planning.solver.model_rows import (
    add_capacities,
    add_gates,
    add_stock_balances,
    add_transit_budget,
    set_objective,
)
from planning.solver.model_vars import add_deliveries, add_production, add_purchases, add_transfers
from planning.solver.network import DayGrid, can_have, earliest_stock, needed


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
    deliveries are modelled (see `bound`). `last_ship_day` (restricted mode
    only: a restriction bounds nothing) caps the days an order's deliveries may leave (see `ship_window`)."""
    grid = DayGrid(snap.plan_start, snap.horizon_end)
    chosen = list(range(len(snap.orders))) if orders is None else orders
    have = can_have(snap)
    pairs = have & needed(snap, [snap.orders[o] for o in chosen])
    model = Model(snap, grid, mode, LinearModel(), pairs, chosen, fixed or Fixed())
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
    add_gates(model)
    set_objective(model)
    return model
