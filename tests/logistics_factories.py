"""Factories for the logistics and customer order tests: a small hand-made company.

Two regions (north, east), a warehouse in each (WH-A north, WH-B east), a plant PL-C (east), items
NB (notebook) and BOARD, stock NB 100 at WH-A, lanes WH-A → WH-B (truck, 24 h), WH-A → north (truck,
6 h) and PL-C → WH-A (rail, valid for a while only), and a customer C1 (b2b, north).
"""

import os
from datetime import UTC, datetime
from decimal import Decimal

from core import auth
from core.db import db
from inventory import service as inventory_service
from logistics import lanes as lane_service
from logistics import service as logistics_service
from orders import service as orders_service

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def make_user(role: str = "admin") -> int:
    return auth.create_user(username=f"factory-{role}-{os.urandom(4).hex()}", roles=[role]).id


def make_world(*, user_id: int) -> None:
    for code in ("north", "east"):
        inventory_service.save_region(code, {"name": code.title()})
    for code, kind, region in (
        ("WH-A", "warehouse", "north"),
        ("WH-B", "warehouse", "east"),
        ("PL-C", "plant", "east"),
    ):
        inventory_service.save_location(code, {"name": code, "kind": kind, "region_code": region})
    inventory_service.save_item("NB", {"name": "notebook", "holding_cost_per_day": Decimal("0.02")})
    inventory_service.save_item("BOARD", {"name": "mainboard", "kind": "material"})
    inventory_service.post_movement(
        kind="receipt", sku="NB", location="WH-A", quantity=Decimal(100), user_id=user_id
    )
    lane = {"unit_cost": Decimal("0.5"), "capacity_per_day": None, "valid_from": None, "valid_to": None}
    lane_service.save_lane(
        from_code="WH-A", to_code="WH-B", mode="truck", fields={**lane, "transit_hours": Decimal(24)}
    )
    lane_service.save_lane(
        from_code="WH-A",
        to_code="north",
        mode="truck",
        fields={
            **lane,
            "transit_hours": Decimal(6),
            "unit_cost": Decimal(1),
            "capacity_per_day": Decimal(500),
        },
    )
    lane_service.save_lane(
        from_code="PL-C",
        to_code="WH-A",
        mode="rail",
        fields={
            **lane,
            "transit_hours": Decimal("36.5"),
            "valid_from": T0,
            "valid_to": datetime(2027, 1, 1, tzinfo=UTC),
        },
    )
    orders_service.save_customer("C1", {"name": "Customer one", "channel": "b2b", "region_code": "north"})


def make_order(number: str = "SO-1", *, lines=(("NB", 3),), accept: bool = True, **fields):
    order = orders_service.create_order(
        number=number,
        customer_code="C1",
        created_at=fields.pop("created_at", datetime(2026, 11, 22, 7, 10, tzinfo=UTC)),
        requested_at=fields.pop("requested_at", datetime(2026, 11, 23, 12, 0, tzinfo=UTC)),
        lines=[{"sku": sku, "quantity": Decimal(qty)} for sku, qty in lines],
        **fields,
    )
    if accept:
        orders_service.accept_order(number=number)
    return order


def lane(from_code: str, to_code: str, mode: str = "truck"):
    return lane_service.find_lane(from_code=from_code, to_code=to_code, mode=mode)


def make_transfer(*, user_id: int, qty: int = 10, status: str = "planned", number: str | None = None):
    return logistics_service.create_shipment(
        kind="transfer",
        lane=lane("WH-A", "WH-B"),
        lines=[{"sku": "NB", "quantity": Decimal(qty)}],
        depart_at=T0,
        user_id=user_id,
        status=status,
        number=number,
    )


def balance(sku: str, location: str) -> tuple[Decimal, Decimal]:
    """(on hand, reserved) of `sku` at `location`, zero when there is no balance row."""
    row = db.session.scalar(inventory_service.balances_query(sku=sku, location=location))
    return (row.on_hand, row.reserved) if row else (Decimal(0), Decimal(0))
