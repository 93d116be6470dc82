"""One test per rule of the contract, on hand-written snapshots."""

from __future__ import annotations

from collections import defaultdict

from planning.solver import solve
from planning.solver.contract import parse_time
from tests.unit.solver.conftest import by_order, order, plant_snapshot, snapshot

START = parse_time("2026-11-23T00:00:00Z")
HOUR = 3600


def plan_of(snap: dict, verify) -> dict:
    plan = solve(snap, time_limit_s=10)
    report = verify(snap, plan)
    assert report["valid"], report["violations"]
    return plan


def offer(supplier="SUP-A", lead=72, **extra) -> dict:
    return {
        "supplier": supplier,
        "sku": "NB-14",
        "location": "WH-N",
        "lead_time_hours": lead,
        "unit_cost": 20,
        **extra,
    }


def test_purchase_waits_for_its_lead_time(verify):
    plan = plan_of(snapshot(supply_offers=[offer(lead=100)], orders=[order("SO-1")]), verify)
    po = plan["procurement"][0]
    assert parse_time(po["receive_at"]) - parse_time(po["order_at"]) >= 100 * HOUR
    assert by_order(plan)["SO-1"]["promised_at"] == "2026-11-27T10:00:00Z"
    assert by_order(plan)["SO-1"]["reason"] == "procurement"


def test_purchase_respects_minimum_and_multiple(verify):
    snap = snapshot(supply_offers=[offer(min_qty=25, multiple=20, order_cost=10)], orders=[order("SO-1", 7)])
    po = plan_of(snap, verify)["procurement"][0]
    assert po["qty"] >= 25 and po["qty"] % 20 == 0


def test_supplier_capacity_per_day_splits_receipts(verify):
    snap = snapshot(supply_offers=[offer(capacity_per_day=4)], orders=[order("SO-1", 10)])
    received = defaultdict(float)
    for po in plan_of(snap, verify)["procurement"]:
        received[po["receive_at"][:10]] += po["qty"]
    assert sum(received.values()) >= 10 and max(received.values()) <= 4


def test_production_hours_per_day_are_respected(verify):
    snap = plant_snapshot(
        [order("SO-1", 10, region="east", priority=1), order("SO-2", 10, region="east")], hours_per_unit=0.8
    )
    plan = plan_of(snap, verify)
    hours = defaultdict(float)
    for mo in plan["production"]:
        hours[mo["start_at"][:10]] += mo["qty"] * 0.8
    assert max(hours.values()) <= 8 + 1e-6
    assert by_order(plan)["SO-1"]["promised_at"] == "2026-11-24T12:00:00Z"
    assert by_order(plan)["SO-2"]["promised_at"] == "2026-11-25T12:00:00Z"


def test_stock_is_never_promised_twice(verify):
    snap = snapshot(
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 15}],
        supply_offers=[offer(lead=48)],
        orders=[order("SO-1", 10), order("SO-2", 10)],
    )
    plan = plan_of(snap, verify)
    on_time = [c for c in plan["confirmations"] if c["promised_at"] == "2026-11-23T06:00:00Z"]
    assert len(on_time) == 1


def test_ship_complete_lines_arrive_together(verify):
    snap = snapshot(
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 5}],
        supply_offers=[{**offer(lead=48), "sku": "PART"}],
        orders=[
            order(
                "SO-1",
                lines=[{"line": "1", "sku": "NB-14", "qty": 5}, {"line": "2", "sku": "PART", "qty": 5}],
            )
        ],
    )
    confirmation = by_order(plan_of(snap, verify))["SO-1"]
    arrivals = {d["arrive_at"] for line in confirmation["lines"] for d in line["deliveries"]}
    assert arrivals == {confirmation["promised_at"]} == {"2026-11-25T06:00:00Z"}
    assert "line 2 of 2 is the latest" in confirmation["explanation"]


def test_partial_order_ships_what_is_on_hand_first(verify):
    snap = snapshot(
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 6}],
        supply_offers=[offer(lead=96)],
        orders=[order("SO-1", 10, ship_complete=False)],
    )
    deliveries = by_order(plan_of(snap, verify))["SO-1"]["lines"][0]["deliveries"]
    assert sorted((d["arrive_at"], d["qty"]) for d in deliveries) == [
        ("2026-11-23T06:00:00Z", 6),
        ("2026-11-27T06:00:00Z", 4),
    ]


def test_higher_priority_gets_the_scarce_stock(verify):
    snap = snapshot(
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 10}],
        supply_offers=[offer(lead=120)],
        orders=[order("SO-LOW", 10, priority=3), order("SO-HIGH", 10, priority=1)],
    )
    confirmations = by_order(plan_of(snap, verify))
    assert confirmations["SO-HIGH"]["promised_at"] == "2026-11-23T06:00:00Z"
    assert confirmations["SO-LOW"]["promised_at"] == "2026-11-28T06:00:00Z"


def test_an_earlier_promise_is_kept_when_breaking_it_costs_more(verify):
    snap = snapshot(
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 10}],
        supply_offers=[offer(lead=48)],
        orders=[
            order("SO-PROMISED", 10, priority=3, promised="2026-11-23T06:00:00Z"),
            order("SO-NEW", 10, priority=2),
        ],
    )
    snap["policy"]["broken_promise_penalty"] = 100000
    confirmations = by_order(plan_of(snap, verify))
    assert confirmations["SO-PROMISED"]["promised_at"] == "2026-11-23T06:00:00Z"
    assert confirmations["SO-NEW"]["promised_at"] == "2026-11-25T06:00:00Z"


def test_an_order_nothing_can_serve_is_unconfirmed_with_its_blocker(verify):
    snap = snapshot(
        supply_offers=[offer(lead=24 * 40)], orders=[order("SO-SLOW"), order("SO-NONE", sku="PART")]
    )
    confirmations = by_order(plan_of(snap, verify))
    assert confirmations["SO-SLOW"]["status"] == confirmations["SO-NONE"]["status"] == "unconfirmed"
    assert "horizon" in confirmations["SO-SLOW"]["explanation"]
    assert "no source" in confirmations["SO-NONE"]["explanation"]


def test_every_confirmation_is_explained(verify):
    snap = snapshot(
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 3}],
        supply_offers=[offer()],
        orders=[order("SO-1", 3), order("SO-2", 5)],
    )
    for confirmation in plan_of(snap, verify)["confirmations"]:
        assert confirmation["reason"] in {"stock", "receipt", "transfer", "production", "procurement"}
        assert confirmation["explanation"]


def test_a_late_promise_is_in_whole_hours_and_a_rerun_moments_later_keeps_it(verify):
    snap = snapshot(
        plan_start="2026-11-23T00:17:05Z",
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 10}],
        orders=[order("SO-1", requested="2026-11-23T00:00:00Z")],
    )
    first = by_order(plan_of(snap, verify))["SO-1"]
    assert first["promised_at"] == "2026-11-23T07:00:00Z"  # on hand, 6 h truck: 06:17:05, given as 07:00
    assert first["lines"][0]["deliveries"][0]["arrive_at"] == "2026-11-23T07:00:00Z"
    rerun = {**snap, "plan_start": "2026-11-23T00:17:12Z"}
    rerun["orders"] = [order("SO-1", requested="2026-11-23T00:00:00Z", promised=first["promised_at"])]
    plan = plan_of(rerun, verify)
    assert by_order(plan)["SO-1"]["promised_at"] == "2026-11-23T07:00:00Z"
    assert plan["kpis"].get("broken_promises", 0) == 0 and verify(rerun, plan)["kpis"]["broken_promises"] == 0
