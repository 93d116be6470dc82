"""What takt's referee (`planning.checker`) judges a plan against: the snapshot indexed by the keys a plan
refers to, times in POSIX seconds, the fields each kind of plan record must carry, and the tolerances.
Like the referee, it shares no code with the solver."""

from __future__ import annotations

from datetime import UTC, date, datetime

from planning.checker_snapshot import instant

DAY = 86400.0
HOUR = 3600.0
QTY_TOLERANCE = 1e-6
TIME_TOLERANCE = 1.0  # seconds

RULE_REFERENCES, RULE_ORDERS, RULE_PURCHASING, RULE_PRODUCTION, RULE_MOVEMENT, RULE_STOCK = range(1, 7)


def utc_day(seconds: float) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


def text_of(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def over(amount: float, limit: float) -> bool:
    return amount > limit + QTY_TOLERANCE


class Network:
    """The snapshot indexed by the keys a plan refers to, times in POSIX seconds."""

    def __init__(self, raw: dict):
        self.raw = raw
        self.start = instant(raw["plan_start"])
        self.end = self.start + raw["horizon_days"] * DAY
        policy = raw["policy"]
        self.weights = {str(k): float(v) for k, v in policy["priority_weights"].items()}
        self.lateness_cost = float(policy["lateness_cost_per_day"])
        self.unserved_penalty = float(policy["unserved_penalty"])
        self.broken_promise_penalty = float(policy["broken_promise_penalty"])
        self.holding = {row["sku"]: float(row.get("holding_cost_per_day") or 0) for row in raw["items"]}
        self.locations = {row["code"] for row in raw["locations"]}
        self.regions = {row["code"] for row in raw["regions"]}
        self.suppliers = {row["code"] for row in raw.get("suppliers") or []}
        self.resources = {row["code"]: row for row in raw.get("resources") or []}
        self.offers = {(r["supplier"], r["sku"], r["location"]): r for r in raw.get("supply_offers") or []}
        self.routes = {(r["sku"], r["resource"]): r for r in raw.get("routes") or []}
        self.lanes = {(r["from"], r["to"], r["mode"]): r for r in raw.get("lanes") or []}
        self.orders = {row["id"]: row for row in raw["orders"]}

    def hours_on(self, resource: dict, day: date) -> float:
        """A resource's working hours on a UTC date: its calendar's entry for the date, else hours_per_day."""
        for entry in resource.get("calendar") or []:
            if date.fromisoformat(entry["date"]) == day:
                return float(entry["hours"])
        return float(resource["hours_per_day"])

    def opening_flows(self) -> list[tuple[float, str, str, float, str]]:
        """(time, sku, location, qty, what) for stock on hand and receipts the horizon sees."""
        flows = [
            (self.start, r["sku"], r["location"], float(r["on_hand"]), "stock")
            for r in self.raw.get("stock") or []
        ]
        for r in self.raw.get("receipts") or []:
            arrives = instant(r["arrive_at"])
            if arrives <= self.end + TIME_TOLERANCE:  # one due after the horizon is not part of the plan
                when = max(arrives, self.start)  # an overdue receipt counts from plan_start
                flows.append((when, r["sku"], r["location"], float(r["qty"]), f"receipt {r['ref']}"))
        return flows


# What each kind of plan record must carry: field -> what it names ("qty", "time", "text" or a snapshot list).
PROCUREMENT_FIELDS = {
    "supplier": "suppliers",
    "sku": "items",
    "location": "locations",
    "qty": "qty",
    "order_at": "time",
    "receive_at": "time",
}
PRODUCTION_FIELDS = {
    "resource": "resources",
    "sku": "items",
    "qty": "qty",
    "start_at": "time",
    "end_at": "time",
}
TRANSFER_FIELDS = {
    "from": "locations",
    "to": "locations",
    "mode": "text",
    "sku": "items",
    "qty": "qty",
    "depart_at": "time",
    "arrive_at": "time",
}
DELIVERY_FIELDS = {
    "qty": "qty",
    "from": "locations",
    "mode": "text",
    "depart_at": "time",
    "arrive_at": "time",
}


def record_ident(row, section: str, index: int):
    ident = row.get("id") if isinstance(row, dict) else None
    return ident if isinstance(ident, str) and ident else f"{section}[{index}]"


def same_qty(value, wanted: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value - wanted) <= QTY_TOLERANCE
    )
