"""What planning the batch together buys over promising order by order: lots, stock left to nearer orders,
a wider search for orders the first one could not serve, and the choice of passes."""

from __future__ import annotations

from planning.solver.baseline import priority_sequence, promise_in_sequence
from planning.solver.contract import parse_snapshot
from planning.solver.part import passes, stock_cover
from planning.solver.plan import to_plan
from planning.solver.promise import Tactics
from tests.unit.solver.conftest import by_order, order, plant_snapshot, snapshot

REPORT = {"status": "heuristic", "objective": 0.0, "bound": None, "seconds": 0.0}


def planned(snap: dict, tactics: Tactics, verify) -> tuple[dict, dict]:
    """The plan of one pass with `tactics`, and verify's report on it (which must agree on the cost)."""
    parsed = parse_snapshot(snap)
    found = promise_in_sequence(parsed, priority_sequence(parsed), tactics, name="test")
    plan = to_plan(parsed, found, REPORT)
    report = verify(snap, plan)
    assert report["valid"], report["violations"]
    assert abs(report["cost"]["total"] - found.cost) < 1e-6 * max(1.0, found.cost)
    return plan, report


def offer(**extra) -> dict:
    return {
        "supplier": "SUP-A",
        "sku": "NB-14",
        "location": "WH-N",
        "lead_time_hours": 72,
        "unit_cost": 20,
        **extra,
    }


def test_purchases_for_the_same_day_are_one_lot_with_one_order_cost(verify):
    snap = snapshot(
        supply_offers=[offer(order_cost=250)],
        orders=[
            order("SO-1", 4, requested="2026-11-27T09:00:00Z"),
            order("SO-2", 4, requested="2026-11-27T15:00:00Z"),
        ],
    )
    single, single_report = planned(snap, Tactics(), verify)
    lots, lots_report = planned(snap, Tactics(lots=True), verify)
    assert len(single["procurement"]) == 2
    assert [(po["qty"], po["receive_at"]) for po in lots["procurement"]] == [(8, "2026-11-27T00:00:00Z")]
    assert lots_report["cost"]["purchasing"] == 8 * 20 + 250
    assert lots_report["cost"]["total"] < single_report["cost"]["total"]
    assert {c["promised_at"] for c in lots["confirmations"]} == {
        "2026-11-27T09:00:00Z",
        "2026-11-27T15:00:00Z",
    }


def test_production_for_the_same_day_shares_one_setup(verify):
    orders = [
        order("SO-1", 5, region="east", requested="2026-11-25T12:00:00Z"),
        order("SO-2", 5, region="east", requested="2026-11-25T18:00:00Z"),
    ]
    snap = plant_snapshot(orders, hours_per_unit=0.5, setup_hours=3, setup_cost=300)
    single, single_report = planned(snap, Tactics(), verify)
    lots, report = planned(snap, Tactics(lots=True), verify)
    # one by one, the second order's setup does not fit beside the first's on that day: it is built a day
    # ahead with a second setup
    assert len(single["production"]) == 2 and single_report["cost"]["production"] == 10 * 1 + 2 * 300
    assert report["cost"]["total"] < single_report["cost"]["total"]
    assert [(mo["qty"], mo["start_at"]) for mo in lots["production"]] == [(10, "2026-11-24T00:00:00Z")]
    assert report["cost"]["production"] == 10 * 1 + 300
    assert report["kpis"]["on_time"] == 2


def near_and_far(on_hand: float) -> dict:
    """10 wanted in half a day (priority 3) and 10 in 17 days (priority 1); a 5-day purchase."""
    return snapshot(
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": on_hand}],
        supply_offers=[offer(lead_time_hours=120)],
        orders=[
            order("SO-SOON", 10, priority=3, requested="2026-11-23T12:00:00Z"),
            order("SO-LATER", 10, priority=1, requested="2026-12-10T00:00:00Z"),
        ],
    )


