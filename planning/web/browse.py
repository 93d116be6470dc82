"""Orders and stock, browsable: enough for a planner to check a promise without the API."""

from flask import render_template, request
from sqlalchemy import select

from core.db import db
from inventory import service as inventory_service
from logistics.models import Shipment
from orders import service as orders_service
from orders.models import ORDER_STATUSES
from planning.runs import service as runs_service
from planning.web import web
from planning.web.pages import read

PAGE = 200


@web.get("/orders")
@read
def orders():
    status = request.args.get("status") or None
    if status not in ORDER_STATUSES:
        status = None
    stmt = orders_service.orders_query(status=status, region=request.args.get("region") or None)
    listed = db.session.scalars(stmt.limit(PAGE)).unique().all()
    published = runs_service.published_run()
    return render_template(
        "orders.html", orders=listed, statuses=ORDER_STATUSES, status=status, published=published
    )


@web.get("/orders/<number>")
@read
def order(number: str):
    found = orders_service.get_order(number)
    shipments = db.session.scalars(select(Shipment).where(Shipment.order_id == found.id)).all()
    published = runs_service.published_run()
    return render_template("order.html", order=found, shipments=shipments, published=published)


@web.get("/stock")
@read
def stock():
    sku, location = request.args.get("sku") or None, request.args.get("location") or None
    balances = db.session.scalars(
        inventory_service.balances_query(sku=sku, location=location).limit(500)
    ).all()
    published = runs_service.published_run()
    return render_template(
        "stock.html", balances=balances, sku=sku or "", location=location or "", published=published
    )
