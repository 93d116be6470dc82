"""Factories: small functions that build users, master data and stock through the services.

They upsert by natural key, so a test names only what it cares about. Call them inside an app
context; they flush, the caller (or the test's rollback) decides what is kept.
"""

import secrets
from decimal import Decimal

from core import auth
from core.db import db
from core.models import User
from inventory import service
from inventory.models import Item, Location, Region, StockBalance, StockMovement


def make_user(*roles: str) -> User:
    return auth.create_user(username=f"user-{secrets.token_hex(4)}", roles=roles or ("warehouse",))


def make_region(code: str = "north", **fields) -> Region:
    return service.save_region(code, {"name": code.title(), **fields})[0]


def make_location(code: str = "WH-1", *, region: str = "north", **fields) -> Location:
    make_region(region)
    return service.save_location(code, {"name": f"site {code}", "region_code": region, **fields})[0]


def make_item(sku: str = "SKU-1", **fields) -> Item:
    return service.save_item(sku, {"name": f"item {sku}", **fields})[0]


def post(kind: str, sku: str, quantity, *, user_id: int, **places) -> StockMovement:
    """Post one movement; `places` are `location=` or `from_location=`/`to_location=` codes."""
    return service.post_movement(
        kind=kind, sku=sku, quantity=Decimal(str(quantity)), user_id=user_id, **places
    )


def stock_at(sku: str, location: str, quantity, *, user_id: int, **location_fields) -> StockBalance:
    """Make the item and location if needed and receive `quantity` there; return the balance."""
    make_item(sku)
    make_location(location, **location_fields)
    post("receipt", sku, quantity, user_id=user_id, location=location)
    return balance_of(sku, location)


def balance_of(sku: str, location: str) -> StockBalance | None:
    return db.session.scalar(service.balances_query(sku=sku, location=location))


def keyed(headers: dict) -> dict:
    """`headers` with a fresh `Idempotency-Key` (required on every write that moves stock)."""
    return {**headers, "Idempotency-Key": secrets.token_hex(8)}
