"""Purchase orders sent to suppliers and their answers.

A released purchase order is sent to its supplier (`send_purchase_order`, subscribed to
`PurchaseOrderReleased`): its portal lists it and a signed webhook `purchase_order.released` goes to the
supplier's endpoints; cancelled, `purchase_order.cancelled` follows (`withdraw_purchase_order`). The
supplier accepts it (its date and quantities are confirmed), rejects it with a reason, or proposes other
dates and/or quantities, split into deliveries. A planner accepts a proposal (it becomes the confirmed
schedule) or refuses it (the order stays as it was). Each answer and decision is kept. The confirmed
schedule is what the next planning snapshot counts on (`suppliers.receipts`).
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select

from core.db import db, utcnow
from core.errors import Invalid, NotFound
from core.formats import as_number, iso
from core.lifecycle import InvalidTransition, lock_document
from planning.webhooks import service as webhooks_service
from procurement.events import PurchaseOrderCancelled, PurchaseOrderReleased
from procurement.models import OPEN_PO_STATUSES, PurchaseOrder, Supplier
from suppliers.models import ConfirmedDelivery, OrderResponse, SupplierOrder

# decision: (what the supplier has said before, what it says now)
ANSWERS = {
    "accept": (("awaiting",), "accepted"),
    "reject": (("awaiting", "accepted", "confirmed"), "rejected"),
    "propose": (("awaiting", "accepted", "confirmed"), "proposed"),
}


def notify(supplier: Supplier, event_type: str, payload: dict) -> None:
    """A signed webhook event to the supplier's own endpoints (nobody else's)."""
    webhooks_service.emit(
        type=event_type,
        payload=payload,
        order_number=None,
        customer=None,
        channel=None,
        supplier=supplier.code,
    )


def order_payload(order: PurchaseOrder) -> dict:
    return {
        "purchase_order": order.number,
        "supplier": order.supplier.code,
        "location": order.location.code,
        "receive_at": iso(order.receive_at),
        "lines": [{"line": li.line_no, "sku": li.item.sku, "qty": as_number(li.qty)} for li in order.lines],
    }


def send_purchase_order(event: PurchaseOrderReleased) -> None:
    """Put a just released purchase order before its supplier: awaiting its answer, announced by webhook."""
    order = event.order
    state = db.session.get(SupplierOrder, order.id)
    if state is None:
        state = SupplierOrder(purchase_order_id=order.id, supplier_id=order.supplier_id)
        db.session.add(state)
    state.status, state.sent_at = "awaiting", utcnow()
    notify(order.supplier, "purchase_order.released", order_payload(order))


def withdraw_purchase_order(event: PurchaseOrderCancelled) -> None:
    """A released order cancelled: its proposals still pending are refused (nothing is left to decide) and
    the supplier is told by webhook (its portal no longer lists the order)."""
    order = event.order
    pending = select(OrderResponse).where(
        OrderResponse.purchase_order_id == order.id, OrderResponse.status == "pending"
    )
    for response in db.session.scalars(pending):
        response.status, response.decided_at, response.note = "refused", utcnow(), "the order was cancelled"
    notify(order.supplier, "purchase_order.cancelled", order_payload(order))


def order_state(order: PurchaseOrder) -> SupplierOrder:
    """What the supplier has said about `order` (an order released before the portal: awaiting)."""
    state = db.session.get(SupplierOrder, order.id)
    if state is None:
        state = SupplierOrder(purchase_order_id=order.id, supplier_id=order.supplier_id, status="awaiting")
        db.session.add(state)
        db.session.flush()
    return state


def supplier_order(number: str, supplier: Supplier, *, lock: bool = False) -> PurchaseOrder:
    """The supplier's own purchase order `number`; 404 for any other's (its existence is not told)."""
    if lock:
        order = lock_document(PurchaseOrder, number, "purchase order")
    else:
        order = db.session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == number))
    if order is None or order.supplier_id != supplier.id or order.status == "proposed":
        raise NotFound(f"no purchase order {number!r}")
    return order


def _answer(state: SupplierOrder, order: PurchaseOrder, decision: str) -> None:
    allowed, target = ANSWERS[decision]
    if order.status not in OPEN_PO_STATUSES:
        raise InvalidTransition(
            f"cannot {decision} purchase order {order.number}: it is {order.status}",
            current_status=order.status,
        )
    if state.status not in allowed:
        raise InvalidTransition(
            f"cannot {decision} purchase order {order.number}: it is {state.status} "
            f"(needs {' or '.join(allowed)})",
            current_status=state.status,
        )
    state.status, state.answered_at = target, utcnow()


def acknowledge(
    *,
    number: str,
    supplier: Supplier,
    decision: str,
    user_id: int,
    reason: str | None = None,
    deliveries: list[dict] | None = None,
) -> OrderResponse:
    """The supplier's answer to its purchase order: accept, reject (a reason) or propose (deliveries)."""
    order = supplier_order(number, supplier, lock=True)
    state = order_state(order)
    if decision == "reject" and not (reason or "").strip():
        raise Invalid("reason", "required to reject a purchase order")
    if decision == "propose":
        deliveries = _checked_deliveries(order, deliveries or [])
    _answer(state, order, decision)
    state.reason = reason if decision == "reject" else None
    response = OrderResponse(
        purchase_order_id=order.id,
        supplier_id=supplier.id,
        kind=decision,
        status="pending" if decision == "propose" else "recorded",
        reason=reason,
        deliveries=deliveries if decision == "propose" else None,
        created_by_id=user_id,
    )
    db.session.add(response)
    if decision == "accept":
        _confirm(order, state, [_as_ordered(order, line) for line in order.lines])
    db.session.flush()
    return response


