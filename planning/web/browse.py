"""Orders and stock, browsable at any size: paged, searched, sorted and filtered in the database, with the
whole filtered list as a streamed CSV."""

from flask import render_template
from sqlalchemy import func, select

from core.db import db, search_words
from inventory import service as inventory_service
from inventory.models import Item, Location, Region, StockBalance
from logistics.models import Shipment
from orders import service as orders_service
from orders.models import ORDER_STATUSES, Customer, CustomerOrder, OrderLine
from planning.runs import service as runs_service
from planning.web import web
from planning.web.listing import arg, chosen_sort, csv_response, ordered, page_of, streamed
from planning.web.pages import read

ORDER_SORTS = {
    "number": CustomerOrder.number,
    "customer": Customer.code,
    "region": Region.code,
    "priority": CustomerOrder.priority,
    "requested_at": CustomerOrder.requested_at,
    "status": CustomerOrder.status,
    "promised_at": CustomerOrder.promised_at,
}
STOCK_SORTS = {
    "sku": Item.sku,
    "name": Item.name,
    "location": Location.code,
    "on_hand": StockBalance.on_hand,
    "reserved": StockBalance.reserved,
    "free": StockBalance.on_hand - StockBalance.reserved,
}


def _order_filters() -> dict:
    status = arg("status")
    late = arg("late")
    return {
        "status": status if status in ORDER_STATUSES else "",
        "region": arg("region"),
        "customer": arg("customer"),
        "sku": arg("sku"),
        "late": late if late in ("yes", "no") else "",
    }


def _orders_query(filters: dict):
    late = {"yes": True, "no": False}.get(filters["late"])
    given = {k: v or None for k, v in filters.items() if k != "late"}
    return orders_service.orders_query(**given, late=late, q=arg("q"))


@web.get("/orders")
@read
def orders():
    filters = _order_filters()
    listing = page_of(
        _orders_query(filters),
        sorts=ORDER_SORTS,
        default="number",
        tiebreak=CustomerOrder.id,
        filters=filters,
    )
    return render_template(
        "orders.html", lst=listing, statuses=ORDER_STATUSES, published=runs_service.published_run()
    )


@web.get("/orders.csv")
@read
def orders_csv():
    """Every order the filters select, sorted as on the page, streamed (columns, not objects)."""
    lines = select(func.count(OrderLine.id)).where(OrderLine.order_id == CustomerOrder.id).scalar_subquery()
    columns = {
        "number": CustomerOrder.number,
        "customer": Customer.code,
        "region": Region.code,
        "priority": CustomerOrder.priority,
        "requested_at": CustomerOrder.requested_at,
        "status": CustomerOrder.status,
        "promised_at": CustomerOrder.promised_at,
        "lines": lines,
    }
    stmt = _orders_query(_order_filters()).with_only_columns(*(c.label(k) for k, c in columns.items()))
    stmt = ordered(stmt, ORDER_SORTS, chosen_sort(ORDER_SORTS, "number"), CustomerOrder.id)
    return csv_response("orders.csv", list(columns), lambda: streamed(stmt, entities=False))


@web.get("/orders/<number>")
@read
def order(number: str):
    found = orders_service.get_order(number)
    shipments = db.session.scalars(select(Shipment).where(Shipment.order_id == found.id)).all()
    published = runs_service.published_run()
    return render_template("order.html", order=found, shipments=shipments, published=published)


def _stock_filters() -> dict:
    return {"sku": arg("sku"), "location": arg("location"), "region": arg("region"), "short": arg("short")}


def _stock_query(filters: dict):
    stmt = inventory_service.balances_query(
        sku=filters["sku"] or None,
        location=filters["location"] or None,
        region=filters["region"] or None,
        below_zero_free=filters["short"] == "yes" or None,
    )
    return search_words(stmt, (Item.sku, Item.name, Location.code), arg("q"))


@web.get("/stock")
@read
def stock():
    filters = _stock_filters()
    listing = page_of(
        _stock_query(filters), sorts=STOCK_SORTS, default="sku", tiebreak=StockBalance.id, filters=filters
    )
    return render_template("stock.html", lst=listing, published=runs_service.published_run())


@web.get("/stock.csv")
@read
def stock_csv():
    columns = {
        "sku": Item.sku,
        "item": Item.name,
        "location": Location.code,
        "on_hand": StockBalance.on_hand,
        "reserved": StockBalance.reserved,
        "free": StockBalance.on_hand - StockBalance.reserved,
    }
    stmt = _stock_query(_stock_filters()).with_only_columns(*(c.label(k) for k, c in columns.items()))
    stmt = ordered(stmt, STOCK_SORTS, chosen_sort(STOCK_SORTS, "sku"), StockBalance.id)
    return csv_response("stock.csv", list(columns), lambda: streamed(stmt, entities=False))
