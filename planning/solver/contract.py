"""The `supply-plan/1` snapshot parsed into frozen dataclasses, with exact integer-second times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

CONTRACT = "supply-plan/1"
HOUR = 3600
DAY = 86400


def parse_time(text: str) -> int:
    """ISO 8601 with an offset -> POSIX seconds (whole seconds)."""
    return round(datetime.fromisoformat(text).timestamp())


def format_time(seconds: float) -> str:
    """POSIX seconds -> `2026-11-22T08:00:00Z`."""
    return datetime.fromtimestamp(round(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hours(value: float | None) -> int:
    """A duration in hours -> whole seconds."""
    return round((value or 0) * HOUR)


def day_of(seconds: int) -> int:
    """The UTC calendar day (days since the epoch) an instant falls in."""
    return seconds // DAY


def parse_date(text: str) -> int:
    """`2026-12-25` -> its UTC day number (days since the epoch)."""
    return parse_time(f"{text}T00:00:00+00:00") // DAY


def format_date(day: int) -> str:
    """A UTC day number -> `2026-12-25`."""
    return format_time(day * DAY)[:10]


@dataclass(frozen=True)
class Policy:
    weights: dict[str, float]
    lateness_cost_per_day: float
    unserved_penalty: float
    broken_promise_penalty: float


@dataclass(frozen=True)
class Offer:
    supplier: str
    sku: str
    location: str
    lead: int
    unit_cost: float
    order_cost: float
    min_qty: float
    multiple: float | None
    capacity_per_day: float | None

    def earliest_receipt(self, plan_start: int) -> int:
        """The first instant a purchase order placed now can be received: the plan's start plus the lead."""
        return plan_start + self.lead


@dataclass(frozen=True)
class Component:
    sku: str
    qty_per: float


@dataclass(frozen=True)
class Route:
    sku: str
    resource: str
    location: str
    hours_per_unit: float
    lead: int
    unit_cost: float
    setup_hours: float
    setup_cost: float
    components: tuple[Component, ...]


@dataclass(frozen=True)
class Resource:
    """A production line: `hours_per_day` of work on each UTC day, unless its calendar gives that day other
    hours (`calendar`: UTC day number -> hours; 0 = closed)."""

    code: str
    location: str
    hours_per_day: float
    calendar: dict[int, float]

    def hours_on(self, day: int) -> float:
        return self.calendar.get(day, self.hours_per_day)

    def note_for(self, day: int) -> str:
        """What the calendar says of `day` in words ('' when it is a usual day)."""
        if day not in self.calendar or self.calendar[day] == self.hours_per_day:
            return ""
        hours = self.calendar[day]
        if hours <= 0:
            return f"{self.code} closed on {format_date(day)}"
        kind = "extra shift" if hours > self.hours_per_day else "short day"
        return f"{kind} on {format_date(day)} ({hours:g} h)"

    def production_note(self, days: list[int], wanted_day: int, lead: int) -> str:
        """`production on L1 on 2026-11-24, 24 h (L1 closed on 2026-11-23; extra shift on 2026-11-24 (16 h))`:
        the days production starts, and what the calendar says of them and of the days up to `wanted_day`."""
        first, last = min(days), max(days)
        span = range(min(first, wanted_day), max(last, wanted_day) + 1)
        notes = [note for day in span if (note := self.note_for(day))]
        dates = format_date(first) if first == last else f"{format_date(first)} to {format_date(last)}"
        text = f"production on {self.code} on {dates}, {lead / HOUR:g} h"
        return text + (f" ({'; '.join(notes)})" if notes else "")


@dataclass(frozen=True)
class Lane:
    origin: str
    to: str
    mode: str
    transit: int
    unit_cost: float
    capacity_per_day: float | None


@dataclass(frozen=True)
class Receipt:
    ref: str
    sku: str
    location: str
    qty: float
    arrive_at: int


@dataclass(frozen=True)
class OrderLine:
    line: str
    sku: str
    qty: float


