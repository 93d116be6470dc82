"""Stand-ins for the snapshot builder and the solver, to drive planning runs through their failure paths."""

import time


def empty_snapshot(*, at):
    return {
        "contract": "supply-plan/1",
        "plan_start": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "horizon_days": 60,
        "policy": {
            "priority_weights": {"1": 100},
            "lateness_cost_per_day": 50,
            "unserved_penalty": 100000,
            "broken_promise_penalty": 2000,
        },
        "items": [],
        "regions": [],
        "locations": [],
        "orders": [],
    }


def plan_with_one_purchase(snapshot, *, time_limit_s, progress=None):
    if progress:
        progress("solving", 123.0)
    return {
        "contract": "supply-plan/1",
        "plan_start": snapshot["plan_start"],
        "confirmations": [],
        "procurement": [
            {
                "id": "PO-P1",
                "supplier": "SUP-A",
                "sku": "NB-14",
                "location": "WH-N",
                "qty": 150,
                "order_at": snapshot["plan_start"],
                "receive_at": "2026-12-01T08:00:00Z",
            }
        ],
        "production": [],
        "transfers": [],
        "kpis": {"orders": 0, "confirmed": 0, "on_time": 0, "late": 0, "unconfirmed": 0},
        "solver": {"status": "optimal", "objective": 6000.0, "bound": 6000.0, "seconds": 0.01},
    }


def failing_solver(snapshot, *, time_limit_s, progress=None):
    if progress:
        progress("solving", 99.0)
    raise RuntimeError("solver crashed mid-run")


def plan_with_bad_row(snapshot, *, time_limit_s, progress=None):
    """A plan whose second purchase cannot be stored: publishing must leave nothing behind."""
    plan = plan_with_one_purchase(snapshot, time_limit_s=time_limit_s)
    plan["procurement"].append(dict(plan["procurement"][0], id="PO-P2", qty="not a number"))
    return plan


def slow_solver(snapshot, *, time_limit_s, progress=None):
    """Sleeps (for kill tests): the process is killed while it waits."""
    if progress:
        progress("solving", None)
    time.sleep(60)
    return plan_with_one_purchase(snapshot, time_limit_s=time_limit_s)