def test_stock_is_left_to_the_nearer_order_when_a_purchase_can_serve_the_later_one(verify):
    snap = near_and_far(on_hand=10)
    one_by_one, _ = planned(snap, Tactics(), verify)
    assert by_order(one_by_one)["SO-LATER"]["reason"] == "stock"  # the first served takes the stock
    plan, _ = planned(snap, Tactics(save_stock=True), verify)
    assert by_order(plan)["SO-LATER"]["reason"] == "procurement"
    assert by_order(plan)["SO-SOON"]["reason"] == "stock"
    assert plan["kpis"]["on_time"] == 2
    assert plan["procurement"][0]["receive_at"] <= "2026-12-09T18:00:00Z"


def test_stock_is_not_saved_when_it_covers_every_open_order(verify):
    snap = near_and_far(on_hand=20)
    plan, _ = planned(snap, Tactics(save_stock=True), verify)
    assert plan["procurement"] == []
    assert {c["reason"] for c in plan["confirmations"]} == {"stock"}


def test_an_order_the_first_search_misses_is_found_by_the_wider_one(verify):
    """Transfers are first tried from the six nearest locations that buy the sku: their suppliers are too
    slow; only the seventh's can deliver within the horizon."""
    warehouses = [f"WH-{i}" for i in range(1, 8)]
    snap = snapshot(
        locations=[{"code": "WH-N", "kind": "warehouse", "region": "north"}]
        + [{"code": code, "kind": "warehouse", "region": "east"} for code in warehouses],
        supply_offers=[
            offer(location=code, lead_time_hours=24 * (40 if i < 6 else 5))
            for i, code in enumerate(warehouses)
        ],
        lanes=[{"from": "WH-N", "to": "north", "mode": "truck", "transit_hours": 6, "unit_cost": 1.0}]
        + [
            {"from": code, "to": "WH-N", "mode": "truck", "transit_hours": 10 + i, "unit_cost": 1.0}
            for i, code in enumerate(warehouses)
        ],
        orders=[order("SO-1", 5)],
    )
    narrow, _ = planned(snap, Tactics(), verify)
    assert by_order(narrow)["SO-1"]["status"] == "unconfirmed"
    wide, _ = planned(snap, Tactics(retry=True), verify)
    assert by_order(wide)["SO-1"]["status"] == "confirmed"
    assert (
        [po["location"] for po in wide["procurement"]] == [t["from"] for t in wide["transfers"]] == ["WH-7"]
    )


def test_a_line_no_one_location_can_serve_gathers_stock_from_several(verify):
    snap = snapshot(
        locations=[
            {"code": "WH-N", "kind": "warehouse", "region": "north"},
            {"code": "WH-E", "kind": "warehouse", "region": "east"},
            {"code": "WH-S", "kind": "warehouse", "region": "east"},
        ],
        stock=[
            {"sku": "NB-14", "location": "WH-N", "on_hand": 2},
            {"sku": "NB-14", "location": "WH-E", "on_hand": 4},
            {"sku": "NB-14", "location": "WH-S", "on_hand": 6},
        ],
        lanes=[
            {"from": "WH-N", "to": "north", "mode": "truck", "transit_hours": 6, "unit_cost": 1.0},
            {"from": "WH-E", "to": "WH-N", "mode": "truck", "transit_hours": 10, "unit_cost": 1.0},
            {"from": "WH-S", "to": "WH-N", "mode": "truck", "transit_hours": 20, "unit_cost": 1.0},
        ],
        orders=[order("SO-1", 10)],
    )
    plan, _ = planned(snap, Tactics(), verify)
    assert sorted((t["from"], t["qty"]) for t in plan["transfers"]) == [("WH-E", 4), ("WH-S", 4)]
    assert by_order(plan)["SO-1"]["promised_at"] == "2026-11-24T02:00:00Z"
    assert "transfers from WH-E, WH-S" in by_order(plan)["SO-1"]["explanation"]


def test_stock_saving_goes_first_when_stock_covers_little_of_the_demand():
    short = snapshot(
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 3}],
        supply_offers=[offer()],
        orders=[order("SO-1", 10), order("SO-2", 10)],
    )
    covered = {**short, "stock": [{"sku": "NB-14", "location": "WH-N", "on_hand": 30}]}
    assert stock_cover(parse_snapshot(short)) == 3 / 20
    assert passes(parse_snapshot(short))[0] == "stock-saving"
    assert stock_cover(parse_snapshot(covered)) == 1.0
    assert passes(parse_snapshot(covered))[0] == "cost-aware greedy"
