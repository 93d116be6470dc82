"""Purchasing's master data as imports and exports (CSV, xlsx): suppliers and their supply offers."""

from core.imports import Importer
from procurement import service
from procurement.api import PLANNERS
from procurement.schemas import SupplierSchema, SupplyOfferSchema


def _save_supplier(data: dict) -> bool:
    return service.save_supplier(data.pop("code"), data)[1]


def _save_offer(data: dict) -> bool:
    keys = {
        "supplier": data.pop("supplier_code"),
        "sku": data.pop("sku"),
        "location": data.pop("location_code"),
    }
    return service.save_offer(**keys, fields=data)[1]


IMPORTERS = (
    Importer(
        "suppliers",
        "Suppliers",
        SupplierSchema,
        _save_supplier,
        service.suppliers_query,
        editors=PLANNERS,
        key=("code",),
    ),
    Importer(
        "supply-offers",
        "Supply offers",
        SupplyOfferSchema,
        _save_offer,
        service.offers_query,
        editors=PLANNERS,
        key=("supplier", "sku", "location"),
    ),
)
