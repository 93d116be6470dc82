"""Purchasing services: suppliers and supply offers, purchase orders through their lifecycle, and the
purchasing sections of the planning snapshot.

Receiving is the only purchasing action that moves stock, and it does so through the ledger
(`inventory_service.post_movement`, a `receipt` referencing the PO number). Every transition locks
its purchase order first, so two concurrent transitions of one order apply one after the other.
"""

from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import Select, or_, select

from core import events, records
from core.db import assign_number, db, get_by_key, utcnow, where_given
from core.errors import Conflict, Invalid, NotFound
from core.formats import as_number, iso
from core.lifecycle import Transitions, lock_document, next_status, transition
from inventory import service as inventory_service
from inventory.models import Item, Location
from inventory.units import check_quantity
from procurement.events import PurchaseOrderCancelled, PurchaseOrderReleased
from procurement.models import (
    OPEN_PO_STATUSES,
    SOURCES,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplyOffer,
)


class OverReceipt(Conflict):
    code = "over_receipt"


# -- suppliers -------------------------------------------------------------------------------------


def get_supplier(code: str, *, field: str | None = None) -> Supplier:
    """The supplier with `code`: 404, or 422 on `field` when it is a reference in a payload."""
    supplier = db.session.scalar(select(Supplier).where(Supplier.code == code))
    if supplier is None:
        if field:
            raise Invalid(field, f"unknown supplier {code!r}")
        raise NotFound(f"no supplier {code!r}")
    return supplier


def save_supplier(code: str, fields: dict, *, create: bool | None = None) -> tuple[Supplier, bool]:
    return records.save_by_key(Supplier, Supplier.code, code, fields, create=create, what="supplier")


def suppliers_query(*, q: str | None = None, active: bool | None = None) -> Select:
    stmt = select(Supplier).order_by(Supplier.code)
    if q:
        stmt = stmt.where(or_(Supplier.code.ilike(f"%{q}%"), Supplier.name.ilike(f"%{q}%")))
    if active is not None:
        stmt = stmt.where(Supplier.active == active)
    return stmt


# -- supply offers ---------------------------------------------------------------------------------


def offers_query(
    *,
    supplier: str | None = None,
    sku: str | None = None,
    location: str | None = None,
    valid_at: datetime | None = None,
) -> Select:
    """Offers filtered by supplier, sku, location and validity at an instant."""
    stmt = select(SupplyOffer).join(SupplyOffer.supplier).join(SupplyOffer.item).join(SupplyOffer.location)
    stmt = stmt.order_by(Supplier.code, Item.sku, Location.code)
    if supplier:
        stmt = stmt.where(Supplier.code == supplier)
    if sku:
        stmt = stmt.where(Item.sku == sku)
    if location:
        stmt = stmt.where(Location.code == location)
    if valid_at:
        stmt = stmt.where(_valid_at(valid_at))
    return stmt


def _valid_at(at: datetime):
    return (SupplyOffer.valid_from.is_(None) | (SupplyOffer.valid_from <= at)) & (
        SupplyOffer.valid_to.is_(None) | (SupplyOffer.valid_to > at)
    )


def get_offer(offer_id: int) -> SupplyOffer:
    offer = db.session.get(SupplyOffer, offer_id)
    if offer is None:
        raise NotFound(f"no supply offer {offer_id}")
    return offer


def save_offer(
    *, supplier: str, sku: str, location: str, fields: dict, create: bool | None = None
) -> tuple[SupplyOffer, bool]:
    """Create or update the offer of `supplier` for `sku` at `location`; return (offer, created)."""
    keys = {
        "supplier": get_supplier(supplier, field="supplier"),
        "item": inventory_service.get_item(sku, field="sku"),
        "location": inventory_service.get_location(location, field="location"),
    }
    offer = db.session.scalar(select(SupplyOffer).filter_by(**{f"{k}_id": v.id for k, v in keys.items()}))
    if offer is not None and create:
        raise Conflict(
            f"{supplier} already offers {sku} at {location} (offer {offer.id})", code="offer_exists"
        )
    created = offer is None
    if created:
        offer = SupplyOffer(**keys)
        db.session.add(offer)
    return update_offer(offer, fields), created


def update_offer(offer: SupplyOffer, fields: dict) -> SupplyOffer:
    """Change an offer's terms (not its supplier, sku or location), keeping its validity window sound."""
    for name, value in fields.items():
        setattr(offer, name, value)
    if offer.valid_from and offer.valid_to and offer.valid_to <= offer.valid_from:
        raise Invalid("valid_to", "must be after valid_from")
    db.session.flush()
    return offer


def upsert_offers(rows: list[dict]) -> dict:
    """Bulk upsert offers keyed by (supplier, sku, location); return the counts created and updated."""
    return records.upsert_many(save_offer, ("supplier", "sku", "location"), rows)


