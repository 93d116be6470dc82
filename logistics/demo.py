"""Demo data for logistics: lanes between the demo sites and to every region, and transfers under way."""

import math
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from core.db import db, utcnow
from inventory.demo import LOCATIONS
from inventory.models import Item, Location, StockBalance
from logistics import lanes as lane_service
from logistics import service
from orders import service as orders_service

WAREHOUSES = [row for row in LOCATIONS if row[2] == "warehouse"]
PLANTS = [row for row in LOCATIONS if row[2] == "plant"]
# mode: (km per hour, fixed hours for handling, cost per unit per 1000 km, capacity per day)
MODES = {
    "truck": (60, 4, Decimal("0.8"), None),
    "rail": (45, 12, Decimal("0.4"), Decimal(5000)),
    "air": (600, 8, Decimal("3.5"), Decimal(300)),
    "courier": (50, 2, Decimal("2.0"), Decimal(200)),
}


def _km(a, b) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def _lane(origin, destination: str, mode: str, km: float) -> dict:
    speed, fixed, cost, capacity = MODES[mode]
    return {
        "from_code": origin[0],
        "to_code": destination,
        "mode": mode,
        "transit_hours": Decimal(round(fixed + km / speed)),
        "unit_cost": (Decimal("0.2") + cost * Decimal(km) / 1000).quantize(Decimal("0.01")),
        "capacity_per_day": capacity,
    }


def demo_lanes() -> list[dict]:
    """Plants to every warehouse by truck and rail; warehouse to warehouse by truck; every warehouse to
    its own region by truck and courier, to the others by truck, and by air from the big three."""
    centre = {}  # a region's first warehouse stands for where its customers are
    for row in WAREHOUSES:
        centre.setdefault(row[3], row[4:])
    lanes = []
    for plant in PLANTS:
        for wh in WAREHOUSES:
            km = _km(plant[4:], wh[4:])
            lanes += [_lane(plant, wh[0], "truck", km), _lane(plant, wh[0], "rail", km)]
    for wh in WAREHOUSES:
        lanes += [_lane(wh, other[0], "truck", _km(wh[4:], other[4:])) for other in WAREHOUSES if other != wh]
        for region, point in centre.items():
            km = max(_km(wh[4:], point), 80)
            lanes.append(_lane(wh, region, "truck", km))
            if region == wh[3]:
                lanes.append(_lane(wh, region, "courier", km))
            if wh[0] in ("WH-BJ", "WH-SH", "WH-GZ") and region != wh[3]:
                lanes.append(_lane(wh, region, "air", km))
    return lanes


def _stocked(location: str, count: int) -> list[tuple[str, Decimal]]:
    """`count` finished items with the most free stock at `location`, and a third of that stock."""
    stmt = (
        select(Item.sku, StockBalance.on_hand - StockBalance.reserved)
        .join(StockBalance.item)
        .join(StockBalance.location)
        .where(Location.code == location, Item.kind == "finished")
        .order_by((StockBalance.on_hand - StockBalance.reserved).desc(), Item.sku)
        .limit(count)
    )
    return [(sku, Decimal(int(free // 3))) for sku, free in db.session.execute(stmt) if free >= 3]


def load_logistics_demo(*, user_id: int) -> None:
    """Lanes, a transfer in transit (WH-SH → WH-BJ, with tracking), one released (WH-GZ → WH-CD) and a
    released delivery for an order that WH-BJ can serve from stock."""
    lane_service.upsert_lanes(demo_lanes())
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    in_transit = _transfer("WH-SH", "WH-BJ", now - timedelta(hours=10), user_id=user_id)
    service.dispatch_shipment(number=in_transit.number, user_id=user_id, at=in_transit.depart_at)
    for hours, status, place in ((10, "picked up", "Shanghai DC"), (4, "passed hub", "Xuzhou")):
        service.add_event(
            number=in_transit.number,
            occurred_at=now - timedelta(hours=hours),
            status=status,
            place=place,
            carrier_reference="SF-DEMO-0001",
            user_id=user_id,
        )
    _transfer("WH-GZ", "WH-CD", now, user_id=user_id)
    _delivery_from_stock("WH-BJ", "north", now, user_id=user_id)


def _transfer(origin: str, destination: str, depart_at, *, user_id: int):
    lines = [{"sku": sku, "quantity": qty} for sku, qty in _stocked(origin, 2)]
    lane = lane_service.find_lane(from_code=origin, to_code=destination, mode="truck")
    return service.create_shipment(
        kind="transfer", lane=lane, lines=lines, depart_at=depart_at, user_id=user_id
    )


def _delivery_from_stock(origin: str, region: str, depart_at, *, user_id: int) -> None:
    """Release a delivery for the first accepted order to `region` whose lines `origin` has free."""
    free = dict(
        db.session.execute(
            select(Item.sku, StockBalance.on_hand - StockBalance.reserved)
            .join(StockBalance.item)
            .join(StockBalance.location)
            .where(Location.code == origin)
        ).all()
    )
    orders = orders_service.orders_query(status="accepted", region=region)
    for order in db.session.scalars(orders):
        if all(free.get(ol.sku, 0) >= ol.quantity for ol in order.lines):
            lines = [{"sku": ol.sku, "quantity": ol.quantity, "order_line": ol.line} for ol in order.lines]
            lane = lane_service.find_lane(from_code=origin, to_code=region, mode="truck")
            service.create_shipment(
                kind="delivery", lane=lane, order=order, lines=lines, depart_at=depart_at, user_id=user_id
            )
            return
