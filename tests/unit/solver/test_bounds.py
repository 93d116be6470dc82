"""Bounds are honest: never above the cost of any valid plan, whichever way they are computed, and a plan is
called optimal only when its bound proves it."""

from __future__ import annotations

import importlib

import pytest

from planning.solver import solve, solve_baseline
from planning.solver.bound import floor_bound, lower_bound
from planning.solver.contract import parse_snapshot
from planning.solver.part import plan_part
from tests.unit.solver.conftest import order, plant_snapshot, snapshot
from tests.unit.solver.test_examples import CASES

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
    assert 0 < floor_bound(parse_snapshot(snap)) <= min(costs) + 1e-6


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_floor_is_below_the_planned_cost_of_every_case(path, verify):
    import json

    snap = json.loads(path.read_text())["snapshot"]
    costs = [
        verify(snap, plan)["cost"]["total"] for plan in (solve(snap, time_limit_s=5), solve_baseline(snap))
    ]
    assert floor_bound(parse_snapshot(snap)) <= min(costs) + 1e-6


def test_the_floor_of_one_order_is_its_cost_alone(verify):
    """One order of 10 from stock 6 h away, wanted in 2 days, 40 more units that stay: the floor is the
    freight, the holding of the 40 units that cannot leave, and the 10 until they can leave at the earliest
    (the order's own plan), so it is the optimum."""
    stock = [{"sku": "NB-14", "location": "WH-N", "on_hand": 50}]
    orders = [order("SO-1", 10, region="north", requested="2026-11-25T00:00:00Z")]
    snap = snapshot(stock=stock, orders=orders)
    plan = solve(snap, time_limit_s=5)
    assert plan["solver"]["status"] == "optimal"
    cost = verify(snap, plan)["cost"]["total"]
    expected = 10 * 1.0 + 0.01 * (40 * 30 + 10 * (2 - 0.25))  # freight; holding: 40 to the end, 10 till 18:00
    assert cost == pytest.approx(expected)
    assert floor_bound(parse_snapshot(snap)) == pytest.approx(expected)


def test_the_floor_counts_the_cheaper_of_serving_late_and_leaving_unserved():
    """Nothing can reach region east: the order's floor is its unserved penalty; an order that can be served
    only far too late costs its lateness."""
    snap = snapshot(orders=[order("SO-1", 10, region="east")])
    assert floor_bound(parse_snapshot(snap)) == pytest.approx(10 * 100000)  # priority 2: weight 10
    receipts = [
        {"ref": "PO-1", "sku": "NB-14", "location": "WH-N", "qty": 10, "arrive_at": "2026-12-03T00:00:00Z"}
    ]
    snap = snapshot(receipts=receipts, orders=[order("SO-1", 10, region="north", priority=3)])
    late_days = (10 * 24 + 6) / 24  # arrives Dec 3 00:00, leaves at once, 6 h on the road; wanted Nov 23
    assert floor_bound(parse_snapshot(snap)) == pytest.approx(10 * 1.0 + 50 * late_days)  # weight 1


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


def test_a_part_alone_on_two_cores_has_its_bound_proved_beside_it(generate, verify, monkeypatch):
    import planning.solver.parallel as parallel
    import planning.solver.part as part

    solve_module = importlib.import_module("planning.solver.solve")  # (the package's `solve` is the function)
    for module in (parallel, solve_module):  # a small network as if it were big: to the workers
        monkeypatch.setattr(module, "INLINE_WORK", 0)
    snap = generate(orders=12, skus=8, locations=3, suppliers=2, plants=1, seed=2)
    floor = round(floor_bound(parse_snapshot(snap)), 6)
    alone = part.plan_part(snap, time_limit_s=10, bound_elsewhere=True)
    assert alone["solver"]["bound"] == floor  # the worker planning it leaves the bound to the other

    plan = solve(snap, time_limit_s=12, workers=2)
    assert verify(snap, plan)["valid"]
    assert floor < plan["solver"]["bound"] <= verify(snap, plan)["cost"]["total"] + 1e-6
    proved = part.bound_part(snap, time_limit_s=10)
    assert floor < proved <= verify(snap, plan)["cost"]["total"] + 1e-6


def _two_depots(fixed: float) -> dict:
    """Facility location in small: depots WH-N and WH-S hold nothing and get NB-14 only through a purchase
    order (`fixed` each, room for 1,000 a day); two customers of 10, each served from either depot; no
    holding cost."""
    offers = [
        {
            "supplier": "SUP-A",
            "sku": "NB-14",
            "location": loc,
            "lead_time_hours": 0,
            "unit_cost": 1.0,
            "order_cost": fixed,
            "capacity_per_day": 1000,
        }
        for loc in ("WH-N", "WH-S")
    ]
    lanes = [
        {"from": loc, "to": region, "mode": "truck", "transit_hours": 24, "unit_cost": cost}
        for loc, region, cost in (
            ("WH-N", "north", 1.0),
            ("WH-N", "east", 3.0),
            ("WH-S", "north", 3.0),
            ("WH-S", "east", 1.0),
        )
    ]
    locations = [
        {"code": "WH-N", "kind": "warehouse", "region": "north"},
        {"code": "WH-S", "kind": "warehouse", "region": "east"},
    ]
    orders = [order(f"SO-{r}", 10, region=r, requested="2026-11-24T00:00:00Z") for r in ("north", "east")]
    items = [{"sku": "NB-14", "holding_cost_per_day": 0.0}]
    return snapshot(
        horizon_days=1, items=items, locations=locations, supply_offers=offers, lanes=lanes, orders=orders
    )


def test_the_compact_bound_knows_a_depot_serves_nobody_unless_a_purchase_order_opens_it(verify):
    """The weak relaxation opens a purchase order of room 1,000 a hundredth of the way for 10 units (1% of
    its cost); the gates (a delivery's share at most the orders placed) make the relaxation pay it whole. Here
    one depot for both (100 + 20 + 40 freight) beats two (200 + 20 + 20): the optimum is 160, and the compact
    bound reaches it, never above."""
    snap = _two_depots(fixed=100.0)
    plan = solve(snap, time_limit_s=5)
    cost = verify(snap, plan)["cost"]["total"]
    assert plan["solver"]["status"] == "optimal" and cost == pytest.approx(160.0)
    compact = lower_bound(parse_snapshot(snap), 30)
    assert compact == pytest.approx(cost)
