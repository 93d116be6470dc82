"""Starting from the plan in force: on the same inputs a run never comes out dearer than the last one, and an
earlier plan is a valid start when orders came and went."""

from __future__ import annotations

import copy

import pytest

from planning.solver import solve
from planning.solver.contract import parse_snapshot
from planning.solver.plan import breaks_promise
from planning.solver.warm import as_it_stands, warm_candidates
from tests.unit.solver.conftest import order


@pytest.fixture(scope="module")
def network(generate):
    return generate(orders=30, skus=14, locations=4, suppliers=3, plants=1, seed=21, tight=True)


def test_the_plan_in_force_is_read_back_at_its_own_cost(network, verify):
    plan = solve(network, time_limit_s=5)
    found = as_it_stands(parse_snapshot(network), plan)
    assert found is not None
    assert found.cost == pytest.approx(verify(network, plan)["cost"]["total"], rel=1e-9)


def test_a_rerun_on_the_same_inputs_is_never_dearer(network, verify):
    first = solve(network, time_limit_s=5)
    # far too little time to plan afresh: the plan in force must carry the run
    again = solve(network, time_limit_s=0.5, warm_start=first)
    report = verify(network, again)
    assert report["valid"], report["violations"][:3]
    assert report["cost"]["total"] <= verify(network, first)["cost"]["total"] + 1e-6


def test_a_plan_that_no_longer_fits_is_not_taken_as_it_stands(network):
    plan = solve(network, time_limit_s=5)
    fewer = copy.deepcopy(network)
    fewer["stock"] = [dict(row, on_hand=0) for row in fewer["stock"]]  # the stock it counted on is gone
    assert as_it_stands(parse_snapshot(fewer), plan) is None


def test_an_earlier_plan_starts_a_run_with_new_and_cancelled_orders(network, verify):
    plan = solve(network, time_limit_s=5)
    changed = copy.deepcopy(network)
    gone = changed["orders"].pop(0)["id"]
    sku = changed["orders"][0]["lines"][0]["sku"]
    changed["orders"].append(order("SO-NEW", 2, sku=sku, region=changed["orders"][0]["region"]))
    snap = parse_snapshot(changed)
    for found in warm_candidates(snap, plan):
        assert gone not in {o.order.id for o in found.outcomes}
        assert "SO-NEW" in {o.order.id for o in found.outcomes}
    replanned = solve(changed, time_limit_s=3, warm_start=plan)
    assert verify(changed, replanned)["valid"]


def test_a_promise_the_plan_in_force_already_broke_does_not_stop_it_being_the_start(network):
    missed = copy.deepcopy(network)
    first = missed["orders"][0]
    first["confirmed_promise_at"] = missed["plan_start"]  # nothing can arrive by now: any plan breaks it
    plan = solve(missed, time_limit_s=3)
    found = warm_candidates(parse_snapshot(missed), plan)
    assert found, "the plan in force was thrown away for a promise it had already broken"
    assert all(breaks_promise(o) for c in found for o in c.outcomes if o.order.id == first["id"])


def test_a_plan_from_an_earlier_start_is_caught_up_to_the_second(verify):
    from tests.unit.solver.conftest import snapshot

    offer = {"supplier": "SUP-A", "sku": "NB-14", "location": "WH-N", "lead_time_hours": 72, "unit_cost": 20}
    stocked = {"sku": "PART", "location": "WH-N", "on_hand": 5}
    first = snapshot(
        supply_offers=[offer],
        stock=[stocked],
        orders=[order("SO-BUY", 10), order("SO-STOCK", 5, sku="PART", requested="2026-11-25T00:00:00Z")],
    )
    plan = solve(first, time_limit_s=3)
    assert verify(first, plan)["valid"]
    promised = {c["order_id"]: c["promised_at"] for c in plan["confirmations"]}
    assert promised == {"SO-BUY": "2026-11-26T06:00:00Z", "SO-STOCK": "2026-11-25T00:00:00Z"}

    later = copy.deepcopy(first)  # the next run, 90 s on: the purchase due "now" was not placed at 00:00
    later["plan_start"] = "2026-11-23T00:01:30Z"
    for o in later["orders"]:
        o["confirmed_promise_at"] = promised[o["id"]]
    found = as_it_stands(parse_snapshot(later), plan)
    assert found is not None
    (purchase,) = found.ledger.purchases
    assert (
        purchase.order_at == parse_snapshot(later).plan_start
    )  # done now, and what waited for it waits 90 s
    times = {o.order.id: o.promised_at - parse_snapshot(first).plan_start for o in found.outcomes}
    assert times == {"SO-BUY": 78 * 3600 + 90, "SO-STOCK": 48 * 3600}  # what did not wait keeps its time


