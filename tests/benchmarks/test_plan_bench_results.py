"""Checks on the JSON that benchmarks/plan_bench.py wrote (path in PLAN_BENCH_RESULTS); skipped without it.

Asserted: every plan valid (by verify.py), never dearer than the order-by-order baseline, and on the tight
scenarios (stock and capacity short) at least 5% cheaper. Timings are only printed by the benchmark, never
asserted here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

RESULTS = os.environ.get("PLAN_BENCH_RESULTS")
pytestmark = pytest.mark.skipif(not RESULTS, reason="PLAN_BENCH_RESULTS is not set")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    found = json.loads(Path(RESULTS).read_text())
    assert found, "the benchmark wrote no scenarios"
    return found


def test_every_plan_is_valid(rows):
    invalid = [(r["scenario"], r["violations"]) for r in rows if not r["valid"]]
    assert not invalid


def test_no_plan_costs_more_than_the_baseline(rows):
    dearer = [(r["scenario"], r["cost"], r["baseline"]) for r in rows if r["cost"] > r["baseline"] + 1e-6]
    assert not dearer


def test_batch_planning_saves_at_least_5_percent_when_supply_is_tight(rows):
    tight = [r for r in rows if r["tight"]]
    short = [(r["scenario"], r["ratio"]) for r in tight if r["cost"] > 0.95 * r["baseline"]]
    assert tight and not short
