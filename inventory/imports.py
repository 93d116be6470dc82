"""Inventory's master data as imports and exports (CSV, xlsx): regions, items, locations."""

from sqlalchemy import select

from core.imports import Importer
from inventory import service
from inventory.api import MASTER_DATA_EDITORS, save_location_as_caller
from inventory.models import Item, Location, Region
from inventory.schemas import ItemSchema, LocationSchema, RegionSchema


def _save_region(data: dict) -> bool:
    return service.save_region(data.pop("code"), data)[1]


def _save_item(data: dict) -> bool:
    return service.save_item(data.pop("sku"), data)[1]


def _save_location(data: dict) -> bool:
    """As the API saves one: the stock policy changes only for planners and admins."""
    return save_location_as_caller(data.pop("code"), data)[1]


IMPORTERS = (
    Importer(
        "regions",
        "Regions",
        RegionSchema,
        _save_region,
        lambda: select(Region).order_by(Region.code),
        editors=("planner",),
        key=("code",),
    ),
    Importer(
        "items",
        "Items",
        ItemSchema,
        _save_item,
        lambda: select(Item).order_by(Item.sku),
        editors=MASTER_DATA_EDITORS,
        key=("sku",),
    ),
    Importer(
        "locations",
        "Locations",
        LocationSchema,
        _save_location,
        lambda: select(Location).order_by(Location.code),
        editors=MASTER_DATA_EDITORS,
        key=("code",),
    ),
)
