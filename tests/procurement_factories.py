"""A small supply chain for purchasing and production tests, built through the services.

One plant (PL-T) with a line (L1), a warehouse (WH-T), a supplier (SUP) offering boards to the plant,
and a two-level bill of materials: a notebook NB is made of one SUB and two CPU; a SUB of one BRD.
"""

import secrets
from decimal import Decimal

from sqlalchemy import func, select

from core import auth
from core.db import db
from inventory import service as inventory_service
from inventory.models import Item, Location, StockBalance, StockMovement
from procurement import service as procurement_service
from procurement.production import service as production_service


def build_world(*, stock: dict[tuple[str, str], int] | None = None) -> int:
    """Create the world in the current app context, with opening `stock`; return an admin user's id."""
    user = auth.create_user(username=f"maker-{secrets.token_hex(4)}", roles=["admin"])
    inventory_service.save_region("east", {"name": "East"})
    inventory_service.save_location("PL-T", {"name": "Test plant", "kind": "plant", "region_code": "east"})
    inventory_service.save_location("WH-T", {"name": "Test DC", "kind": "warehouse", "region_code": "east"})
    for sku, kind in (("BRD", "material"), ("CPU", "material"), ("SUB", "both"), ("NB", "finished")):
        inventory_service.save_item(sku, {"name": sku, "kind": kind})
    procurement_service.save_supplier("SUP", {"name": "Supplier"})
    procurement_service.save_offer(supplier="SUP", sku="BRD", location="PL-T", fields=offer_terms())
    production_service.save_resource(
        "L1", {"name": "line 1", "location_code": "PL-T", "hours_per_day": Decimal(16)}
    )
    production_service.save_route(sku="SUB", resource="L1", fields=route_terms(BRD=1))
    production_service.save_route(sku="NB", resource="L1", fields=route_terms(SUB=1, CPU=2))
    if stock:
        receipts = [
            {"kind": "receipt", "sku": sku, "location": loc, "quantity": Decimal(qty)}
            for (sku, loc), qty in stock.items()
        ]
        inventory_service.post_movements(receipts, user_id=user.id)
    return user.id


def offer_terms(**overrides) -> dict:
    terms = {
        "lead_time_hours": Decimal(48),
        "unit_cost": Decimal("10.5"),
        "order_cost": Decimal(20),
        "min_qty": Decimal(10),
        "multiple": Decimal(5),
        "capacity_per_day": None,
    }
    return terms | overrides


def route_terms(**components) -> dict:
    return {
        "hours_per_unit": Decimal("0.25"),
        "lead_time_hours": Decimal(24),
        "unit_cost": Decimal(15),
        "setup_hours": Decimal(1),
        "setup_cost": Decimal(80),
        "components": [{"sku": sku, "qty_per": Decimal(qty)} for sku, qty in components.items()],
    }


def on_hand(sku: str, location: str) -> Decimal:
    stmt = (
        select(StockBalance.on_hand)
        .join(Item, Item.id == StockBalance.item_id)
        .join(Location, Location.id == StockBalance.location_id)
        .where(Item.sku == sku, Location.code == location)
    )
    return db.session.scalar(stmt) or Decimal(0)


def movements_of(reference: str) -> int:
    """How many stock movements reference a document."""
    return db.session.scalar(select(func.count()).where(StockMovement.reference == reference))
