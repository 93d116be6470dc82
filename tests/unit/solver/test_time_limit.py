"""The planner returns a valid plan within its time limit, however short, even when the network is large."""

from __future__ import annotations

import time

import pytest

from planning.solver import solve


@pytest.mark.parametrize("time_limit_s", [1.0, 3.0])
def test_plan_is_valid_and_returned_within_the_time_limit(time_limit_s, generate, verify):
    snap = generate(orders=400, skus=60, locations=8, suppliers=6, plants=2, seed=3, tight=True)
    started = time.monotonic()
    plan = solve(snap, time_limit_s=time_limit_s)
    assert time.monotonic() - started <= time_limit_s
    assert verify(snap, plan)["valid"]
    assert len(plan["confirmations"]) == 400
