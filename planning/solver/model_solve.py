"""Solving the batch model with HiGHS (OR-Tools MathOpt, `lp.solve`) and starting it from a plan (see
`model`)."""

from __future__ import annotations

import math

from planning.solver.contract import day_of
from planning.solver.lp import solve
from planning.solver.model import BOUND_ONLY, Model, Solution


def solve_model(
    model: Model, time_limit_s: float, *, relative_gap: float = 1e-5, start: Solution | None = None
) -> Solution | None:
    """Solve with HiGHS within the time limit: the best solution found and the best bound proved (status
    `bound only` and no decisions when it found no solution but proved a bound; None if it failed).
    `start`, a solution of this model (of a solve of it with some variables fixed), is where HiGHS starts."""
    values = start.values if start is not None else None
    result = solve(model.solver, time_limit_s, relative_gap=relative_gap, start=values)
    if result is None:  # (the solve failed: the plan found so far stands)
        return None
    if result.values is None:
        bound = result.bound
        return Solution(BOUND_ONLY, math.inf, bound, {}, {}, {}, {}, set()) if math.isfinite(bound) else None
    solved = result.values

    def values(table: dict) -> dict:
        return {key: v for key, var in table.items() if (v := solved[var]) > 1e-7}

    unserved = {o for o, var in model.unserved.items() if solved[var] > 0.5}
    return Solution(
        "optimal" if result.optimal else "feasible",
        result.objective,
        result.bound,
        values(model.buy),
        values(model.make),
        values(model.move),
        _shipped(model, values(model.ship)),
        unserved,
        values(model.make_early),
        values(model.move_early),
        solved,
    )


def solve_within_lots(model: Model, time_limit_s: float, hint: dict) -> Solution | None:
    """The model with a plan's purchase orders and setups kept (each order/setup variable fixed to its value
    in `hint`, a plan's decisions from `hint_from`): quantities, transfers and deliveries re-planned around
    the plan's lots. The passes' plan itself is no start for HiGHS (it is not always a solution of the model:
    it may ship goods the day they arrive), and in the seconds a part has HiGHS rarely finds a plan as good
    on its own; with the lots kept, the rest solves in seconds (the demo's 52 orders: 72,412 in 15 s against
    the passes' 76,114, where the whole model found nothing better than them in 14 s). Its solution is a
    solution of the whole model: the start of the whole model's solve (`solve_model(start=)`)."""
    lots = [*model.buy_open.values(), *model.setup.values()]
    if not lots:
        return None
    s = model.solver
    kept = [(var, s.lower[var], s.upper[var]) for var in lots]
    for var in lots:
        s.lower[var] = s.upper[var] = round(hint.get(var, 0.0))
    try:
        return solve_model(model, time_limit_s)
    finally:
        for var, lower, upper in kept:
            s.lower[var], s.upper[var] = lower, upper


def hint_from(model: Model, ledger, outcomes) -> dict:
    """The integer decisions of an exact-time plan (its ledger's actions and the orders' outcomes) as values
    of the model's variables: what `solve_within_lots` keeps. (Not a start for HiGHS: an exact-time plan is
    not always a solution of the restricted model — one that ships goods the day they arrive is not, since a
    day's deliveries take only what was there at its dawn — and HiGHS drops a start that is not one.)"""
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
