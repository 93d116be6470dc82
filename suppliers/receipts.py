"""What the suppliers have said, applied to the purchase receipts of a planning snapshot.

For each open purchase order line (a receipt `PO-…/<line>` as procurement lists it):
- goods announced on an advance ship notice arrive when the notice says (`<ref>@<notice>`);
- the rest arrives as the supplier confirmed it: its confirmed deliveries, less what was already received
  or shipped (taken from the earliest first), each a receipt (`<ref>`, then `<ref>#2`, ...);
- an order its supplier has not confirmed keeps its own date (the offer's lead time) and is flagged
  `"unconfirmed": true`; an order its supplier rejected brings nothing.
Three queries, whatever the number of orders, and only the orders rescheduled or shipped are worked on row
by row: the snapshot of a company with hundreds of thousands of open orders stays fast.
"""

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select

from core.db import db
from core.formats import as_number, iso
from procurement.models import OPEN_PO_STATUSES, PurchaseOrder, PurchaseOrderLine
from suppliers.models import ConfirmedDelivery, InboundShipment, InboundShipmentLine, SupplierOrder


def apply_supplier_answers(rows: list[dict]) -> list[dict]:
    """The purchase receipts `rows` rewritten by the suppliers' confirmations, dispatches and rejections."""
    confirmed, rejected = _answered_orders()
    schedules = _rescheduled()
    shipped = _announced_shipments()
    worked_on = {number for number, _ in schedules} | {number for number, _ in shipped} | rejected
    adjusted = []
    for row in rows:
        number, _, line = row["ref"].partition("/")
        if number in worked_on:
            if number not in rejected:
                key = (number, int(line))
                adjusted += line_receipts(row, schedules.get(key), shipped.get(key, []), number in confirmed)
        else:  # the common cases stay cheap: flagged as it is, or left as it is
            if number not in confirmed:
                row["unconfirmed"] = True
            adjusted.append(row)
    return adjusted


def line_receipts(row: dict, schedule, shipments: list, confirmed: bool) -> list[dict]:
    """One purchase receipt `row` as the receipts it becomes: shipped goods at their notices' arrival, the
    rest on the confirmed `schedule` (quantity received, [(qty, arrive_at)]) or at the row's own date."""
    open_qty = Decimal(str(row["qty"]))
    receipts = []
    in_transit = Decimal(0)
    for notice, qty, arrive_at in shipments:
        qty = min(qty, open_qty - in_transit)
        if qty > 0:
            in_transit += qty
            receipts.append(
                row | {"ref": f"{row['ref']}@{notice}", "qty": as_number(qty), "arrive_at": iso(arrive_at)}
            )
    if (
        schedule is None
    ):  # confirmed as ordered, or never confirmed (a proposal changes nothing until accepted)
        rest = open_qty - in_transit
        if rest > 0:
            receipts.append(row | {"qty": as_number(rest)} | ({} if confirmed else {"unconfirmed": True}))
        return receipts
    received, deliveries = schedule
    done = received + in_transit  # taken from the earliest confirmed deliveries first
    count = 0
    for qty, arrive_at in deliveries:
        taken = min(qty, done)
        done -= taken
        if qty - taken > 0:
            count += 1
            ref = row["ref"] if count == 1 else f"{row['ref']}#{count}"
            receipts.append(row | {"ref": ref, "qty": as_number(qty - taken), "arrive_at": iso(arrive_at)})
    return receipts


def _rows(stmt):
    """Plain rows of a read, in the session's transaction (no ORM processing: hundreds of thousands)."""
    return db.session.connection().execute(stmt)


def _answered_orders() -> tuple[set[str], set[str]]:
    """The numbers of the open orders their suppliers confirmed, and of those they rejected."""
    stmt = (
        select(PurchaseOrder.number, SupplierOrder.status)
        .join(SupplierOrder, SupplierOrder.purchase_order_id == PurchaseOrder.id)
        .where(
            PurchaseOrder.status.in_(OPEN_PO_STATUSES),
            SupplierOrder.confirmed.is_(True) | (SupplierOrder.status == "rejected"),
        )
    )
    confirmed, rejected = set(), set()
    for number, status in _rows(stmt):
        (rejected if status == "rejected" else confirmed).add(number)
    return confirmed, rejected


def _rescheduled() -> dict[tuple[str, int], tuple[Decimal, list]]:
    """(number, line) → (quantity received, [(qty, arrive_at)] in time order) of the open orders whose
    confirmed schedule is not the order's own (split, moved, another quantity)."""
    stmt = (
        select(
            PurchaseOrder.number,
            ConfirmedDelivery.line_no,
            PurchaseOrderLine.qty_received,
            ConfirmedDelivery.qty,
            ConfirmedDelivery.arrive_at,
        )
        .select_from(SupplierOrder)
        .join(ConfirmedDelivery, ConfirmedDelivery.purchase_order_id == SupplierOrder.purchase_order_id)
        .join(PurchaseOrder, PurchaseOrder.id == SupplierOrder.purchase_order_id)
        .join(
            PurchaseOrderLine,
            (PurchaseOrderLine.purchase_order_id == PurchaseOrder.id)
            & (PurchaseOrderLine.line_no == ConfirmedDelivery.line_no),
        )
        .where(SupplierOrder.rescheduled, PurchaseOrder.status.in_(OPEN_PO_STATUSES))
        .order_by(ConfirmedDelivery.arrive_at, ConfirmedDelivery.id)
    )
    schedules: dict = {}
    for number, line, received, qty, arrive_at in _rows(stmt):
        schedules.setdefault((number, line), (received, []))[1].append((qty, arrive_at))
    return schedules


def _announced_shipments() -> dict[tuple[str, int], list]:
    """(number, line) → [(notice number, qty, arrive_at)] dispatched and not yet received."""
    stmt = (
        select(
            PurchaseOrder.number,
            InboundShipmentLine.line_no,
            InboundShipment.number,
            InboundShipmentLine.qty,
            InboundShipment.arrive_at,
        )
        .join(InboundShipment, InboundShipment.id == InboundShipmentLine.shipment_id)
        .join(PurchaseOrder, PurchaseOrder.id == InboundShipment.purchase_order_id)
        .where(InboundShipment.status == "announced", PurchaseOrder.status.in_(OPEN_PO_STATUSES))
        .order_by(InboundShipment.arrive_at, InboundShipment.id)
    )
    shipped = defaultdict(list)
    for number, line, notice, qty, arrive_at in _rows(stmt):
        shipped[(number, line)].append((notice, qty, arrive_at))
    return shipped
