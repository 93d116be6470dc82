"""Bounds are honest: never above the cost of any valid plan, whichever way they are computed, and a plan is
called optimal only when its bound proves it."""

from __future__ import annotations

import pytest

from planning.solver import solve, solve_baseline
from planning.solver.bound import lower_bound
from planning.solver.contract import parse_snapshot
from planning.solver.part import plan_part
from tests.unit.solver.conftest import order, plant_snapshot

SCENARIOS = [
    dict(orders=12, skus=8, locations=3, suppliers=2, plants=1, seed=seed, tight=seed % 2 == 1)
    for seed in range(6)
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"seed{s['seed']}")
def test_no_bound_is_above_a_valid_plan(generate, verify, scenario):
    snap = generate(**scenario)
    plan = solve(snap, time_limit_s=12)  # room for the bound on a loaded machine too
    costs = [verify(snap, plan)["cost"]["total"], verify(snap, solve_baseline(snap))["cost"]["total"]]
    assert verify(snap, plan)["valid"]
    assert plan["solver"]["bound"] is not None
    assert plan["solver"]["bound"] <= min(costs) + 1e-6
    compact = lower_bound(parse_snapshot(snap), 30)
    assert compact is not None and compact <= min(costs) + 1e-6


def test_optimal_only_when_proven(verify):
    orders = [order("SO-1", 10, region="east", requested="2026-11-25T00:00:00Z")]
    snap = plant_snapshot(orders, hours_per_unit=0.5)
    snap["items"][0]["holding_cost_per_day"] = 0  # with whole-day lead times the two models are one
    plan = plan_part(snap, time_limit_s=10)
    assert plan["solver"]["status"] == "optimal"
    assert plan["solver"]["bound"] == pytest.approx(verify(snap, plan)["cost"]["total"], rel=1e-4)
    snap["items"][0]["holding_cost_per_day"] = 0.01  # when in a day goods come now costs: not proven
    assert plan_part(snap, time_limit_s=10)["solver"]["status"] == "feasible"


def test_a_network_too_big_for_one_model_still_has_a_bound(generate, monkeypatch):
    import planning.solver.part as part

    monkeypatch.setattr(part, "MODEL_SIZE_LIMIT", 1)  # as if it were too big: passes, bound, search
    snap = generate(orders=30, skus=10, locations=3, suppliers=2, plants=1, seed=5)
    plan = part.plan_part(snap, time_limit_s=12)
    assert plan["solver"]["bound"] is not None
    assert plan["solver"]["bound"] <= plan["solver"]["objective"] + 1e-6
    assert plan["solver"]["status"] in ("feasible", "optimal")
