"""The batch model with a plan's lots kept: purchase orders and setups stay as the plan placed them, the rest
is re-planned around them."""

from __future__ import annotations

import time

from planning.solver.baseline import priority_sequence, promise_in_sequence
from planning.solver.contract import day_of, parse_snapshot
from planning.solver.extract import time_solution
from planning.solver.model import RESTRICTED, ship_window
from planning.solver.model_build import build
from planning.solver.model_solve import hint_from, solve_model, solve_within_lots
from planning.solver.part import PASSES, report
from planning.solver.plan import to_plan


def _lots(ledger) -> tuple[set, set]:
    """(supplier, sku, location, receive day) of each purchase and (resource, sku, start day) of each run."""
    purchases, productions = ledger.merged()
    return (
        {(p.supplier, p.sku, p.location, day_of(p.receive_at)) for p in purchases},
        {(m.resource, m.sku, day_of(m.start_at)) for m in productions},
    )


def test_the_plans_purchase_orders_and_setups_are_kept_and_the_rest_replanned(generate, verify):
    raw = generate(orders=12, skus=8, locations=3, suppliers=2, plants=1, seed=3)
    snap = parse_snapshot(raw)
    greedy = promise_in_sequence(
        snap,
        priority_sequence(snap),
        PASSES["cost-aware greedy"],
        name="greedy",
        deadline=time.monotonic() + 30,
        must_finish=True,
    )
    model = build(snap, RESTRICTED, last_ship_day=ship_window(snap, greedy.outcomes))
    assert model.buy_open and model.setup, "the network must place lots for this test to say anything"
    bounds = (list(model.solver.lower), list(model.solver.upper))

    solution = solve_within_lots(model, 20, hint_from(model, greedy.ledger, greedy.outcomes))

    assert (model.solver.lower, model.solver.upper) == bounds  # the model is left as it was
    assert solution is not None
    timed = time_solution(snap, solution)
    assert timed is not None
    assert verify(raw, to_plan(snap, timed, report("feasible", timed.cost, None, 0.0)))["valid"]
    bought, made = _lots(timed.ledger)
    placed_purchases, placed_runs = _lots(greedy.ledger)
    assert bought <= placed_purchases and made <= placed_runs  # no purchase order or setup of its own

    # the lots' plan is a solution of the whole model, where HiGHS starts: what it returns is never dearer
    whole = solve_model(model, 20, start=solution)
    assert whole is not None and whole.values is not None
    assert whole.objective <= solution.objective + 1e-6 * max(1.0, abs(solution.objective))