@dataclass(frozen=True)
class Order:
    id: str
    region: str
    requested_at: int
    priority: str
    weight: float
    ship_complete: bool
    confirmed_promise_at: int | None
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class Snapshot:
    plan_start: int
    horizon_end: int
    plan_start_text: str
    policy: Policy
    holding: dict[str, float]
    location_region: dict[str, str]
    stock: dict[tuple[str, str], float]
    receipts: tuple[Receipt, ...]
    offers: tuple[Offer, ...]
    resources: dict[str, Resource]
    routes: tuple[Route, ...]
    lanes: tuple[Lane, ...]
    orders: tuple[Order, ...]

    def offers_at(self, sku: str, location: str) -> list[Offer]:
        return self._index("_offers", lambda o: (o.sku, o.location), self.offers).get((sku, location), [])

    def routes_at(self, sku: str, location: str) -> list[Route]:
        return self._index("_routes", lambda r: (r.sku, r.location), self.routes).get((sku, location), [])

    def lanes_to(self, to: str) -> list[Lane]:
        return self._index("_lanes_to", lambda lane: lane.to, self.lanes).get(to, [])

    @cached_property
    def sourced_skus(self) -> frozenset[str]:
        """The skus something can supply: stock on hand, a receipt, a supplier's offer or a route."""
        return frozenset(
            [s for (s, _), q in self.stock.items() if q > 0]
            + [r.sku for r in self.receipts]
            + [o.sku for o in self.offers]
            + [r.sku for r in self.routes]
        )

    def _index(self, name: str, key, rows) -> dict:
        cache = self.__dict__.get(name)
        if cache is None:
            cache = {}
            for row in rows:
                cache.setdefault(key(row), []).append(row)
            object.__setattr__(self, name, cache)
        return cache


def _offer(row: dict) -> Offer:
    return Offer(
        row["supplier"],
        row["sku"],
        row["location"],
        hours(row["lead_time_hours"]),
        float(row["unit_cost"]),
        float(row.get("order_cost") or 0),
        float(row.get("min_qty") or 0),
        row.get("multiple"),
        row.get("capacity_per_day"),
    )


def _resource(row: dict) -> Resource:
    calendar = {parse_date(entry["date"]): float(entry["hours"]) for entry in row.get("calendar") or []}
    return Resource(row["code"], row["location"], float(row["hours_per_day"]), calendar)


def _route(row: dict, resources: dict[str, Resource]) -> Route:
    components = tuple(Component(c["sku"], float(c["qty_per"])) for c in row.get("components") or [])
    return Route(
        row["sku"],
        row["resource"],
        resources[row["resource"]].location,
        float(row["hours_per_unit"]),
        hours(row["lead_time_hours"]),
        float(row["unit_cost"]),
        float(row.get("setup_hours") or 0),
        float(row.get("setup_cost") or 0),
        components,
    )


def _order(row: dict, weights: dict[str, float]) -> Order:
    promised = row.get("confirmed_promise_at")
    lines = tuple(OrderLine(line["line"], line["sku"], float(line["qty"])) for line in row["lines"])
    return Order(
        row["id"],
        row["region"],
        parse_time(row["requested_at"]),
        str(row["priority"]),
        weights[str(row["priority"])],
        row.get("ship_complete") is not False,
        None if promised is None else parse_time(promised),
        lines,
    )


def parse_snapshot(raw: dict) -> Snapshot:
    """Parse a snapshot dict (already well formed, see planning.checker.check_snapshot) into a `Snapshot`."""
    policy_raw = raw["policy"]
    weights = {str(k): float(v) for k, v in policy_raw["priority_weights"].items()}
    policy = Policy(
        weights,
        float(policy_raw["lateness_cost_per_day"]),
        float(policy_raw["unserved_penalty"]),
        float(policy_raw["broken_promise_penalty"]),
    )
    start = parse_time(raw["plan_start"])
    end = start + round(raw["horizon_days"] * DAY)
    stock: dict[tuple[str, str], float] = {}
    for row in raw.get("stock") or []:
        stock[(row["sku"], row["location"])] = stock.get((row["sku"], row["location"]), 0.0) + row["on_hand"]
    receipts = []
    for row in raw.get("receipts") or []:
        arrive = parse_time(row["arrive_at"])
        if arrive <= end:
            receipts.append(
                Receipt(row["ref"], row["sku"], row["location"], float(row["qty"]), max(arrive, start))
            )
    resources = {r["code"]: _resource(r) for r in raw.get("resources") or []}
    lanes = tuple(
        Lane(
            r["from"],
            r["to"],
            r["mode"],
            hours(r["transit_hours"]),
            float(r["unit_cost"]),
            r.get("capacity_per_day"),
        )
        for r in raw.get("lanes") or []
    )
    return Snapshot(
        plan_start=start,
        horizon_end=end,
        plan_start_text=raw["plan_start"],
        policy=policy,
        holding={r["sku"]: float(r.get("holding_cost_per_day") or 0) for r in raw["items"]},
        location_region={r["code"]: r["region"] for r in raw["locations"]},
        stock=stock,
        receipts=tuple(receipts),
        offers=tuple(_offer(r) for r in raw.get("supply_offers") or []),
        resources=resources,
        routes=tuple(_route(r, resources) for r in raw.get("routes") or []),
        lanes=lanes,
        orders=tuple(_order(r, weights) for r in raw["orders"]),
    )
