"""Every example in ../shared/planning/examples gets exactly the expected status and promise, validly."""

from __future__ import annotations

import json

import pytest

from planning.solver import solve, solve_baseline
from tests.unit.solver.conftest import by_order, shared_dir

EXAMPLES = sorted((shared_dir() / "planning" / "examples").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_gets_the_expected_promises(path, verify):
    case = json.loads(path.read_text())
    plan = solve(case["snapshot"], time_limit_s=20)
    report = verify(case["snapshot"], plan)
    assert report["valid"], report["violations"]
    confirmations = by_order(plan)
    for order_id, expected in case["expect"].items():
        assert confirmations[order_id]["status"] == expected["status"], order_id
        assert confirmations[order_id].get("promised_at") == expected.get("promised_at"), order_id


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_baseline_plan_is_valid_and_never_cheaper(path, verify):
    case = json.loads(path.read_text())
    baseline = verify(case["snapshot"], solve_baseline(case["snapshot"]))
    planned = verify(case["snapshot"], solve(case["snapshot"], time_limit_s=20))
    assert baseline["valid"], baseline["violations"]
    assert planned["cost"]["total"] <= baseline["cost"]["total"] + 1e-6


def test_examples_are_found():
    assert len(EXAMPLES) >= 13
