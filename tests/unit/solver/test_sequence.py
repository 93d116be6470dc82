"""The sequence search: passes over other order sequences find plans that priority order misses."""

from __future__ import annotations

import time

from planning.solver.baseline import priority_sequence, promise_in_sequence
from planning.solver.contract import format_time, parse_snapshot
from planning.solver.part import PASSES
from planning.solver.plan import service_cost
from planning.solver.sequence import perturb, search, service_costs
from tests.unit.solver.conftest import order, snapshot


def stock_one_order_can_have():
    """10 units at WH-N and 10 at WH-S. A heavy order to north, which both serve (WH-N an hour sooner), and a
    light one to east, which only WH-N serves (or a purchase there, 5 days away). Priority order gives WH-N's
    stock to the heavy order and the light one waits 5 days (5 * 50 = 250); the other way round the heavy
    order is an hour late from WH-S (100 * 50 / 24 = 208) and the light one on time."""
    base = snapshot()
    return snapshot(
        locations=[*base["locations"], {"code": "WH-S", "kind": "warehouse", "region": "east"}],
        lanes=[
            *base["lanes"],
            {"from": "WH-S", "to": "north", "mode": "truck", "transit_hours": 7, "unit_cost": 1.0},
            {"from": "WH-N", "to": "east", "mode": "truck", "transit_hours": 6, "unit_cost": 1.0},
        ],
        stock=[
            {"sku": "NB-14", "location": "WH-N", "on_hand": 10},
            {"sku": "NB-14", "location": "WH-S", "on_hand": 10},
        ],
        supply_offers=[
            {
                "supplier": "SUP-A",
                "sku": "NB-14",
                "location": "WH-N",
                "lead_time_hours": 120,
                "unit_cost": 5.0,
            }
        ],
        orders=[
            order("SO-HEAVY", 10, priority=1, requested="2026-11-23T06:00:00Z"),
            order("SO-LIGHT", 10, priority=3, region="east", requested="2026-11-23T06:00:00Z"),
        ],
    )


def test_the_search_finds_the_sequence_that_serves_both_on_time(verify):
    snap = parse_snapshot(stock_one_order_can_have())
    sequence = priority_sequence(snap)
    assert [o.id for o in sequence] == ["SO-HEAVY", "SO-LIGHT"]
    tactics = PASSES["baseline"]  # earliest arrival for each order in turn: stock before a purchase
    start = promise_in_sequence(snap, sequence, tactics, name="baseline")
    assert sum(service_cost(snap, outcome) for outcome in start.outcomes) > 0  # the light order is late

    found, _, tried = search(snap, start, sequence, tactics, time.monotonic() + 2)

    assert tried > 0
    assert found.cost < start.cost
    light = next(o for o in found.outcomes if o.order.id == "SO-LIGHT")
    assert format_time(light.promised_at) == "2026-11-23T06:00:00Z"


def test_a_perturbed_sequence_holds_every_order_once():
    import random

    snap = parse_snapshot(stock_one_order_can_have())
    sequence = priority_sequence(snap)
    start = promise_in_sequence(snap, sequence, PASSES["baseline"], name="baseline")
    rng = random.Random(1)
    for _ in range(20):
        trial = perturb(sequence, service_costs(snap, start), rng)
        assert sorted(o.id for o in trial) == sorted(o.id for o in sequence)


def test_the_search_keeps_the_plan_when_no_sequence_is_cheaper():
    snap = parse_snapshot(snapshot(orders=[order("SO-1", 10)]))  # one order: nothing to reorder
    sequence = priority_sequence(snap)
    start = promise_in_sequence(snap, sequence, PASSES["baseline"], name="baseline")
    found, _, tried = search(snap, start, sequence, PASSES["baseline"], time.monotonic() + 0.5)
    assert found is start and tried == 0
