"""The contract's own examples (../shared/planning/examples): takt's planner gives each the promise the
contract's authors expect, validly by the contract's verifier, and the baseline is never cheaper; the
workspace's cost split agrees with that verifier on their reference plans. Skipped without ../shared."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from planning.runs.costs import cost_split
from planning.solver import solve, solve_baseline


def _shared_dir() -> Path:
    """`shared/` beside the repository root, or TAKT_SHARED_DIR."""
    override = os.environ.get("TAKT_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2].parent / "shared"


SHARED = _shared_dir() / "planning"
if not (SHARED / "verify.py").is_file() or not (SHARED / "examples").is_dir():
    pytest.skip(
        "../shared not found beside the repository (set TAKT_SHARED_DIR): cross-checks with the contract's "
        "referee skipped",
        allow_module_level=True,
    )

_spec = importlib.util.spec_from_file_location("takt_crosscheck_shared_verify", SHARED / "verify.py")
_referee = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_referee)
verify = _referee.verify

EXAMPLES = sorted((SHARED / "examples").glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_gets_the_expected_promises(path):
    case = load(path)
    plan = solve(case["snapshot"], time_limit_s=20)
    report = verify(case["snapshot"], plan)
    assert report["valid"], report["violations"]
    confirmations = {c["order_id"]: c for c in plan["confirmations"]}
    for order_id, expected in case["expect"].items():
        assert confirmations[order_id]["status"] == expected["status"], order_id
        assert confirmations[order_id].get("promised_at") == expected.get("promised_at"), order_id


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_baseline_plan_is_valid_and_never_cheaper(path):
    case = load(path)
    baseline = verify(case["snapshot"], solve_baseline(case["snapshot"]))
    planned = verify(case["snapshot"], solve(case["snapshot"], time_limit_s=20))
    assert baseline["valid"], baseline["violations"]
    assert planned["cost"]["total"] <= baseline["cost"]["total"] + 1e-6


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_cost_split_agrees_with_the_referee_on_reference_plans(path):
    case = load(path)
    if not case.get("reference_plan"):
        pytest.skip("no reference plan")
    expected = verify(case["snapshot"], case["reference_plan"])["cost"]
    split = cost_split(case["snapshot"], case["reference_plan"])
    for part in ("service", "purchasing", "production", "freight", "holding", "total"):
        assert split[part] == pytest.approx(expected[part], abs=0.01), part


def test_examples_are_found():
    assert len(EXAMPLES) >= 13
