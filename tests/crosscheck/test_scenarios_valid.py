"""takt's generated scenarios by the contract's referee (../shared/planning/verify.py): every snapshot passes
its `check_snapshot`, and takt's plans for them pass its `verify`. Skipped without ../shared."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from planning.scenarios import generate
from planning.solver import solve, solve_baseline


def _shared_dir() -> Path:
    """`shared/` beside the repository root, or TAKT_SHARED_DIR."""
    override = os.environ.get("TAKT_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2].parent / "shared"


VERIFY = _shared_dir() / "planning" / "verify.py"
if not VERIFY.is_file():
    pytest.skip(
        "../shared not found beside the repository (set TAKT_SHARED_DIR): cross-checks with the contract's "
        "referee skipped",
        allow_module_level=True,
    )

_spec = importlib.util.spec_from_file_location("takt_crosscheck_referee", VERIFY)
referee = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(referee)

SHAPES = {
    "tiny-no-plant": dict(orders=3, skus=4, locations=2, suppliers=1, plants=0),
    "small": dict(orders=12, skus=8, locations=3, suppliers=2, plants=1),
    "two-plants": dict(orders=40, skus=16, locations=4, suppliers=3, plants=2),
    "wide": dict(orders=400, skus=60, locations=8, suppliers=6, plants=2),
    "no-suppliers": dict(orders=10, skus=6, locations=3, suppliers=0, plants=1),
}


@pytest.mark.parametrize("tight", [False, True], ids=["ample", "tight"])
@pytest.mark.parametrize("shape", SHAPES, ids=list(SHAPES))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_snapshots_are_well_formed_by_the_referee(shape, seed, tight):
    assert referee.check_snapshot(generate(**SHAPES[shape], seed=seed, tight=tight)) == []


def test_a_large_generated_snapshot_is_well_formed_by_the_referee():
    snap = generate(orders=5000, skus=200, locations=12, suppliers=8, plants=3, seed=9, tight=True)
    assert referee.check_snapshot(snap) == []


@pytest.mark.parametrize(
    ("shape", "seed", "tight"),
    [("small", 1, False), ("small", 2, True), ("two-plants", 3, False), ("two-plants", 4, True)],
)
def test_takts_plans_for_generated_snapshots_pass_the_referee(shape, seed, tight):
    snap = generate(**SHAPES[shape], seed=seed, tight=tight)
    for name, plan in (("solve", solve(snap, time_limit_s=5)), ("baseline", solve_baseline(snap))):
        report = referee.verify(snap, plan)
        assert report["valid"], (name, report["violations"][:3])
        assert len(plan["confirmations"]) == len(snap["orders"]), name
