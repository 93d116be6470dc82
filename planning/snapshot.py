"""The planner's input, built from the database at an instant, exactly as `supply-plan/1` defines it
(docs/contract.md).

Stock is the free stock of the balances (on hand less reservations) when the snapshot is taken: the
ledger can tell past on-hand quantities but reservations have no history. `at` is the plan's start:
it selects the lanes and offers valid then. Receipts are what open documents will still bring:
transfers under way (here), open purchase orders and production in progress (their domains).
What the suppliers have said about their open purchase orders (a confirmed date, a split, a dispatch) is
applied to the purchase receipts by the functions subscribed with `adjust_purchase_receipts`.
Quantities and costs are JSON numbers (integers when whole), times ISO 8601 UTC with a `Z` to the
second.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select

from core.db import db
from core.formats import as_number, iso
from inventory.models import Item, Location, Region, StockBalance
from logistics import lanes as lane_service
from logistics import service as logistics_service
from logistics.models import Lane
from orders.models import PLANNED_STATUSES, CustomerOrder, OrderLine
from planning.config import horizon_days, planning_policy
from planning.contract import CONTRACT
from procurement import service as procurement_service
from procurement.production import service as production_service

PURCHASE_RECEIPT_ADJUSTERS = "takt_purchase_receipt_adjusters"


def adjust_purchase_receipts(app, adjuster) -> None:
    """Have `adjuster(rows) -> rows` rewrite the open purchase orders' receipts of every snapshot of `app`."""
    app.extensions.setdefault(PURCHASE_RECEIPT_ADJUSTERS, []).append(adjuster)


def _purchase_receipts(*, at: datetime) -> list[dict]:
    rows = procurement_service.snapshot_receipts(at=at)
    for adjust in current_app.extensions.get(PURCHASE_RECEIPT_ADJUSTERS, ()):
        rows = adjust(rows)
    return rows


def _all(stmt) -> list:
    return list(db.session.scalars(stmt))


def snapshot_items() -> list[dict]:
    rows = _all(select(Item).order_by(Item.sku))
    return [
        {"sku": i.sku, "name": i.name, "holding_cost_per_day": as_number(i.holding_cost_per_day)}
        for i in rows
    ]


def snapshot_regions() -> list[dict]:
    return [{"code": r.code} for r in _all(select(Region).order_by(Region.code))]


def snapshot_locations() -> list[dict]:
    rows = _all(select(Location).order_by(Location.code))
    return [{"code": loc.code, "kind": loc.kind, "region": loc.region.code} for loc in rows]


def snapshot_stock() -> list[dict]:
    """Free stock (on hand less reserved) per (sku, location), where some is free."""
    stmt = (
        select(StockBalance)
        .join(StockBalance.item)
        .join(StockBalance.location)
        .where(StockBalance.on_hand - StockBalance.reserved > 0)
        .order_by(Item.sku, Location.code)
    )
    return [
        {"sku": b.item.sku, "location": b.location.code, "on_hand": as_number(b.free)} for b in _all(stmt)
    ]


def snapshot_transfer_receipts() -> list[dict]:
    """Released and dispatched transfers, arriving at their destination: one receipt per line.

    A receipt's `ref` is `<shipment number>/<line>` (the contract wants refs unique).
    """
    return [
        {
            "ref": f"{s.number}/{line.line}",
            "sku": line.item.sku,
            "location": s.to_location.code,
            "qty": as_number(line.quantity),
            "arrive_at": iso(s.arrive_at or s.depart_at or s.created_at),
        }
        for s in logistics_service.transfers_underway()
        for line in s.lines
    ]


def snapshot_lanes(*, at: datetime) -> list[dict]:
    """Lanes valid at `at`; `to` is a location code (transfer) or a region code (delivery)."""
    rows = _all(lane_service.valid_at(select(Lane), at).order_by(Lane.id))
    lanes = []
    for lane in rows:
        row = {
            "from": lane.from_code,
            "to": lane.to_code,
            "mode": lane.mode,
            "transit_hours": as_number(lane.transit_hours),
            "unit_cost": as_number(lane.unit_cost),
        }
        if lane.capacity_per_day is not None:
            row["capacity_per_day"] = as_number(lane.capacity_per_day)
        lanes.append(row)
    return sorted(lanes, key=lambda r: (r["from"], r["to"], r["mode"]))


class _Line(NamedTuple):
    line: str
    item_id: int
    sku: str
    open: Decimal  # ordered less delivered


