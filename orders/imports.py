"""Customers and customer orders as imports and exports (CSV, xlsx). An order file has a row per order
line: the order's columns (number, customer, requested_at, ...) repeated, then the line's (line, sku and
its quantity); the rows of one number make one order, created or (while pending or accepted) replaced."""

from core.imports import Importer
from orders import service
from orders.api import PLANNERS
from orders.schemas import CustomerSchema, OrderUpsertSchema


def _save_customer(data: dict) -> bool:
    return service.save_customer(data.pop("code"), data)[1]


def _save_order(data: dict) -> bool:
    return service.save_order(data.pop("number"), data)[1]


IMPORTERS = (
    Importer(
        "customers",
        "Customers",
        CustomerSchema,
        _save_customer,
        service.customers_query,
        editors=PLANNERS,
        key=("code",),
    ),
    Importer(
        "orders",
        "Customer orders",
        OrderUpsertSchema,
        _save_order,
        service.orders_query,
        editors=PLANNERS,
        key=("number",),
        lines="lines",
    ),
)
