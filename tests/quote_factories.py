"""A small network for the quote tests, built through the services, and a plan published on it.

Region south: warehouse WH-S (FG 10, SCARCE 20 on hand), customer CS. Region north: warehouse WH-N (FG 50)
and plant PL-N with line L1 (8 h a day) making MADE from RM (RM 100 on hand). Lanes: WH-S → south truck
6 h (the only delivery lane), WH-N → WH-S truck 24 h, PL-N → WH-S rail 36 h. Supplier SUP sells BUY to WH-S
(72 h lead). NONE is an item nothing supplies; region island has no lane.
"""

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from core import auth
from core.db import db, utcnow
from inventory import service as inventory_service
from logistics import lanes as lane_service
from orders import service as orders_service
from planning.contract import CONTRACT
from planning.runs.models import PlanningRun
from planning.runs.publish import write_plan
from planning.snapshot import build_snapshot
from procurement import service as procurement_service
from procurement.production import service as production_service

LANES = (
    ("WH-S", "south", 6),
    ("WH-N", "WH-S", 24),
    ("PL-N", "WH-S", 36),
)


def build_network() -> int:
    """Create the network in the current app context; return an admin's id."""
    user = auth.create_user(username=f"quoter-{secrets.token_hex(4)}", roles=["admin"])
    for region in ("south", "north", "island"):
        inventory_service.save_region(region, {"name": region.title()})
    for code, kind, region in (
        ("WH-S", "warehouse", "south"),
        ("WH-N", "warehouse", "north"),
        ("PL-N", "plant", "north"),
    ):
        inventory_service.save_location(code, {"name": code, "kind": kind, "region_code": region})
    for sku in ("FG", "MADE", "RM", "BUY", "SCARCE", "NONE"):
        inventory_service.save_item(sku, {"name": sku})
    for origin, to, hours in LANES:
        mode = "rail" if origin == "PL-N" else "truck"
        lane_service.save_lane(
            from_code=origin,
            to_code=to,
            mode=mode,
            fields={"transit_hours": Decimal(hours), "unit_cost": Decimal(1), "capacity_per_day": None},
        )
    procurement_service.save_supplier("SUP", {"name": "Supplier"})
    procurement_service.save_offer(
        supplier="SUP",
        sku="BUY",
        location="WH-S",
        fields={
            "lead_time_hours": Decimal(72),
            "unit_cost": Decimal(5),
            "order_cost": Decimal(0),
            "min_qty": Decimal(0),
            "multiple": None,
            "capacity_per_day": None,
        },
    )
    production_service.save_resource(
        "L1", {"name": "line 1", "location_code": "PL-N", "hours_per_day": Decimal(8)}
    )
    production_service.save_route(
        sku="MADE",
        resource="L1",
        fields={
            "hours_per_unit": Decimal("0.1"),
            "lead_time_hours": Decimal(24),
            "unit_cost": Decimal(3),
            "setup_hours": Decimal(0),
            "setup_cost": Decimal(0),
            "components": [{"sku": "RM", "qty_per": Decimal(1)}],
        },
    )
    receipts = [
        {"kind": "receipt", "sku": sku, "location": loc, "quantity": Decimal(qty)}
        for sku, loc, qty in (
            ("FG", "WH-S", 10),
            ("FG", "WH-N", 50),
            ("RM", "PL-N", 100),
            ("SCARCE", "WH-S", 20),
        )
    ]
    inventory_service.post_movements(receipts, user_id=user.id)
    orders_service.save_customer("CS", {"name": "Customer south", "region_code": "south"})
    db.session.flush()
    return user.id


def empty_plan(snapshot: dict) -> dict:
    return {
        "contract": CONTRACT,
        "plan_start": snapshot["plan_start"],
        "confirmations": [],
        "procurement": [],
        "production": [],
        "transfers": [],
        "kpis": {},
        "solver": {},
    }


def publish(plan_for=empty_plan, *, at: datetime | None = None) -> PlanningRun:
    """A run of the database now, its plan (`plan_for(snapshot)`) published as a run publishes one."""
    at = (at or utcnow()).replace(microsecond=0)
    snapshot = build_snapshot(at=at)
    run = PlanningRun(trigger="cli", status="running", plan_start=at, started_at=utcnow(), snapshot=snapshot)
    db.session.add(run)
    db.session.flush()
    write_plan(run, plan_for(snapshot))
    run.status, run.published_at, run.finished_at = "succeeded", utcnow(), utcnow()
    db.session.flush()
    return run


def hours_after(text: str, start: datetime) -> float:
    return (datetime.fromisoformat(text) - start) / timedelta(hours=1)
