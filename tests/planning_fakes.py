"""Stand-ins for the snapshot builder and the solver, to drive planning runs through their failure paths."""

import threading
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


def plan_with_one_purchase(snapshot, *, time_limit_s, progress=None, warm_start=None):
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


def failing_solver(snapshot, *, time_limit_s, progress=None, warm_start=None):
    if progress:
        progress("solving", 99.0)
    raise RuntimeError("solver crashed mid-run")


def plan_with_bad_row(snapshot, *, time_limit_s, progress=None, warm_start=None):
    """A plan whose second purchase cannot be stored: publishing must leave nothing behind."""
    plan = plan_with_one_purchase(snapshot, time_limit_s=time_limit_s)
    plan["procurement"].append(dict(plan["procurement"][0], id="PO-P2", qty="not a number"))
    return plan


def slow_solver(snapshot, *, time_limit_s, progress=None, warm_start=None):
    """Sleeps (for kill tests): the process is killed while it waits."""
    if progress:
        progress("solving", None)
    time.sleep(60)
    return plan_with_one_purchase(snapshot, time_limit_s=time_limit_s)


def plan_reporting_its_limit(snapshot, *, time_limit_s, progress=None, warm_start=None):
    """A plan whose solver report says the time limit the solver was given."""
    plan = plan_with_one_purchase(snapshot, time_limit_s=time_limit_s)
    plan["solver"]["time_limit_s"] = time_limit_s
    return plan


class BlockingSolver:
    """A solver inside one long model solve: it reports once, then says nothing until `release` is set (or
    `max_s` passed), and returns a plan whose report differs from what it last reported."""

    REPORT = {"status": "feasible", "objective": 6100.0, "bound": 5900.0, "seconds": 1.0, "parts": 1}

    def __init__(self, max_s: float = 30.0) -> None:
        self.release, self.entered, self.max_s = threading.Event(), threading.Event(), max_s

    def __call__(self, snapshot, *, time_limit_s, progress=None, warm_start=None):
        if progress:
            progress("batch model", 7000.0, bound=5000.0, parts_done=0, parts_total=1)
        self.entered.set()
        self.release.wait(self.max_s)  # no callback while blocked: only the heartbeat moves elapsed_s
        plan = plan_with_one_purchase(snapshot, time_limit_s=time_limit_s)
        plan["solver"] = dict(self.REPORT)
        return plan


def _at(text: str):
    from datetime import UTC, datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def greedy_plan(snapshot, *, time_limit_s, progress=None, warm_start=None):
    """A quick plan over real master data (not optimal, not checked for stock): a few purchases,
    productions and transfers, and each order served from the first stocked location with a lane."""
    from datetime import timedelta

    if progress:
        progress("solving", None)
    start = _at(snapshot["plan_start"])
    hours = lambda h: timedelta(hours=float(h))  # noqa: E731
    purchases = [
        {
            "id": f"PO-P{i + 1}",
            "supplier": o["supplier"],
            "sku": o["sku"],
            "location": o["location"],
            "qty": max(o.get("min_qty") or 0, o.get("multiple") or 100),
            "order_at": _iso(start),
            "receive_at": _iso(start + hours(o["lead_time_hours"])),
        }
        for i, o in enumerate((snapshot.get("supply_offers") or [])[:4])
    ]
    plants = {r["code"]: r["location"] for r in snapshot.get("resources") or []}
    productions = [
        {
            "id": f"MO-P{i + 1}",
            "resource": r["resource"],
            "sku": r["sku"],
            "qty": 20,
            "start_at": _iso(start + hours(24 * (i + 1))),
            "end_at": _iso(start + hours(24 * (i + 1)) + hours(r["lead_time_hours"])),
        }
        for i, r in enumerate((snapshot.get("routes") or [])[:3])
        if r["resource"] in plants
    ]
    locations = {loc["code"] for loc in snapshot.get("locations") or []}
    transfer_lanes = [lane for lane in snapshot.get("lanes") or [] if lane["to"] in locations][:2]
    stocked = {(s["sku"], s["location"]): s["on_hand"] for s in snapshot.get("stock") or []}
    transfers = []
    for i, lane in enumerate(transfer_lanes):
        sku = next((sku for sku, loc in stocked if loc == lane["from"]), None)
        if sku:
            depart = start + hours(2)
            transfers.append(
                {
                    "id": f"TR-P{i + 1}",
                    "from": lane["from"],
                    "to": lane["to"],
                    "mode": lane["mode"],
                    "sku": sku,
                    "qty": 1,
                    "depart_at": _iso(depart),
                    "arrive_at": _iso(depart + hours(lane["transit_hours"])),
                }
            )
    confirmations = [_greedy_confirmation(o, snapshot, stocked, start) for o in snapshot.get("orders") or []]
    confirmed = [c for c in confirmations if c["status"] == "confirmed"]
    requested = {o["id"]: _at(o["requested_at"]) for o in snapshot.get("orders") or []}
    on_time = sum(1 for c in confirmed if _at(c["promised_at"]) <= max(requested[c["order_id"]], start))
    return {
        "contract": "supply-plan/1",
        "plan_start": snapshot["plan_start"],
        "confirmations": confirmations,
        "procurement": purchases,
        "production": productions,
        "transfers": transfers,
        "kpis": {
            "orders": len(confirmations),
            "confirmed": len(confirmed),
            "on_time": on_time,
            "late": len(confirmed) - on_time,
            "unconfirmed": len(confirmations) - len(confirmed),
            "broken_promises": 0,
        },
        "solver": {"status": "heuristic", "objective": 1000.0, "bound": 0.0, "seconds": 0.01},
    }


def _greedy_confirmation(order, snapshot, stocked, start):
    from datetime import timedelta

    lanes = [lane for lane in snapshot.get("lanes") or [] if lane["to"] == order["region"]]
    for lane in lanes:
        if all(stocked.get((line["sku"], lane["from"]), 0) >= line["qty"] for line in order["lines"]):
            for line in order["lines"]:
                stocked[(line["sku"], lane["from"])] -= line["qty"]
            transit = timedelta(hours=float(lane["transit_hours"]))
            arrive = max(_at(order["requested_at"]), start + transit)
            delivery = {"from": lane["from"], "mode": lane["mode"]}
            delivery |= {"depart_at": _iso(arrive - transit), "arrive_at": _iso(arrive)}
            return {
                "order_id": order["id"],
                "status": "confirmed",
                "promised_at": _iso(arrive),
                "lines": [
                    {**line, "deliveries": [{"qty": line["qty"], **delivery}]} for line in order["lines"]
                ],
                "reason": "stock",
                "explanation": f"on hand at {lane['from']}; {lane['mode']} to {order['region']} "
                f"takes {lane['transit_hours']} h",
            }
    return {
        "order_id": order["id"],
        "status": "unconfirmed",
        "promised_at": None,
        "lines": [],
        "reason": None,
        "explanation": "no location with enough stock and a lane to " + order["region"],
    }


def paced_real_solver(snapshot, *, time_limit_s, progress=None, warm_start=None):
    """The real solver (from the plan in force), started after a 3 s pause so a browser can see the run in
    progress."""
    from planning.solver import solve

    if progress:
        progress("warming up", None)
    time.sleep(3)
    return solve(snapshot, time_limit_s=max(1.0, time_limit_s - 3), progress=progress, warm_start=warm_start)
