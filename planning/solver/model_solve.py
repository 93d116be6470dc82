"""Solving the batch model with HiGHS (OR-Tools MathOpt) and starting it from a plan (see `model`)."""

from __future__ import annotations

import math
from datetime import timedelta

from ortools.math_opt.python import mathopt

from planning.solver.contract import day_of
from planning.solver.model import BOUND_ONLY, Model, Solution


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
