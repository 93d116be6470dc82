"""takt's checker against the contract's own referee (shared/planning/verify.py): on every shared example and
on generated networks, for the planner's plans, the baseline's and the examples' reference plans, both agree
on validity and on every cost component; on deliberately broken plans both say invalid, for the same rules."""

from __future__ import annotations

import copy
import functools
import json
from datetime import datetime, timedelta

import pytest

from planning import checker
from planning.solver import solve, solve_baseline
from tests.crosscheck.conftest import load_shared, shared_dir, shared_present

if not shared_present():
    pytest.skip(
        "../shared not found beside the repository (set TAKT_SHARED_DIR): "
        "cross-checks with the contract's referee skipped",
        allow_module_level=True,
    )

EXAMPLES = {path.stem: path for path in sorted((shared_dir() / "planning" / "examples").glob("*.json"))}
GENERATED = {
    "generated-small": {"orders": 20, "skus": 6, "locations": 3, "suppliers": 2, "plants": 1, "seed": 3},
    "generated-tight": {
        "orders": 40,
        "skus": 10,
        "locations": 4,
        "suppliers": 3,
        "plants": 2,
        "seed": 2,
        "tight": True,
    },
    "generated-weekends": {"orders": 30, "skus": 8, "locations": 3, "suppliers": 3, "plants": 2, "seed": 1},
}
SCENARIOS = [*EXAMPLES, *GENERATED]
WEEKENDS = ["2026-11-28", "2026-11-29", "2026-12-05", "2026-12-06"]


@functools.cache
def scenario(name: str) -> dict:
    if name in EXAMPLES:
        return json.loads(EXAMPLES[name].read_text())["snapshot"]
    snap = load_shared("generate").generate(**GENERATED[name])
    if name == "generated-weekends":
        for resource in snap["resources"]:
            extra = {"date": "2026-11-24", "hours": resource["hours_per_day"] + 8}
            resource["calendar"] = [{"date": day, "hours": 0} for day in WEEKENDS] + [extra]
    return snap


def reference_plan(name: str) -> dict | None:
    return json.loads(EXAMPLES[name].read_text()).get("reference_plan") if name in EXAMPLES else None


@functools.cache
def plans(name: str) -> dict[str, dict]:
    """The planner's plan, the baseline's and (for an example that has one) the reference plan."""
    snap = scenario(name)
    found = {"planned": solve(snap, time_limit_s=5), "baseline": solve_baseline(snap)}
    if reference := reference_plan(name):
        found["reference"] = reference
    return found


CASES = [(name, kind) for name in SCENARIOS for kind in ("planned", "baseline")]
CASES += [(name, "reference") for name in EXAMPLES if reference_plan(name)]


def both(shared_verify, snap: dict, plan: dict) -> tuple[dict, dict]:
    return checker.verify(snap, plan), shared_verify(snap, plan)


@pytest.mark.parametrize("name", SCENARIOS)
def test_both_find_the_snapshot_well_formed(name):
    assert checker.check_snapshot(scenario(name)) == []
    assert load_shared("verify").check_snapshot(scenario(name)) == []


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_both_agree_on_validity_and_every_cost_component(shared_verify, name, kind):
    ours, theirs = both(shared_verify, scenario(name), plans(name)[kind])
    assert ours["valid"] == theirs["valid"], (ours["violations"][:3], theirs["violations"][:3])
    assert set(ours["cost"]) == set(theirs["cost"])
    for component, value in theirs["cost"].items():
        assert ours["cost"][component] == pytest.approx(value, rel=1e-6, abs=1e-6), component
    counts = ("orders", "confirmed", "unconfirmed", "on_time", "late", "broken_promises")
    assert {k: ours["kpis"][k] for k in counts} == {k: theirs["kpis"][k] for k in counts}


def shifted(text: str, hours: float) -> str:
    moment = datetime.fromisoformat(text) + timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def deliveries(plan: dict) -> list[dict]:
    return [
        d for c in plan["confirmations"] for line in c.get("lines", []) for d in line.get("deliveries", [])
    ]


def drop_a_confirmation(snap, plan):
    plan["confirmations"].pop(0)


def short_a_delivery(snap, plan):
    delivery = next(iter(deliveries(plan)), None)
    if delivery is None:
        return False
    delivery["qty"] /= 2


def stretch_a_delivery(snap, plan):
    delivery = next(iter(deliveries(plan)), None)
    if delivery is None:
        return False
    delivery["arrive_at"] = shifted(delivery["arrive_at"], 1)


def deliver_by_air(snap, plan):
    delivery = next(iter(deliveries(plan)), None)
    if delivery is None:
        return False
    delivery["mode"] = "air"


def ship_what_is_not_there(snap, plan):
    if not deliveries(plan) or not snap.get("stock"):
        return False
    snap["stock"] = []
    snap["receipts"] = []
    plan["procurement"], plan["production"], plan["transfers"] = [], [], []


def rush_a_purchase(snap, plan):
    if not plan["procurement"]:
        return False
    purchase = plan["procurement"][0]
    purchase["order_at"] = shifted(purchase["receive_at"], -1)


def buy_one_unit_more_than_allowed(snap, plan):
    purchase = next(iter(plan["procurement"]), None)
    offers = {(o["supplier"], o["sku"], o["location"]): o for o in snap.get("supply_offers", [])}
    if purchase is None or not offers[(purchase["supplier"], purchase["sku"], purchase["location"])].get(
        "multiple"
    ):
        return False
    purchase["qty"] += 1


def shorten_a_production_order(snap, plan):
    if not plan["production"]:
        return False
    plan["production"][0]["end_at"] = shifted(plan["production"][0]["end_at"], -1)


def overload_a_line(snap, plan):
    if not plan["production"]:
        return False
    plan["production"][0]["qty"] *= 100


def start_at_another_time(snap, plan):
    plan["plan_start"] = shifted(plan["plan_start"], 1)


MUTATIONS = {
    f.__name__: f
    for f in (
        drop_a_confirmation,
        short_a_delivery,
        stretch_a_delivery,
        deliver_by_air,
        ship_what_is_not_there,
        rush_a_purchase,
        buy_one_unit_more_than_allowed,
        shorten_a_production_order,
        overload_a_line,
        start_at_another_time,
    )
}


def broken_cases(mutation: str):
    """(scenario, snapshot, plan) wherever `mutation` can break the planned (else the baseline) plan."""
    for name in SCENARIOS:
        for kind in ("planned", "baseline"):
            snap, plan = copy.deepcopy(scenario(name)), copy.deepcopy(plans(name)[kind])
            if MUTATIONS[mutation](snap, plan) is not False:
                yield name, snap, plan
                break


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_both_refuse_a_broken_plan_for_the_same_rules(shared_verify, mutation):
    checked, disagreements = 0, []
    for name, snap, plan in broken_cases(mutation):
        ours, theirs = both(shared_verify, snap, plan)
        rules = ({v["rule"] for v in ours["violations"]}, {v["rule"] for v in theirs["violations"]})
        if ours["valid"] or theirs["valid"] or rules[0] != rules[1]:
            disagreements.append((name, ours["violations"][:3], theirs["violations"][:3]))
        checked += 1
    assert checked, f"{mutation} applies to no scenario"
    assert not disagreements, disagreements
