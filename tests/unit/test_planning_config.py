"""The planning policy and horizon come from configuration, with the contract's defaults."""

from orders.priorities import priorities
from planning.config import horizon_days, planning_policy


def test_the_defaults_are_the_agreed_policy():
    assert horizon_days({}) == 60
    assert planning_policy({}) == {
        "priority_weights": {"1": 100, "2": 10, "3": 1},
        "lateness_cost_per_day": 50,
        "unserved_penalty": 100000,
        "broken_promise_penalty": 2000,
    }
    assert priorities({}) == [1, 2, 3]


def test_configured_values_win_and_weight_keys_become_strings():
    config = {
        "PLANNING_HORIZON_DAYS": 30,
        "PLANNING_PRIORITY_WEIGHTS": {1: 50, 2: 5},
        "PLANNING_UNSERVED_PENALTY": 9,
    }
    assert horizon_days(config) == 30
    policy = planning_policy(config)
    assert policy["priority_weights"] == {"1": 50, "2": 5}
    assert (policy["unserved_penalty"], policy["lateness_cost_per_day"]) == (9, 50)
    assert priorities(config) == [1, 2]
