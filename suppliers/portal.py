"""What a supplier's portal shows: its open purchase orders with what is due, its proposals awaiting a
planner, its shipments under way; and the same as an email-shaped digest (subject and body)."""

from collections import defaultdict

from sqlalchemy import select

from core.db import db
from core.formats import as_number, iso
from procurement.models import OPEN_PO_STATUSES, PurchaseOrder, Supplier
from suppliers.models import ConfirmedDelivery, InboundShipment, OfferProposal, OrderResponse, SupplierOrder


def open_orders(supplier: Supplier, *, limit: int = 500) -> list[dict]:
    """The supplier's open purchase orders, the soonest due first, with its answer and confirmed schedule."""
    stmt = (
        select(PurchaseOrder, SupplierOrder)
        .outerjoin(SupplierOrder, SupplierOrder.purchase_order_id == PurchaseOrder.id)
        .where(PurchaseOrder.supplier_id == supplier.id, PurchaseOrder.status.in_(OPEN_PO_STATUSES))
        .order_by(PurchaseOrder.receive_at, PurchaseOrder.id)
        .limit(limit)
    )
    rows = db.session.execute(stmt).all()
    schedules = _schedules([order.id for order, _ in rows])
    return [order_view(order, state, schedules.get(order.id, [])) for order, state in rows]


def order_view(order: PurchaseOrder, state: SupplierOrder | None, schedule: list) -> dict:
    return {
        "number": order.number,
        "location": order.location.code,
        "status": order.status,
        "receive_at": order.receive_at,
        "released_at": order.released_at,
        "supplier_status": state.status if state else "awaiting",
        "reason": state.reason if state else None,
        "lines": [
            {"line": li.line_no, "sku": li.item.sku, "qty": li.qty, "qty_received": li.qty_received}
            for li in order.lines
        ],
        "confirmed_deliveries": [
            {"line": d.line_no, "qty": d.qty, "arrive_at": d.arrive_at} for d in schedule
        ],
    }


def _schedules(order_ids: list[int]) -> dict[int, list]:
    if not order_ids:
        return {}
    stmt = (
        select(ConfirmedDelivery)
        .where(ConfirmedDelivery.purchase_order_id.in_(order_ids))
        .order_by(ConfirmedDelivery.line_no, ConfirmedDelivery.arrive_at)
    )
    schedules = defaultdict(list)
    for delivery in db.session.scalars(stmt):
        schedules[delivery.purchase_order_id].append(delivery)
    return schedules


def pending_proposals(*, supplier_id: int | None = None, limit: int = 200) -> dict:
    """Proposals awaiting a planner (one supplier's, or everyone's): order schedules and offer terms."""
    orders = select(OrderResponse).where(OrderResponse.status == "pending", OrderResponse.kind == "propose")
    offers = select(OfferProposal).where(OfferProposal.status == "pending")
    if supplier_id is not None:
        orders = orders.where(OrderResponse.supplier_id == supplier_id)
        offers = offers.where(OfferProposal.supplier_id == supplier_id)
    return {
        "orders": list(db.session.scalars(orders.order_by(OrderResponse.id).limit(limit))),
        "offers": list(db.session.scalars(offers.order_by(OfferProposal.id).limit(limit))),
    }


def shipments_underway(supplier: Supplier, *, limit: int = 100) -> list[InboundShipment]:
    stmt = (
        select(InboundShipment)
        .where(InboundShipment.supplier_id == supplier.id, InboundShipment.status == "announced")
        .order_by(InboundShipment.arrive_at)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def digest(supplier: Supplier) -> dict:
    """The portal in an email's shape: what to answer, what is due, what waits for a planner."""
    orders = open_orders(supplier)
    awaiting = [o for o in orders if o["supplier_status"] == "awaiting"]
    pending = pending_proposals(supplier_id=supplier.id)
    lines = [f"Hello {supplier.name},", ""]
    lines.append(f"{len(awaiting)} purchase order(s) await your answer:")
    lines += [f"  {o['number']} to {o['location']}, due {iso(o['receive_at'])}" for o in awaiting]
    lines.append("")
    lines.append(f"{len(orders)} open purchase order(s), the next due:")
    for o in orders[:10]:
        due = ", ".join(f"{as_number(li['qty'] - li['qty_received'])} {li['sku']}" for li in o["lines"])
        lines.append(f"  {o['number']} ({o['supplier_status']}): {due} by {iso(o['receive_at'])}")
    waiting = len(pending["orders"]) + len(pending["offers"])
    lines += ["", f"{waiting} of your proposal(s) await a planner."]
    subject = f"takt: {len(awaiting)} purchase order(s) to answer, {len(orders)} open"
    return {"to": supplier.code, "subject": subject, "body": "\n".join(lines)}
