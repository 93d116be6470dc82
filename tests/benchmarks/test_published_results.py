"""Checks on the published cases that benchmarks/plan_bench.py --published planned (JSON path in
PLAN_BENCH_PUBLISHED; skipped without it): every plan valid by the contract's verify.py, its bound never
above the proven optimum (an honest bound), and its cost within 1% of the optimum. A bound above the optimum
once came from asking HiGHS to scale the objective (its dual bound came back in scaled units)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

RESULTS = os.environ.get("PLAN_BENCH_PUBLISHED")
pytestmark = pytest.mark.skipif(not RESULTS, reason="PLAN_BENCH_PUBLISHED is not set")


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    found = json.loads(Path(RESULTS).read_text())
    assert found, "the benchmark planned no published case"
    return found


def test_every_plan_is_valid(cases):
    assert not [c["case"] for c in cases if not c["valid"]]


def test_no_bound_is_above_the_proven_optimum(cases):
    above = [(c["case"], c["bound_ratio"]) for c in cases if c["bound_ratio"] is not None]
    assert not [(name, ratio) for name, ratio in above if ratio > 1 + 1e-6]


def test_every_cost_is_within_one_percent_of_the_optimum(cases):
    assert not [(c["case"], c["ratio"]) for c in cases if c["ratio"] > 1.01]
