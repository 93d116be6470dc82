"""Rolling stock: goods no order needs go on the road where the freight is cheaper than their holding."""

from __future__ import annotations

import pytest

from planning.solver import solve
from planning.solver.baseline import priority_sequence, promise_in_sequence
from planning.solver.contract import parse_snapshot
from planning.solver.part import PASSES
from planning.solver.rolling import roll_idle_stock
from tests.unit.solver.conftest import by_order, order, snapshot


def idle_stock(transit_hours: float = 48, unit_cost: float = 0.1, capacity: float | None = None):
    """100 units of an item that costs 1 a day to hold at WH-N, an order for 10 of them in 5 days, and a
    lane to WH-S and back (`transit_hours`, `unit_cost` a unit)."""
    base = snapshot()
    lane = {"mode": "rail", "transit_hours": transit_hours, "unit_cost": unit_cost}
    if capacity is not None:
        lane["capacity_per_day"] = capacity
    snap = snapshot(
        items=[{"sku": "NB-14", "holding_cost_per_day": 1.0}, {"sku": "PART", "holding_cost_per_day": 0.0}],
        locations=[*base["locations"], {"code": "WH-S", "kind": "warehouse", "region": "east"}],
        lanes=[
            *base["lanes"],
            {"from": "WH-N", "to": "WH-S", **lane},
            {"from": "WH-S", "to": "WH-N", **lane},
        ],
        stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 100}],
        orders=[order("SO-1", 10, requested="2026-11-28T00:00:00Z")],
    )
    return snap


def test_idle_goods_roll_and_the_order_keeps_its_stock(verify):
    raw = idle_stock()
    snap = parse_snapshot(raw)
    start = promise_in_sequence(snap, priority_sequence(snap), PASSES["baseline"], name="baseline")
    before = start.cost
    rolled = roll_idle_stock(snap, start)
    # 90 idle units, 2 days on the road a move (saving 2 - 0.1 a unit), back and forth over 30 days: 15 moves
    assert rolled.cost == pytest.approx(before - 90 * 15 * (2.0 - 0.1))
    assert {(t.origin, t.to) for t in rolled.ledger.transfers} == {("WH-N", "WH-S"), ("WH-S", "WH-N")}
    assert all(t.qty == pytest.approx(90) for t in rolled.ledger.transfers)
    plan = solve(raw, time_limit_s=5)
    report = verify(raw, plan)
    assert report["valid"], report["violations"][:3]
    assert by_order(plan)["SO-1"]["promised_at"] == "2026-11-28T00:00:00Z"
    assert report["cost"]["total"] <= rolled.cost + 1e-6


def test_nothing_rolls_where_the_road_costs_more_than_holding():
    snap = parse_snapshot(idle_stock(unit_cost=2.5))  # 2 days of holding cost 2 < 2.5 a move
    start = promise_in_sequence(snap, priority_sequence(snap), PASSES["baseline"], name="baseline")
    assert roll_idle_stock(snap, start) is start


def test_a_capped_lane_rolls_no_more_than_its_capacity(verify):
    raw = idle_stock(capacity=30)
    plan = solve(raw, time_limit_s=5)
    report = verify(raw, plan)
    assert report["valid"], report["violations"][:3]
    by_day: dict = {}
    for t in plan["transfers"]:
        key = (t["from"], t["to"], t["depart_at"][:10])
        by_day[key] = by_day.get(key, 0) + t["qty"]
    assert by_day and max(by_day.values()) <= 30 + 1e-6