def open_quantities(lines: list[_Line], underway: list) -> dict[str, Decimal]:
    """What is left to promise per order line: ordered, less delivered, less on deliveries under way
    (matched by order line, or else to the lines of their sku in order)."""
    left = {ol.line: ol.open for ol in lines}
    for shipment_line in underway:
        qty = shipment_line.quantity
        for ol in lines:
            if shipment_line.order_line == ol.line or (
                not shipment_line.order_line and ol.item_id == shipment_line.item_id
            ):
                taken = min(qty, left[ol.line])
                left[ol.line], qty = left[ol.line] - taken, qty - taken
    return left


def _order(order, lines: list[_Line], underway: list) -> dict | None:
    left = open_quantities(lines, underway)
    rows = [
        {"line": ol.line, "sku": ol.sku, "qty": as_number(left[ol.line])} for ol in lines if left[ol.line] > 0
    ]
    if not rows:
        return None
    promised = order.promised_at if order.status == "confirmed" else None
    return {
        "id": order.number,
        "region": order.region,
        "created_at": iso(order.created_at),
        "requested_at": iso(order.requested_at),
        "priority": order.priority,
        "ship_complete": order.ship_complete,
        "confirmed_promise_at": iso(promised) if promised else None,
        "lines": rows,
    }


def _planned_lines() -> dict[int, list[_Line]]:
    """The lines of every planned order by order id, in line order: one query, plain rows."""
    stmt = (
        select(
            OrderLine.order_id,
            OrderLine.line,
            OrderLine.item_id,
            Item.sku,
            OrderLine.quantity,
            OrderLine.shipped_quantity,
        )
        .join(Item, OrderLine.item_id == Item.id)
        .join(CustomerOrder, OrderLine.order_id == CustomerOrder.id)
        .where(CustomerOrder.status.in_(PLANNED_STATUSES))
        .order_by(OrderLine.id)
    )
    lines = defaultdict(list)
    for order_id, line, item_id, sku, ordered, shipped in db.session.execute(stmt):
        lines[order_id].append(_Line(line, item_id, sku, max(ordered - shipped, Decimal(0))))
    return lines


def snapshot_orders() -> list[dict]:
    """Accepted, confirmed and unconfirmed orders with what is left to promise on each line (an order
    whose goods are all delivered or on their way is left out). Read as plain rows in two queries (no ORM
    objects: 100,000 orders and their lines in seconds)."""
    stmt = (
        select(
            CustomerOrder.id,
            CustomerOrder.number,
            Region.code.label("region"),
            CustomerOrder.created_at,
            CustomerOrder.requested_at,
            CustomerOrder.priority,
            CustomerOrder.ship_complete,
            CustomerOrder.status,
            CustomerOrder.promised_at,
        )
        .join(Region, CustomerOrder.region_id == Region.id)
        .where(CustomerOrder.status.in_(PLANNED_STATUSES))
        .order_by(CustomerOrder.number)
    )
    underway = logistics_service.deliveries_underway()
    lines = _planned_lines()
    rows = (
        _order(order, lines.get(order.id, []), underway.get(order.id, []))
        for order in db.session.execute(stmt)
    )
    return [row for row in rows if row is not None]


def _other_domains(*, at: datetime, until: datetime) -> dict:
    """Purchasing and production sections: suppliers, offers, resources, routes and their receipts."""
    return {
        "suppliers": procurement_service.snapshot_suppliers(),
        "supply_offers": procurement_service.snapshot_offers(at=at),
        "resources": production_service.snapshot_resources(at=at, until=until),
        "routes": production_service.snapshot_routes(),
        "receipts": [
            *_purchase_receipts(at=at),
            *production_service.snapshot_receipts(at=at),
        ],
    }


def build_snapshot(*, at: datetime) -> dict:
    """The planner's input at instant `at` (the plan's start), as the contract `supply-plan/1` defines it."""
    at = at.astimezone(UTC).replace(microsecond=0)
    config = current_app.config
    others = _other_domains(at=at, until=at + timedelta(days=horizon_days(config)))
    receipts = snapshot_transfer_receipts() + others["receipts"]
    return {
        "contract": CONTRACT,
        "plan_start": iso(at),
        "horizon_days": horizon_days(config),
        "policy": planning_policy(config),
        "items": snapshot_items(),
        "regions": snapshot_regions(),
        "locations": snapshot_locations(),
        "stock": snapshot_stock(),
        "receipts": sorted(receipts, key=lambda r: (r["arrive_at"], r["ref"])),
        "suppliers": others["suppliers"],
        "supply_offers": others["supply_offers"],
        "resources": others["resources"],
        "routes": others["routes"],
        "lanes": snapshot_lanes(at=at),
        "orders": snapshot_orders(),
    }
