"""For random small scenarios from generate.py the plan is always valid and never dearer than the baseline."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.solver import solve, solve_baseline

scenarios = st.fixed_dictionaries(
    {
        "orders": st.integers(1, 12),
        "skus": st.integers(4, 10),
        "locations": st.integers(2, 4),
        "suppliers": st.integers(1, 3),
        "plants": st.integers(0, 1),
        "seed": st.integers(0, 10_000),
        "tight": st.booleans(),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=scenarios)
def test_plan_is_valid_and_never_costs_more_than_the_baseline(scenario, generate, verify):
    snap = generate(**scenario)
    planned = verify(snap, solve(snap, time_limit_s=4))
    baseline = verify(snap, solve_baseline(snap))
    assert planned["valid"], planned["violations"][:5]
    assert baseline["valid"], baseline["violations"][:5]
    assert planned["cost"]["total"] <= baseline["cost"]["total"] + 1e-6
