"""Purchase orders their suppliers moved later, and the customer orders whose promise depends on them.

A moved order is an open purchase order whose confirmed schedule (or an advance ship notice) brings a line
later than the order's own date. A customer order depends on it when the plan in force delivers the
line's sku from the order's location after the goods were due and before they now come: such a
delivery leaves that much later at least ("SO-123 will be 3 days late: PO-55 moved"). Supply reaching
an order through a transfer or a production order is not followed here; the next run's changes list
every order whose promise moved, with the moved receipts behind it.
"""

import math
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select, tuple_

from core.db import db
from planning.runs import service as runs_service
from planning.runs.models import PlannedConfirmation, PlannedDelivery
from procurement.models import OPEN_PO_STATUSES, PurchaseOrder
from suppliers.models import ConfirmedDelivery, InboundShipment, InboundShipmentLine, SupplierOrder

DAY = timedelta(days=1)


def moved_purchase_orders(*, limit: int = 200) -> list[dict]:
    """Open purchase orders moved later by their supplier, the most moved first, with each line's new
    arrival: {number, supplier, location, due, lines: [{line, sku, arrive_at}], hours}."""
    stmt = (
        select(PurchaseOrder, SupplierOrder.moved_hours)
        .join(SupplierOrder, SupplierOrder.purchase_order_id == PurchaseOrder.id)
        .where(PurchaseOrder.status.in_(OPEN_PO_STATUSES), SupplierOrder.moved_hours > 0)
        .order_by(SupplierOrder.moved_hours.desc(), PurchaseOrder.id)
        .limit(limit)
    )
    moved = []
    for order, hours in db.session.execute(stmt):
        latest = _latest_arrivals(order.id)
        lines = [
            {"line": li.line_no, "sku": li.item.sku, "arrive_at": latest[li.line_no]}
            for li in order.lines
            if li.line_no in latest and latest[li.line_no] > order.receive_at and li.qty_open > 0
        ]
        if lines:
            moved.append(
                {
                    "number": order.number,
                    "supplier": order.supplier.code,
                    "location": order.location.code,
                    "due": order.receive_at,
                    "hours": hours,
                    "lines": lines,
                }
            )
    return moved


def _latest_arrivals(purchase_order_id: int) -> dict[int, object]:
    confirmed = (
        select(ConfirmedDelivery.line_no, func.max(ConfirmedDelivery.arrive_at))
        .where(ConfirmedDelivery.purchase_order_id == purchase_order_id)
        .group_by(ConfirmedDelivery.line_no)
    )
    shipped = (
        select(InboundShipmentLine.line_no, func.max(InboundShipment.arrive_at))
        .join(InboundShipment, InboundShipment.id == InboundShipmentLine.shipment_id)
        .where(InboundShipment.purchase_order_id == purchase_order_id, InboundShipment.status == "announced")
        .group_by(InboundShipmentLine.line_no)
    )
    latest = {}
    for stmt in (confirmed, shipped):
        for line, at in db.session.execute(stmt):
            latest[line] = max(latest.get(line, at), at)
    return latest


def orders_at_risk(moved: list[dict]) -> list[dict]:
    """Customer orders of the plan in force that a moved purchase order makes late, the latest first:
    {order, days, purchase_order, message}."""
    run = runs_service.published_run()
    if run is None or not moved:
        return []
    windows = defaultdict(list)  # (sku, location) → [(due, now arriving, purchase order)]
    for po in moved:
        for line in po["lines"]:
            windows[(line["sku"], po["location"])].append((po["due"], line["arrive_at"], po["number"]))
    stmt = (
        select(
            PlannedConfirmation.order_number,
            PlannedDelivery.sku,
            PlannedDelivery.from_location,
            PlannedDelivery.depart_at,
        )
        .join(PlannedDelivery, PlannedDelivery.confirmation_id == PlannedConfirmation.id)
        .where(
            PlannedConfirmation.run_id == run.id,
            tuple_(PlannedDelivery.sku, PlannedDelivery.from_location).in_(list(windows)),
        )
    )
    worst: dict[str, tuple[int, str]] = {}
    for order, sku, location, depart_at in db.session.execute(stmt):
        for due, arrive_at, number in windows[(sku, location)]:
            if due <= depart_at < arrive_at:
                days = math.ceil((arrive_at - depart_at) / DAY)
                if days > worst.get(order, (0, ""))[0]:
                    worst[order] = (days, number)
    return [
        {
            "order": order,
            "days": days,
            "purchase_order": number,
            "message": f"{order} will be {days} day{'s' if days != 1 else ''} late: {number} moved",
        }
        for order, (days, number) in sorted(worst.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
