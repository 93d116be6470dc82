"""What a plan costs, split the contract's way: service, purchasing, production, freight and holding.

A pure function of the snapshot and the plan (both contract JSON), following the contract's cost rules.
"""

from typing import NamedTuple

from core.formats import parse_time
from planning.runs.publish import plan_document

DAY = 86400.0
PROMISE_GRACE = 1.0


def _t(value: str) -> float:
    return parse_time(value).timestamp()


def run_costs(run) -> dict | None:
    """The cost split of a run's plan: kept with the run when it was published (older runs: worked out)."""
    if run.costs is not None:
        return run.costs
    if run.snapshot is None:
        return None
    return cost_split(run.snapshot, plan_document(run))


def cost_split(snapshot: dict, plan: dict) -> dict:
    """The plan's cost per part (and `total`), in the contract's cost."""
    lanes = {(r["from"], r["to"], r["mode"]): r for r in snapshot.get("lanes") or []}
    split = {
        "service": service_cost(snapshot, plan),
        "purchasing": purchasing_cost(snapshot, plan),
        "production": production_cost(snapshot, plan),
        "freight": freight_cost(snapshot, plan, lanes),
        "holding": holding_cost(snapshot, plan),
    }
    split["total"] = sum(split.values())
    return {key: round(value, 2) for key, value in split.items()}


def service_cost(snapshot: dict, plan: dict) -> float:
    """Lateness, unserved orders and broken promises, each weighted by the order's priority."""
    policy = snapshot["policy"]
    confirmations = {c["order_id"]: c for c in plan.get("confirmations") or []}
    total = 0.0
    for order in snapshot.get("orders") or []:
        weight = float(policy["priority_weights"][str(order["priority"])])
        conf = confirmations.get(order["id"])
        before = order.get("confirmed_promise_at")
        if conf is None or conf["status"] != "confirmed":
            total += weight * (
                policy["unserved_penalty"] + (policy["broken_promise_penalty"] if before else 0)
            )
            continue
        total += weight * policy["lateness_cost_per_day"] * _late_days(order, conf)
        if before and _t(conf["promised_at"]) > _t(before) + PROMISE_GRACE:
            total += weight * policy["broken_promise_penalty"]
    return total


def _late_days(order: dict, conf: dict) -> float:
    requested = _t(order["requested_at"])
    arrivals = [(d["qty"], _t(d["arrive_at"])) for line in conf["lines"] for d in line["deliveries"]]
    quantity = sum(q for q, _ in arrivals)
    if order.get("ship_complete") is False and quantity > 0:
        return sum(q * max(0.0, a - requested) for q, a in arrivals) / quantity / DAY
    return max(0.0, _t(conf["promised_at"]) - requested) / DAY


def purchasing_cost(snapshot: dict, plan: dict) -> float:
    offers = {(r["supplier"], r["sku"], r["location"]): r for r in snapshot.get("supply_offers") or []}
    total = 0.0
    for p in plan.get("procurement") or []:
        offer = offers.get((p["supplier"], p["sku"], p["location"]), {})
        total += p["qty"] * offer.get("unit_cost", 0) + (offer.get("order_cost") or 0)
    return total


def production_cost(snapshot: dict, plan: dict) -> float:
    routes = {(r["sku"], r["resource"]): r for r in snapshot.get("routes") or []}
    total = 0.0
    for p in plan.get("production") or []:
        route = routes.get((p["sku"], p["resource"]), {})
        total += p["qty"] * route.get("unit_cost", 0) + (route.get("setup_cost") or 0)
    return total


def freight_cost(snapshot: dict, plan: dict, lanes: dict) -> float:
    regions = {o["id"]: o["region"] for o in snapshot.get("orders") or []}
    total = sum(
        t["qty"] * lanes.get((t["from"], t["to"], t["mode"]), {}).get("unit_cost", 0)
        for t in plan.get("transfers") or []
    )
    for conf in plan.get("confirmations") or []:
        region = regions.get(conf["order_id"])
        for line in conf.get("lines") or []:
            for d in line["deliveries"]:
                total += d["qty"] * lanes.get((d["from"], region, d["mode"]), {}).get("unit_cost", 0)
    return total


