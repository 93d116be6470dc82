"""The planning policy and horizon, read from app config (`SCM_PLANNING_*` in the environment).

Defaults follow the contract's example policy; priorities are the keys of the weights.
"""

from collections.abc import Mapping

DEFAULTS = {
    "PLANNING_HORIZON_DAYS": 60,
    "PLANNING_PRIORITY_WEIGHTS": {"1": 100, "2": 10, "3": 1},
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
    weights = _get(config, "PLANNING_PRIORITY_WEIGHTS")
    return {
        "priority_weights": {str(k): v for k, v in weights.items()},
        "lateness_cost_per_day": _get(config, "PLANNING_LATENESS_COST_PER_DAY"),
        "unserved_penalty": _get(config, "PLANNING_UNSERVED_PENALTY"),
        "broken_promise_penalty": _get(config, "PLANNING_BROKEN_PROMISE_PENALTY"),
    }


def priorities(config: Mapping) -> list[int]:
    """The order priorities the policy weighs, as integers (1 is the most important)."""
    return sorted(int(k) for k in planning_policy(config)["priority_weights"])
