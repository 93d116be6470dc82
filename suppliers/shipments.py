"""Advance ship notices: a supplier announces a dispatch of its purchase order (quantities per line,
carrier, tracking reference, arrival); the next snapshot counts those goods at that arrival; the warehouse
receives against the notice through purchasing's one receiving service (a ledger receipt per line)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, func, select

from core.db import assign_number, db, utcnow
from core.errors import Conflict, Invalid, NotFound
from core.lifecycle import InvalidTransition, lock_document
from procurement import service as procurement_service
from procurement.models import OPEN_PO_STATUSES, Supplier
from suppliers.acknowledge import notify, order_state, supplier_order
from suppliers.models import InboundShipment, InboundShipmentLine


def announce_shipment(
    *,
    supplier: Supplier,
    purchase_order: str,
    carrier: str,
    tracking_ref: str,
    arrive_at: datetime,
    lines: list[dict],
    user_id: int,
    shipped_at: datetime | None = None,
) -> InboundShipment:
    """Record a dispatch of the supplier's own open purchase order; 409 if it ships more than is open."""
    order = supplier_order(purchase_order, supplier, lock=True)
    if order.status not in OPEN_PO_STATUSES:
        raise InvalidTransition(
            f"purchase order {order.number} is {order.status}", current_status=order.status
        )
    if order_state(order).status == "rejected":
        raise Conflict(f"purchase order {order.number} was rejected by its supplier", code="rejected")
    shipped_at = shipped_at or utcnow()
    if arrive_at < shipped_at:
        raise Invalid("arrive_at", "must not be before shipped_at")
    shipment = InboundShipment(
        supplier_id=supplier.id,
        purchase_order=order,
        carrier=carrier,
        tracking_ref=tracking_ref,
        shipped_at=shipped_at,
        arrive_at=arrive_at,
        created_by_id=user_id,
        lines=_shipment_lines(order, lines),
    )
    assign_number(shipment, "ASN-")
    state = order_state(order)
    late = (arrive_at - order.receive_at).total_seconds() / 3600
    state.moved_hours = max(state.moved_hours or 0.0, late) if late > 0 else state.moved_hours
    notify(supplier, "shipment.announced", {"shipment": shipment.number, "purchase_order": order.number})
    return shipment


def _shipment_lines(order, lines: list[dict]) -> list[InboundShipmentLine]:
    if not lines:
        raise Invalid("lines", "a shipment needs at least one line")
    by_no = {line.line_no: line for line in order.lines}
    announced = _announced_qty(order.id)
    rows, seen = [], set()
    for i, line in enumerate(lines):
        po_line = by_no.get(line["line"])
        if po_line is None:
            raise Invalid(f"lines[{i}].line", f"{order.number} has no line {line['line']}")
        if line["line"] in seen:
            raise Invalid(f"lines[{i}].line", f"line {line['line']} is listed twice")
        seen.add(line["line"])
        open_qty = po_line.qty_open - announced.get(line["line"], Decimal(0))
        if line["qty"] > open_qty:
            raise Conflict(
                f"{order.number} line {line['line']}: {line['qty']} shipped but only {open_qty} is open "
                "(ordered, less received and announced)",
                code="over_shipment",
            )
        rows.append(InboundShipmentLine(line_no=line["line"], qty=line["qty"]))
    return rows


def _announced_qty(purchase_order_id: int) -> dict[int, Decimal]:
    """What announced (not yet received) notices of an order carry, per line."""
    stmt = (
        select(InboundShipmentLine.line_no, func.sum(InboundShipmentLine.qty))
        .join(InboundShipment, InboundShipment.id == InboundShipmentLine.shipment_id)
        .where(InboundShipment.purchase_order_id == purchase_order_id, InboundShipment.status == "announced")
        .group_by(InboundShipmentLine.line_no)
    )
    return dict(db.session.execute(stmt).all())


def shipments_query(*, supplier_id: int | None = None, status: str | None = None) -> Select:
    stmt = select(InboundShipment).order_by(InboundShipment.id.desc())
    if supplier_id is not None:
        stmt = stmt.where(InboundShipment.supplier_id == supplier_id)
    if status:
        stmt = stmt.where(InboundShipment.status == status)
    return stmt


def get_shipment(number: str, *, supplier: Supplier | None = None) -> InboundShipment:
    shipment = db.session.scalar(select(InboundShipment).where(InboundShipment.number == number))
    if shipment is None or (supplier is not None and shipment.supplier_id != supplier.id):
        raise NotFound(f"no inbound shipment {number!r}")
    return shipment


def receive_shipment(*, number: str, user_id: int, lines: list[dict] | None = None) -> InboundShipment:
    """Receive an announced shipment into stock (all its lines, or the quantities counted per line)."""
    shipment = lock_document(InboundShipment, number, "inbound shipment")
    if shipment.status != "announced":
        raise InvalidTransition(
            f"cannot receive inbound shipment {number}: it is {shipment.status}",
            current_status=shipment.status,
        )
    counted = {line["line"]: line["qty"] for line in lines} if lines else None
    for line in shipment.lines:
        qty = line.qty if counted is None else counted.get(line.line_no, Decimal(0))
        if qty > 0:
            procurement_service.receive_purchase_order_line(
                number=shipment.purchase_order.number, line_no=line.line_no, qty=qty, user_id=user_id
            )
    if counted is not None:
        unknown = sorted(set(counted) - {line.line_no for line in shipment.lines})
        if unknown:
            raise Invalid("lines", f"{number} has no line {', '.join(map(str, unknown))}")
    shipment.status, shipment.received_at = "received", utcnow()
    db.session.flush()
    return shipment