def holding_cost(snapshot: dict, plan: dict) -> float:
    """Holding cost per unit-day of every balance, from each stock change to the horizon's end."""
    start = _t(snapshot["plan_start"])
    end = start + snapshot["horizon_days"] * DAY
    rates = {i["sku"]: i.get("holding_cost_per_day") or 0.0 for i in snapshot.get("items") or []}
    total = 0.0
    for sku, _location, qty, at, _cause in stock_changes(snapshot, plan):
        if at <= end + PROMISE_GRACE:
            total += rates.get(sku, 0.0) * qty * max(0.0, end - max(at, start)) / DAY
    return total


class StockChange(NamedTuple):
    """One change of a (sku, location) balance: signed `qty` at unix time `at`, and what makes it."""

    sku: str
    location: str
    qty: float
    at: float
    cause: str


def stock_changes(snapshot: dict, plan: dict) -> list[StockChange]:
    """Every change of a (sku, location) balance the plan makes, with its cause (a receipt, an order...)."""
    start = _t(snapshot["plan_start"])
    routes = {(r["sku"], r["resource"]): r for r in snapshot.get("routes") or []}
    plants = {r["code"]: r["location"] for r in snapshot.get("resources") or []}
    changes = [
        StockChange(s["sku"], s["location"], s["on_hand"], start, "on hand")
        for s in snapshot.get("stock") or []
    ]
    changes += [
        StockChange(
            r["sku"], r["location"], r["qty"], _t(r["arrive_at"]), f"receipt {r.get('ref', '')}".strip()
        )
        for r in snapshot.get("receipts") or []
    ]
    changes += [
        StockChange(
            p["sku"], p["location"], p["qty"], _t(p["receive_at"]), f"purchase {p['id']} from {p['supplier']}"
        )
        for p in plan.get("procurement") or []
    ]
    for p in plan.get("production") or []:
        plant = plants.get(p["resource"], "")
        changes.append(
            StockChange(
                p["sku"], plant, p["qty"], _t(p["end_at"]), f"production {p['id']} on {p['resource']}"
            )
        )
        for c in routes.get((p["sku"], p["resource"]), {}).get("components") or []:
            used = f"component of production {p['id']} ({p['sku']})"
            changes.append(StockChange(c["sku"], plant, -p["qty"] * c["qty_per"], _t(p["start_at"]), used))
    for t in plan.get("transfers") or []:
        changes.append(
            StockChange(
                t["sku"], t["from"], -t["qty"], _t(t["depart_at"]), f"transfer {t['id']} to {t['to']}"
            )
        )
        changes.append(
            StockChange(
                t["sku"], t["to"], t["qty"], _t(t["arrive_at"]), f"transfer {t['id']} from {t['from']}"
            )
        )
    for conf in plan.get("confirmations") or []:
        for line in conf.get("lines") or []:
            for d in line["deliveries"]:
                served = f"delivery of order {conf['order_id']} line {line.get('line', '')} by {d['mode']}"
                changes.append(StockChange(line["sku"], d["from"], -d["qty"], _t(d["depart_at"]), served))
    return changes


def stock_history(
    snapshot: dict, plan: dict, *, sku: str, location: str
) -> list[tuple[float, float, float, str]]:
    """The projected balance of one (sku, location) after each change, as (unix time, change, balance,
    cause), in time order (arrivals first at one instant, as the contract replays them)."""
    balance, history = 0.0, []
    moves = sorted(
        (max(change.at, _t(snapshot["plan_start"])), change.qty < 0, change.qty, change.cause)
        for change in stock_changes(snapshot, plan)
        if change.sku == sku and change.location == location
    )
    for at, _, qty, cause in moves:
        balance += qty
        history.append((at, qty, balance, cause))
    return history


def stock_projection(snapshot: dict, plan: dict, *, sku: str, location: str) -> list[tuple[float, float]]:
    """The projected balance of one (sku, location) after each change, as (unix time, balance)."""
    return [(at, balance) for at, _, balance, _ in stock_history(snapshot, plan, sku=sku, location=location)]