def test_a_rerun_minutes_later_is_never_dearer_than_the_plan_in_force_caught_up(network, verify):
    first = solve(network, time_limit_s=5)
    later = copy.deepcopy(network)
    later["plan_start"] = _seconds_later(network["plan_start"], 120)
    promised = {c["order_id"]: c.get("promised_at") for c in first["confirmations"]}
    for o in later["orders"]:
        o["confirmed_promise_at"] = promised[o["id"]]
    caught = as_it_stands(parse_snapshot(later), first)
    assert caught is not None, "the plan in force could not be caught up two minutes on"
    again = solve(later, time_limit_s=0.5, warm_start=first)
    report = verify(later, again)
    assert report["valid"], report["violations"][:3]
    assert report["cost"]["total"] <= caught.cost + 1e-6


def _seconds_later(text: str, seconds: int) -> str:
    from datetime import datetime, timedelta

    at = datetime.fromisoformat(text.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_two_orders_of_the_same_key_are_written_as_one_order(monkeypatch, verify):
    from dataclasses import replace

    from planning.solver import peg
    from planning.solver.part import one_order_per_key
    from planning.solver.plan import to_plan
    from tests.unit.solver.conftest import plant_snapshot

    raw = plant_snapshot([order("SO-1", 10, region="east")], hours_per_unit=0.5, setup_cost=300)
    snap = parse_snapshot(raw)
    made = as_it_stands(snap, solve(raw, time_limit_s=2))
    (production,) = made.ledger.productions
    half = replace(production, qty=production.qty / 2)
    # a ledger placed without lots (the baseline's, a timed model solution) can hold the two halves apart
    monkeypatch.setattr(peg, "_merge", lambda purchases, productions: (list(purchases), list(productions)))
    split = peg.rebuild(
        snap, peg.Actions((), (half, half), tuple(made.ledger.transfers)), list(made.outcomes), "x"
    )
    monkeypatch.undo()
    assert len(split.ledger.productions) == 2 and split.cost == pytest.approx(made.cost + 300)

    one = one_order_per_key(snap, split)
    assert one.cost == pytest.approx(made.cost)
    plan = to_plan(snap, one, {"status": "feasible", "objective": one.cost, "bound": None})
    assert [m["qty"] for m in plan["production"]] == [production.qty]
    assert verify(raw, plan)["cost"]["total"] == pytest.approx(one.cost)


def test_an_order_whose_second_line_finds_its_lane_full_is_undone_whole_and_promised_afresh():
    # a daily solution ships both lines of an order that may ship in parts on one day; each line alone finds
    # room on the lane (10 a day), so timed exactly the second line's departure fails after the first was
    # placed: the order is undone whole and promised afresh, on two days' trucks
    from planning.solver.extract import time_solution
    from planning.solver.model import Solution
    from tests.unit.solver.conftest import snapshot

    truck = {"from": "WH-N", "to": "north", "mode": "truck", "transit_hours": 6, "unit_cost": 1.0}
    lines = [{"line": "1", "sku": "NB-14", "qty": 10}, {"line": "2", "sku": "PART", "qty": 10}]
    raw = snapshot(
        stock=[{"sku": sku, "location": "WH-N", "on_hand": 10} for sku in ("NB-14", "PART")],
        lanes=[truck | {"capacity_per_day": 10}],
        orders=[order("SO-2", ship_complete=False, lines=lines)],
    )
    snap = parse_snapshot(raw)
    day = snap.plan_start // 86400
    ship = {(0, 0, 0, day): 10.0, (0, 1, 0, day): 10.0}  # each line whole, leaving that day
    timed = time_solution(snap, Solution("daily", 0.0, 0.0, {}, {}, {}, ship, set()))
    assert timed is not None
    (outcome,) = timed.outcomes
    days = sorted(d.depart_at // 86400 for line in outcome.lines for d in line.deliveries)
    assert outcome.promised_at is not None and days == [day, day + 1]
    assert all(used <= 10 for used in timed.ledger.used.values())
