"""The planning policy and horizon, read from app config (`SCM_PLANNING_*` in the environment).

Defaults follow the contract's example policy; the priority weights, whose keys are the order priorities,
are read by `orders/priorities.py`.
"""

from collections.abc import Mapping

from orders.priorities import priority_weights

DEFAULTS = {
    "PLANNING_HORIZON_DAYS": 60,
    "PLANNING_LATENESS_COST_PER_DAY": 50,
    "PLANNING_UNSERVED_PENALTY": 100000,
    "PLANNING_BROKEN_PROMISE_PENALTY": 2000,
}


def _get(config: Mapping, key: str):
    value = config.get(key)
    return DEFAULTS[key] if value is None else value


def horizon_days(config: Mapping) -> int | float:
    return _get(config, "PLANNING_HORIZON_DAYS")


def planning_policy(config: Mapping) -> dict:
    """The contract's `policy` object: priority weights (string keys) and the three penalties."""
    return {
        "priority_weights": priority_weights(config),
        "lateness_cost_per_day": _get(config, "PLANNING_LATENESS_COST_PER_DAY"),
        "unserved_penalty": _get(config, "PLANNING_UNSERVED_PENALTY"),
        "broken_promise_penalty": _get(config, "PLANNING_BROKEN_PROMISE_PENALTY"),
    }
