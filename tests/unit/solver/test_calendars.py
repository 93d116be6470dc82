"""Working calendars: every way the planner plans production honours a line's calendar (closed days, short
days, extra shifts), and building ahead of a closure is chosen by cost."""

from __future__ import annotations

import pytest

from planning.solver import solve, solve_baseline
from planning.solver.baseline import priority_sequence, promise_in_sequence
from planning.solver.contract import parse_snapshot
from planning.solver.part import PASSES
from planning.solver.plan import to_plan
from tests.unit.solver.conftest import by_order, order, plant_snapshot

REPORT = {"status": "heuristic", "objective": 0.0, "bound": None, "seconds": 0.0}


def with_calendar(snap: dict, *days: tuple[str, float]) -> dict:
    snap["resources"][0]["calendar"] = [{"date": date, "hours": hours} for date, hours in days]
    return snap


def every_way(snap: dict) -> dict[str, dict]:
    """The plan of each pass on its own, of the baseline, and of the whole planner (batch model included)."""
    parsed = parse_snapshot(snap)
    plans = {
        name: to_plan(
            parsed, promise_in_sequence(parsed, priority_sequence(parsed), tactics, name=name), REPORT
        )
        for name, tactics in PASSES.items()
    }
    plans["solve_baseline"] = solve_baseline(snap)
    plans["solve"] = solve(snap, time_limit_s=10)
    return plans


def start_days(plan: dict) -> set[str]:
    return {mo["start_at"][:10] for mo in plan["production"]}


def test_nothing_is_made_on_a_closed_day_and_an_extra_shift_is_used(verify):
    # 0.8 h a unit on an 8 h line: 10 units a day; closed on the 23rd, 16 h on the 24th
    orders = [order("SO-1", 10, priority=1, region="east"), order("SO-2", 10, priority=2, region="east")]
    snap = with_calendar(plant_snapshot(orders, hours_per_unit=0.8), ("2026-11-23", 0), ("2026-11-24", 16))
    for name, plan in every_way(snap).items():
        assert verify(snap, plan)["valid"], name
        assert start_days(plan) == {"2026-11-24"}, name
        assert {c["promised_at"] for c in plan["confirmations"]} == {"2026-11-25T12:00:00Z"}, name


def test_a_short_day_takes_only_its_hours(verify):
    orders = [order("SO-1", 10, priority=1, region="east"), order("SO-2", 10, priority=2, region="east")]
    snap = with_calendar(plant_snapshot(orders, hours_per_unit=0.8), ("2026-11-23", 4))
    for name, plan in every_way(snap).items():
        assert verify(snap, plan)["valid"], name
        made = {}
        for mo in plan["production"]:
            made[mo["start_at"][:10]] = made.get(mo["start_at"][:10], 0) + mo["qty"]
        assert made.get("2026-11-23", 0) <= 5, name


@pytest.mark.parametrize(
    ("holding", "made_on", "promised"),
    [
        (0.01, "2026-11-24", "2026-11-26T12:00:00Z"),  # holding a day is cheap: built ahead, on time
        (100.0, "2026-11-26", "2026-11-27T12:00:00Z"),  # holding costs more than a day late: made after
    ],
)
def test_building_ahead_of_a_closure_is_chosen_by_cost(verify, holding, made_on, promised):
    # wanted on the 26th at noon: made on the 25th (24 h) and trucked (12 h), but the line is closed then
    orders = [order("SO-1", 10, priority=2, region="east", requested="2026-11-26T12:00:00Z")]
    snap = with_calendar(plant_snapshot(orders, hours_per_unit=0.5), ("2026-11-25", 0))
    snap["items"][0]["holding_cost_per_day"] = holding
    plans = every_way(snap)
    for name in ("cost-aware greedy", "solve"):
        assert verify(snap, plans[name])["valid"], name
        assert start_days(plans[name]) == {made_on}, name
        assert by_order(plans[name])["SO-1"]["promised_at"] == promised, name


def test_the_explanation_names_the_closure(verify):
    orders = [order("SO-1", 10, priority=1, region="east")]
    snap = with_calendar(plant_snapshot(orders, hours_per_unit=0.8), ("2026-11-23", 0))
    for name, plan in every_way(snap).items():
        explanation = by_order(plan)["SO-1"]["explanation"]
        assert "L1 closed on 2026-11-23" in explanation and "on 2026-11-24" in explanation, (
            name,
            explanation,
        )


def test_a_calendar_that_changes_nothing_changes_no_plan():
    orders = [order(f"SO-{i}", 6, region="east", requested=f"2026-11-2{4 + i}T00:00:00Z") for i in range(4)]
    plain = plant_snapshot(orders, hours_per_unit=0.5, setup_hours=1, setup_cost=50)
    same = with_calendar(plant_snapshot(orders, hours_per_unit=0.5, setup_hours=1, setup_cost=50))
    usual = with_calendar(
        plant_snapshot(orders, hours_per_unit=0.5, setup_hours=1, setup_cost=50), ("2026-11-25", 8)
    )
    plans = [solve(s, time_limit_s=10) for s in (plain, same, usual)]
    for plan in plans:
        plan["solver"].pop("seconds")
    assert plans[0] == plans[1] == plans[2]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_networks_with_weekends_closed_are_planned_validly(generate, verify, seed):
    snap = generate(orders=40, skus=16, locations=4, suppliers=3, plants=2, seed=seed, tight=seed == 2)
    for i, resource in enumerate(snap["resources"]):
        # weekends closed (2026-11-28/29, 12-05/06, ...), one extra shift, one short day
        days = [(f"2026-{m:02d}-{d:02d}", 0) for m, d in ((11, 28), (11, 29), (12, 5), (12, 6), (12, 12))]
        days += [("2026-11-24", resource["hours_per_day"] + 8), ("2026-11-26", 2 + i)]
        with_calendar({"resources": [resource]}, *days)
    closed = {"2026-11-28", "2026-11-29", "2026-12-05", "2026-12-06", "2026-12-12"}
    for name, plan in every_way(snap).items():
        report = verify(snap, plan)
        assert report["valid"], (name, report["violations"][:3])
        assert not start_days(plan) & closed, name
