"""Order priorities (1 is the most important): the keys of the weights by which the planner weighs an
order's lateness (`SCM_PLANNING_PRIORITY_WEIGHTS`).

Which priorities an order may have is the orders' rule; planning reads the same weights into its policy
(`planning/config.py`), so that both always agree.
"""

from collections.abc import Mapping

DEFAULT_PRIORITY_WEIGHTS = {"1": 100, "2": 10, "3": 1}


def priority_weights(config: Mapping) -> dict[str, int | float]:
    """The configured weight of each priority (string keys), or the defaults."""
    weights = config.get("PLANNING_PRIORITY_WEIGHTS")
    return {str(k): v for k, v in (DEFAULT_PRIORITY_WEIGHTS if weights is None else weights).items()}


def priorities(config: Mapping) -> list[int]:
    """The order priorities the policy weighs, as integers."""
    return sorted(int(k) for k in priority_weights(config))