def delete_offer(offer_id: int) -> None:
    records.delete_unused(get_offer(offer_id), f"supply offer {offer_id}")


def offer_for(supplier: Supplier, item: Item, location: Location, *, at: datetime) -> SupplyOffer | None:
    stmt = select(SupplyOffer).where(
        SupplyOffer.supplier_id == supplier.id,
        SupplyOffer.item_id == item.id,
        SupplyOffer.location_id == location.id,
        _valid_at(at),
    )
    return db.session.scalar(stmt)


# -- purchase orders -------------------------------------------------------------------------------


def create_purchase_order(
    *,
    supplier: str,
    location: str,
    lines: list[dict],
    receive_at: datetime,
    user_id: int,
    source: str = "manual",
    plan_ref: str | None = None,
    status: str = "released",
) -> PurchaseOrder:
    """Create a purchase order (`proposed` or `released`); a line's unit cost defaults to the offer's."""
    if status not in ("proposed", "released"):
        raise Invalid("status", "a new purchase order is proposed or released")
    if source not in SOURCES:
        raise Invalid("source", f"must be one of {', '.join(SOURCES)}")
    if not lines:
        raise Invalid("lines", "a purchase order needs at least one line")
    now = utcnow()
    order = PurchaseOrder(
        supplier=get_supplier(supplier, field="supplier"),
        location=inventory_service.get_location(location, field="location"),
        status=status,
        source=source,
        plan_ref=plan_ref,
        ordered_at=now,
        receive_at=receive_at,
        released_at=now if status == "released" else None,
        created_by_id=user_id,
    )
    order.lines = [_new_line(order, i, line, now) for i, line in enumerate(lines)]
    assign_number(order, "PO-")
    if status == "released":
        events.publish(PurchaseOrderReleased(order))
    return order


def _new_line(order: PurchaseOrder, index: int, line: dict, now: datetime) -> PurchaseOrderLine:
    item = inventory_service.get_item(line["sku"], field=f"lines[{index}].sku")
    check_quantity(item, line["qty"], f"lines[{index}].quantity")
    unit_cost = line.get("unit_cost")
    if unit_cost is None:
        offer = offer_for(order.supplier, item, order.location, at=now)
        if offer is None:
            raise Invalid(
                f"lines[{index}].unit_cost",
                f"required: {order.supplier.code} has no valid offer for {item.sku} at {order.location.code}",
            )
        unit_cost = offer.unit_cost
    return PurchaseOrderLine(
        line_no=index + 1, item=item, qty=line["qty"], qty_received=0, unit_cost=unit_cost
    )


def purchase_orders_query(
    *,
    status: str | None = None,
    supplier: str | None = None,
    sku: str | None = None,
    location: str | None = None,
) -> Select:
    """Purchase orders, newest first, filtered by status, supplier, sku on a line and location."""
    return where_given(
        select(PurchaseOrder).order_by(PurchaseOrder.id.desc()),
        (status, lambda v: PurchaseOrder.status == v),
        (supplier, lambda v: PurchaseOrder.supplier.has(Supplier.code == v)),
        (location, lambda v: PurchaseOrder.location.has(Location.code == v)),
        (sku, lambda v: PurchaseOrder.lines.any(PurchaseOrderLine.item.has(Item.sku == v))),
    )


TRANSITIONS: Transitions = {
    # action: (statuses it starts from, status it leads to; None: received or partially, by what is in)
    "release": (("proposed",), "released"),
    "cancel": (("proposed", "released"), "cancelled"),
    "receive": (OPEN_PO_STATUSES, None),
}


def get_purchase_order(number: str) -> PurchaseOrder:
    return get_by_key(PurchaseOrder, PurchaseOrder.number, number, what="purchase order")


def release_purchase_order(*, number: str) -> PurchaseOrder:
    """proposed → released: the order is placed with the supplier."""
    order = lock_document(PurchaseOrder, number, "purchase order")
    transition(order, TRANSITIONS, "release", "purchase order")
    order.released_at = utcnow()
    db.session.flush()
    events.publish(PurchaseOrderReleased(order))
    return order


def cancel_purchase_order(*, number: str) -> PurchaseOrder:
    """proposed or released (nothing received yet) → cancelled; a released one's supplier is told."""
    order = lock_document(PurchaseOrder, number, "purchase order")
    released = order.status == "released"
    transition(order, TRANSITIONS, "cancel", "purchase order")
    order.closed_at = utcnow()
    if released:
        events.publish(PurchaseOrderCancelled(order))
    db.session.flush()
    return order


