"""What a plan costs, split the contract's way: service, purchasing, production, freight and holding.

A pure function of the snapshot and the plan (both contract JSON), following the contract's cost rules.
"""

from core.formats import parse_time

DAY = 86400.0
PROMISE_GRACE = 1.0


def _t(value: str) -> float:
    return parse_time(value).timestamp()


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
    for sku, _location, qty, at in stock_changes(snapshot, plan):
        if at <= end + PROMISE_GRACE:
            total += rates.get(sku, 0.0) * qty * max(0.0, end - max(at, start)) / DAY
    return total


def stock_changes(snapshot: dict, plan: dict) -> list[tuple[str, str, float, float]]:
    """Every change of a (sku, location) balance the plan makes, as (sku, location, signed qty, time)."""
    start = _t(snapshot["plan_start"])
    routes = {(r["sku"], r["resource"]): r for r in snapshot.get("routes") or []}
    plants = {r["code"]: r["location"] for r in snapshot.get("resources") or []}
    changes = [(s["sku"], s["location"], s["on_hand"], start) for s in snapshot.get("stock") or []]
    changes += [
        (r["sku"], r["location"], r["qty"], _t(r["arrive_at"])) for r in snapshot.get("receipts") or []
    ]
    changes += [
        (p["sku"], p["location"], p["qty"], _t(p["receive_at"])) for p in plan.get("procurement") or []
    ]
    for p in plan.get("production") or []:
        plant = plants.get(p["resource"], "")
        changes.append((p["sku"], plant, p["qty"], _t(p["end_at"])))
        for c in routes.get((p["sku"], p["resource"]), {}).get("components") or []:
            changes.append((c["sku"], plant, -p["qty"] * c["qty_per"], _t(p["start_at"])))
    for t in plan.get("transfers") or []:
        changes.append((t["sku"], t["from"], -t["qty"], _t(t["depart_at"])))
        changes.append((t["sku"], t["to"], t["qty"], _t(t["arrive_at"])))
    for conf in plan.get("confirmations") or []:
        for line in conf.get("lines") or []:
            for d in line["deliveries"]:
                changes.append((line["sku"], d["from"], -d["qty"], _t(d["depart_at"])))
    return changes


def stock_projection(snapshot: dict, plan: dict, *, sku: str, location: str) -> list[tuple[float, float]]:
    """The projected balance of one (sku, location) after each change, as (unix time, balance)."""
    balance, points = 0.0, []
    moves = sorted(
        (max(at, _t(snapshot["plan_start"])), qty < 0, qty)
        for s, loc, qty, at in stock_changes(snapshot, plan)
        if s == sku and loc == location
    )
    for at, _, qty in moves:
        balance += qty
        points.append((at, balance))
    return points
