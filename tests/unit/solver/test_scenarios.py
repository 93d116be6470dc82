"""takt's scenario generator (planning.scenarios): the same snapshot for the same seed, parsed by the
planner's contract reader, holding every feature the planner must handle, scarcer when tight, and fast."""

from __future__ import annotations

import time

import pytest

from planning.scenarios import generate
from planning.solver import solve, solve_baseline
from planning.solver.contract import parse_snapshot
from tests.unit.solver.conftest import by_order, order, plant_snapshot


def small(seed: int = 1, tight: bool = False) -> dict:
    return generate(orders=60, skus=20, locations=5, suppliers=3, plants=2, seed=seed, tight=tight)


def test_the_same_seed_gives_the_same_snapshot_and_another_seed_another():
    assert small(4) == small(4)
    assert small(4) != small(5)


@pytest.mark.parametrize("tight", [False, True])
def test_a_generated_snapshot_is_read_by_the_planners_parser(tight):
    snap = small(2, tight)
    parsed = parse_snapshot(snap)
    assert len(parsed.orders) == 60
    assert len(snap["items"]) == 20
    assert sum(loc["kind"] == "plant" for loc in snap["locations"]) == 2
    assert len(snap["locations"]) == 5
    assert {r["code"] for r in snap["regions"]}.isdisjoint(loc["code"] for loc in snap["locations"])


def test_it_holds_what_the_planner_must_handle():
    snap = generate(orders=300, skus=30, locations=6, suppliers=4, plants=2, seed=3)
    assert {"van", "truck", "rail", "air"} <= {lane["mode"] for lane in snap["lanes"]}
    assert any("capacity_per_day" in lane for lane in snap["lanes"])
    offers = snap["supply_offers"]
    for field in ("min_qty", "multiple", "capacity_per_day"):
        assert any(field in o for o in offers), field
    assert len({o["lead_time_hours"] for o in offers}) > 3
    made = {r["sku"] for r in snap["routes"]}
    assert any(c["sku"] in made for r in snap["routes"] for c in r["components"])  # a two-level bill
    assert any(r["setup_hours"] for r in snap["routes"])
    calendars = [c for r in snap["resources"] for c in r.get("calendar", [])]
    assert any(c["hours"] == 0 for c in calendars) and any(c["hours"] > 8 for c in calendars)
    assert {r["ref"].split("-")[0] for r in snap["receipts"]} >= {"PO", "WIP"}
    orders = snap["orders"]
    assert {o["priority"] for o in orders} == {1, 2, 3}
    assert any(len(o["lines"]) > 2 for o in orders)
    assert any(not o["ship_complete"] for o in orders)
    assert any(o["confirmed_promise_at"] for o in orders)
    assert any(o["requested_at"] <= snap["plan_start"] for o in orders)  # wanted at once


def test_tight_means_less_stock_for_the_same_demand():
    def on_hand(snap: dict) -> float:
        return sum(row["on_hand"] for row in snap["stock"])

    for seed in range(3):
        ample, tight = small(seed), small(seed, tight=True)
        assert [o["lines"] for o in ample["orders"]] == [o["lines"] for o in tight["orders"]]
        assert on_hand(tight) < on_hand(ample)


def test_ten_thousand_orders_take_seconds():
    started = time.monotonic()
    snap = generate(orders=10_000, skus=300, locations=12, suppliers=10, plants=3, seed=7)
    assert time.monotonic() - started < 10
    assert len(parse_snapshot(snap).orders) == 10_000


def test_a_part_used_directly_and_inside_a_subassembly_is_not_overdrawn(verify):
    # NB-14 takes 4 PART and one FRAME; a FRAME takes 2 PART: 6 PART a unit, 100 on hand make 16
    snap = plant_snapshot(
        [order("SO-1", 10, region="east"), order("SO-2", 10, region="east")], hours_per_unit=0.1
    )
    snap["items"].append({"sku": "FRAME", "holding_cost_per_day": 0.0})
    snap["routes"][0]["components"] = [{"sku": "PART", "qty_per": 4}, {"sku": "FRAME", "qty_per": 1}]
    snap["routes"].append(
        {
            "sku": "FRAME",
            "resource": "L1",
            "hours_per_unit": 0.1,
            "lead_time_hours": 24,
            "unit_cost": 1,
            "components": [{"sku": "PART", "qty_per": 2}],
        }
    )
    for plan in (solve_baseline(snap), solve(snap, time_limit_s=10)):
        assert verify(snap, plan)["valid"]
        assert [by_order(plan)[o]["status"] for o in ("SO-1", "SO-2")] == ["confirmed", "unconfirmed"]