def _as_ordered(order: PurchaseOrder, line) -> dict:
    return {"line": line.line_no, "qty": as_number(line.qty), "arrive_at": iso(order.receive_at)}


def _checked_deliveries(order: PurchaseOrder, deliveries: list[dict]) -> list[dict]:
    """A proposal's deliveries as JSON rows; 422 naming a line the order does not have or no delivery."""
    if not deliveries:
        raise Invalid("deliveries", "a proposal needs at least one delivery")
    lines = {line.line_no for line in order.lines}
    rows = []
    for i, delivery in enumerate(deliveries):
        if delivery["line"] not in lines:
            raise Invalid(f"deliveries[{i}].line", f"{order.number} has no line {delivery['line']}")
        rows.append(
            {
                "line": delivery["line"],
                "qty": as_number(delivery["qty"]),
                "arrive_at": iso(delivery["arrive_at"]),
            }
        )
    missing = sorted(lines - {row["line"] for row in rows})
    if missing:
        raise Invalid("deliveries", f"line(s) {', '.join(map(str, missing))} have no delivery")
    return rows


def _confirm(order: PurchaseOrder, state: SupplierOrder, deliveries: list[dict]) -> None:
    """Make `deliveries` the order's confirmed schedule, and note whether and how far it moved the order."""
    db.session.execute(delete(ConfirmedDelivery).where(ConfirmedDelivery.purchase_order_id == order.id))
    schedule = [
        ConfirmedDelivery(
            purchase_order_id=order.id,
            line_no=row["line"],
            qty=Decimal(str(row["qty"])),
            arrive_at=datetime.fromisoformat(row["arrive_at"].replace("Z", "+00:00")),
        )
        for row in deliveries
    ]
    db.session.add_all(schedule)
    as_ordered = {(line.line_no, line.qty, order.receive_at) for line in order.lines}
    state.confirmed = True
    state.rescheduled = len(schedule) != len(as_ordered) or any(
        (d.line_no, d.qty, d.arrive_at) not in as_ordered for d in schedule
    )
    state.moved_hours = (max(d.arrive_at for d in schedule) - order.receive_at).total_seconds() / 3600


def get_response(response_id: int) -> OrderResponse:
    response = db.session.get(OrderResponse, response_id)
    if response is None:
        raise NotFound(f"no supplier response {response_id}")
    return response


def decide_proposal(
    *, response_id: int, accept: bool, user_id: int, note: str | None = None
) -> OrderResponse:
    """A planner's decision on a supplier's proposal: accepted, it is the confirmed schedule; refused, the
    purchase order stays as it was (confirmed as before, or awaiting the supplier's answer)."""
    response = get_response(response_id)
    order = lock_document(PurchaseOrder, response.purchase_order.number, "purchase order")
    state = order_state(order)
    if response.kind != "propose" or response.status != "pending" or state.status != "proposed":
        raise InvalidTransition(
            f"supplier response {response_id} is not a pending proposal ({response.kind}, {response.status})",
            current_status=response.status,
        )
    response.status = "accepted" if accept else "refused"
    response.decided_by_id, response.decided_at, response.note = user_id, utcnow(), note
    if accept:
        _confirm(order, state, response.deliveries)
        state.status = "confirmed"
    else:
        state.status = "accepted" if state.confirmed else "awaiting"
    event = "purchase_order.proposal_accepted" if accept else "purchase_order.proposal_refused"
    notify(order.supplier, event, {**order_payload(order), "response": response.id, "note": note})
    db.session.flush()
    return response


def confirmed_schedule(order: PurchaseOrder) -> list[ConfirmedDelivery]:
    stmt = (
        select(ConfirmedDelivery)
        .where(ConfirmedDelivery.purchase_order_id == order.id)
        .order_by(ConfirmedDelivery.line_no, ConfirmedDelivery.arrive_at)
    )
    return list(db.session.scalars(stmt))


def responses_query(*, status: str | None = None, supplier: str | None = None):
    stmt = select(OrderResponse).order_by(OrderResponse.id.desc())
    if status:
        stmt = stmt.where(OrderResponse.status == status)
    if supplier:
        stmt = stmt.where(OrderResponse.supplier_id == Supplier.id, Supplier.code == supplier)
    return stmt
