"""Every case in tests/unit/solver/cases gets exactly the promise worked out by hand in its `why`, validly,
and the baseline's plan is never cheaper than the planner's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planning.solver import solve, solve_baseline
from tests.unit.solver.conftest import by_order

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_gets_the_expected_promises(path, verify):
    case = load(path)
    plan = solve(case["snapshot"], time_limit_s=20)
    report = verify(case["snapshot"], plan)
    assert report["valid"], report["violations"]
    confirmations = by_order(plan)
    for order_id, expected in case["expect"].items():
        assert confirmations[order_id]["status"] == expected["status"], order_id
        assert confirmations[order_id].get("promised_at") == expected.get("promised_at"), order_id


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_baseline_plan_is_valid_and_never_cheaper(path, verify):
    case = load(path)
    baseline = verify(case["snapshot"], solve_baseline(case["snapshot"]))
    planned = verify(case["snapshot"], solve(case["snapshot"], time_limit_s=20))
    assert baseline["valid"], baseline["violations"]
    assert planned["cost"]["total"] <= baseline["cost"]["total"] + 1e-6


def test_cases_are_found_and_say_why():
    assert len(CASES) >= 14
    for path in CASES:
        case = load(path)
        assert case["title"] and case["why"], path.name
        orders = {o["id"] for o in case["snapshot"]["orders"]}
        assert case["expect"] and set(case["expect"]) <= orders, path.name