def receive_purchase_order_line(*, number: str, line_no: int, qty: Decimal, user_id: int) -> PurchaseOrder:
    """Receive `qty` of one line into stock (a ledger receipt); the order becomes partially received
    or, when every line is in, received. More than ordered plus the tolerance is refused (409)."""
    order = lock_document(PurchaseOrder, number, "purchase order")
    next_status(order, TRANSITIONS, "receive", "purchase order")
    line = next((li for li in order.lines if li.line_no == line_no), None)
    if line is None:
        raise NotFound(f"{number} has no line {line_no}")
    _check_over_receipt(order, line, qty)
    inventory_service.post_movement(
        user_id=user_id,
        kind="receipt",
        sku=line.item.sku,
        location=order.location.code,
        quantity=qty,
        reason=f"{number} line {line_no}",
        reference_type="purchase_order",
        reference=number,
    )
    line.qty_received += qty
    done = all(li.qty_received >= li.qty for li in order.lines)
    order.status = "received" if done else "partially_received"
    order.closed_at = utcnow() if done else None
    db.session.flush()
    return order


def line_to_receive(number: str, sku: str) -> int:
    """The line of purchase order `number` a scanned `sku` is received on: its first line of that sku
    still short of its quantity, else its last line of it (over-receipt is then checked as usual)."""
    order = get_by_key(PurchaseOrder, PurchaseOrder.number, number, what="purchase order", field="number")
    lines = [line for line in order.lines if line.item.sku == sku]
    if not lines:
        raise Invalid("sku", f"{number} has no line of {sku}")
    open_lines = [line for line in lines if line.qty_received < line.qty]
    return (open_lines or lines[-1:])[0].line_no


def over_receipt_tolerance() -> Decimal:
    """The fraction of a line's quantity that may be received beyond it (config PO_OVER_RECEIPT_TOLERANCE)."""
    return Decimal(str(current_app.config.get("PO_OVER_RECEIPT_TOLERANCE", 0.0)))


def _check_over_receipt(order: PurchaseOrder, line: PurchaseOrderLine, qty: Decimal) -> None:
    tolerance = over_receipt_tolerance()
    limit = line.qty * (1 + tolerance)
    if line.qty_received + qty > limit:
        raise OverReceipt(
            f"{order.number} line {line.line_no}: {line.qty_received} of {line.qty} received, "
            f"{qty} more exceeds the limit {limit.normalize():f}",
            ordered=as_number(line.qty),
            received=as_number(line.qty_received),
            tolerance=float(tolerance),
        )


# -- the planning snapshot (contract supply-plan/1) ------------------------------------------------


def snapshot_suppliers() -> list[dict]:
    """Active suppliers as contract `suppliers` rows."""
    stmt = select(Supplier).where(Supplier.active.is_(True)).order_by(Supplier.code)
    return [{"code": s.code, "name": s.name} for s in db.session.scalars(stmt)]


def snapshot_offers(*, at: datetime) -> list[dict]:
    """Offers valid at `at` from active suppliers for active items and locations (`supply_offers`)."""
    stmt = offers_query(valid_at=at).where(
        Supplier.active.is_(True), Item.active.is_(True), Location.active.is_(True)
    )
    return [
        {
            "supplier": o.supplier.code,
            "sku": o.item.sku,
            "location": o.location.code,
            "lead_time_hours": as_number(o.lead_time_hours),
            "unit_cost": as_number(o.unit_cost),
            "order_cost": as_number(o.order_cost),
            "min_qty": as_number(o.min_qty),
            "multiple": as_number(o.multiple),
            "capacity_per_day": as_number(o.capacity_per_day),
        }
        for o in db.session.scalars(stmt)
    ]


def snapshot_receipts(*, at: datetime) -> list[dict]:
    """What is still to come on every open purchase order line, as contract `receipts` rows.

    Every open line is listed whatever `at` is: the contract counts an overdue one from plan start.
    One query of plain columns: a company with hundreds of thousands of open lines loads no objects.
    """
    stmt = (
        select(
            PurchaseOrder.number,
            PurchaseOrderLine.line_no,
            Item.sku,
            Location.code,
            PurchaseOrderLine.qty - PurchaseOrderLine.qty_received,
            PurchaseOrder.receive_at,
        )
        .join(PurchaseOrderLine.purchase_order)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .join(Location, Location.id == PurchaseOrder.location_id)
        .where(
            PurchaseOrder.status.in_(OPEN_PO_STATUSES), PurchaseOrderLine.qty_received < PurchaseOrderLine.qty
        )
        .order_by(PurchaseOrder.id, PurchaseOrderLine.line_no)
    )
    return [
        {
            "ref": f"{number}/{line_no}",
            "sku": sku,
            "location": location,
            "qty": as_number(open_qty),
            "arrive_at": iso(receive_at),
        }
        for number, line_no, sku, location, open_qty, receive_at in db.session.execute(stmt)
    ]
