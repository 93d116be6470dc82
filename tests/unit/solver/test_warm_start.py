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
