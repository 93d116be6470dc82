"""Customer order services: customers, orders and their lifecycle, and the promises given for them.

An order moves `pending → accepted → confirmed | unconfirmed → shipped → closed`, or to `cancelled`
from any status before `shipped`. Only accepted orders are planned (statuses in `PLANNED_STATUSES`);
a planning run records a confirmation, which sets the order's latest promise and its status.
"""

from datetime import datetime
from decimal import Decimal
from uuid import uuid4

from flask import current_app
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from core import records
from core.db import assign_number, contains_word, db, get_by_key, search_terms, utcnow
from core.errors import Conflict, Invalid, NotFound
from core.lifecycle import InvalidTransition, Transitions, lock_document, next_status, transition
from inventory import service as inventory_service
from inventory.models import Item, Region
from inventory.units import check_quantity
from orders import events
from orders.models import (
    PLANNED_STATUSES,
    ConfirmationDelivery,
    ConfirmationLine,
    Customer,
    CustomerOrder,
    OrderConfirmation,
    OrderLine,
)
from orders.priorities import priorities

EDITABLE_STATUSES = ("pending", "accepted")
TRANSITIONS: Transitions = {
    # action: (statuses it starts from, status it leads to)
    "accept": (("pending",), "accepted"),
    "cancel": (("pending", "accepted", "confirmed", "unconfirmed"), "cancelled"),
    "ship": (PLANNED_STATUSES, "shipped"),
    "close": (("shipped",), "closed"),
}


# -- customers -------------------------------------------------------------------------------------


def save_customer(code: str, fields: dict, *, create: bool | None = None) -> tuple[Customer, bool]:
    """Create or update a customer by code (`region_code`: its default ship-to); return (row, created)."""
    fields = dict(fields)
    if "region_code" in fields:
        region = fields.pop("region_code")
        fields["region"] = inventory_service.get_region(region, field="region") if region else None
    return records.save_by_key(Customer, Customer.code, code, fields, create=create, what="customer")


def get_customer(code: str, *, field: str | None = None) -> Customer:
    return get_by_key(Customer, Customer.code, code, what="customer", field=field)


def customers_query(
    *, q: str | None = None, channel: str | None = None, active: bool | None = None
) -> Select:
    stmt = select(Customer).order_by(Customer.code)
    if q:
        stmt = stmt.where(or_(Customer.code.ilike(f"%{q}%"), Customer.name.ilike(f"%{q}%")))
    if channel:
        stmt = stmt.where(Customer.channel == channel)
    if active is not None:
        stmt = stmt.where(Customer.active == active)
    return stmt


# -- orders ------------------------------------------------------------------------------------------


def get_order(number: str, *, field: str | None = None) -> CustomerOrder:
    return get_by_key(CustomerOrder, CustomerOrder.number, number, what="order", field=field)


def lock_order(number: str) -> CustomerOrder:
    """The order `number`, its row locked until the transaction ends (concurrent changes wait)."""
    return lock_document(CustomerOrder, number, "order")


def orders_query(
    *,
    status: str | None = None,
    customer: str | None = None,
    region: str | None = None,
    channel: str | None = None,
    requested_from: datetime | None = None,
    requested_to: datetime | None = None,
    planned: bool | None = None,
    late: bool | None = None,
    sku: str | None = None,
    q: str | None = None,
) -> Select:
    """Orders by status, customer, region, channel, requested time, lateness (promised after requested),
    an item on one of their lines and words of their number or customer (`q`); ordered by number."""
    stmt = (
        select(CustomerOrder)
        .outerjoin(CustomerOrder.customer)  # outer: a count or a page of keys leaves them out when unused
        .outerjoin(CustomerOrder.region)
        .options(
            contains_eager(CustomerOrder.customer),
            contains_eager(CustomerOrder.region),
            selectinload(CustomerOrder.lines),
        )
        .order_by(CustomerOrder.number)
    )
    if status:
        stmt = stmt.where(CustomerOrder.status == status)
    if planned is not None:
        in_plan = CustomerOrder.status.in_(PLANNED_STATUSES)
        stmt = stmt.where(in_plan if planned else ~in_plan)
    if customer:
        stmt = stmt.where(Customer.code == customer)
    if region:
        stmt = stmt.where(Region.code == region)
    if channel:
        stmt = stmt.where(CustomerOrder.channel == channel)
    if requested_from:
        stmt = stmt.where(CustomerOrder.requested_at >= requested_from)
    if requested_to:
        stmt = stmt.where(CustomerOrder.requested_at <= requested_to)
    if late is not None:
        is_late = CustomerOrder.promised_at > CustomerOrder.requested_at
        stmt = stmt.where(is_late if late else ~is_late | CustomerOrder.promised_at.is_(None))
    if sku:
        item = select(Item.id).where(Item.sku == sku).scalar_subquery()
        stmt = stmt.where(CustomerOrder.lines.any(OrderLine.item_id == item))
    for word in search_terms(q or ""):  # each word in the number or the customer's code (no join needed)
        customers = select(Customer.id).where(contains_word(Customer.code, word))
        stmt = stmt.where(
            or_(contains_word(CustomerOrder.number, word), CustomerOrder.customer_id.in_(customers))
        )
    return stmt


def _order_lines(lines: list[dict]) -> list[OrderLine]:
    if not lines:
        raise Invalid("lines", "an order needs at least one line")
    ids = [str(spec.get("line") or i) for i, spec in enumerate(lines, start=1)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise Invalid("lines", f"line id(s) listed more than once: {', '.join(duplicates)}")
    return [_order_line(i, line_id, spec) for i, (line_id, spec) in enumerate(zip(ids, lines, strict=True))]


def _order_line(i: int, line_id: str, spec: dict) -> OrderLine:
    item = inventory_service.get_item(spec["sku"], field=f"lines[{i}].sku")
    check_quantity(item, spec["quantity"], f"lines[{i}].quantity")
    return OrderLine(line=line_id, item=item, quantity=spec["quantity"])


def _order_fields(order: CustomerOrder, fields: dict) -> None:
    fields = dict(fields)
    if "customer_code" in fields:
        order.customer = get_customer(fields.pop("customer_code"), field="customer")
    if fields.get("region_code"):
        order.region = inventory_service.get_region(fields.pop("region_code"), field="region")
    fields.pop("region_code", None)
    if "lines" in fields:
        _replace_lines(order, _order_lines(fields.pop("lines")))
    if "priority" in fields and fields["priority"] not in priorities(current_app.config):
        raise Invalid("priority", f"must be one of {priorities(current_app.config)} (the policy's weights)")
    for name, value in fields.items():
        setattr(order, name, value)
    order.channel = order.channel or order.customer.channel
    if order.region is None:
        if order.customer.region is None:
            raise Invalid("region", "required: the customer has no default region")
        order.region = order.customer.region


def _replace_lines(order: CustomerOrder, lines: list[OrderLine]) -> None:
    if any(ol.shipped_quantity > 0 for ol in order.lines):
        raise InvalidTransition(f"order {order.number} has delivered goods; its lines can no longer change")
    if order.id is not None:  # old lines go first: the new ones may reuse their line ids
        order.lines.clear()
        db.session.flush()
    order.lines = lines


def save_order(number: str, fields: dict, *, create: bool | None = None) -> tuple[CustomerOrder, bool]:
    """Create (pending) or update an order by number; only pending and accepted orders can change."""
    stmt = select(CustomerOrder).where(CustomerOrder.number == number).with_for_update(of=CustomerOrder)
    order = db.session.scalar(stmt.execution_options(populate_existing=True))
    if order is not None and create is True:
        raise Conflict(f"order {number!r} exists", code="order_exists")
    if order is None and create is False:
        raise NotFound(f"no order {number!r}")
    if order is not None and order.status not in EDITABLE_STATUSES:
        raise InvalidTransition(f"order {number} is {order.status}; only pending or accepted orders change")
    created = order is None
    if created:
        for name, field in (
            ("customer_code", "customer"),
            ("lines", "lines"),
            ("requested_at", "requested_at"),
        ):
            if not fields.get(name):
                raise Invalid(field, "required for a new order")
        order = CustomerOrder(
            number=number, status="pending", created_at=fields.get("created_at") or utcnow()
        )
    _order_fields(order, {k: v for k, v in fields.items() if k != "created_at"})
    db.session.add(order)
    db.session.flush()
    return order, created


def create_order(*, number: str | None = None, **fields) -> CustomerOrder:
    """Create a pending order (numbered `SO-…` when no number is given)."""
    order = save_order(number or f"new-{uuid4().hex[:27]}", fields, create=True)[0]
    if number is None:
        assign_number(order, "SO-")
    return order


def upsert_orders(rows: list[dict]) -> dict:
    return records.upsert_many(save_order, "number", rows)


def transition_order(order: CustomerOrder, action: str) -> CustomerOrder:
    """Apply a lifecycle action to an order, or 409 (and change nothing) if its status forbids it."""
    transition(order, TRANSITIONS, action, "order")
    db.session.flush()
    return order


def accept_order(*, number: str) -> CustomerOrder:
    return transition_order(lock_order(number), "accept")


def close_order(*, number: str) -> CustomerOrder:
    return transition_order(lock_order(number), "close")


def cancel_order(*, number: str) -> CustomerOrder:
    """Cancel an order before it ships; `OrderCancelled`'s handlers react first and may refuse (logistics
    cancels the order's planned and released deliveries, or refuses with a 409 once goods are on the road)."""
    order = lock_order(number)
    next_status(order, TRANSITIONS, "cancel", "order")
    events.publish(events.OrderCancelled(order=order))
    return transition_order(order, "cancel")


def ship_order_line(*, order: CustomerOrder, line: str | None, sku: str, quantity: Decimal) -> OrderLine:
    """Count `quantity` delivered against the order line `line` (or the first open line of `sku`)."""
    candidates = [ol for ol in order.lines if (ol.line == line if line else ol.item.sku == sku)]
    if not candidates:
        raise Invalid("lines", f"order {order.number} has no line {line or sku!r}")
    target = next((ol for ol in candidates if ol.open_quantity > 0), candidates[-1])
    target.shipped_quantity += quantity
    return target


def mark_shipped_if_complete(*, order: CustomerOrder) -> bool:
    """Set a planned order to shipped once every line is delivered in full; return whether it is."""
    if order.status in PLANNED_STATUSES and all(ol.open_quantity == 0 for ol in order.lines):
        transition_order(order, "ship")
        return True
    return False


# -- confirmations -----------------------------------------------------------------------------------


def _confirmation_line(order: CustomerOrder, i: int, spec: dict) -> ConfirmationLine:
    where = f"lines[{i}]"
    if str(spec["line"]) not in {ol.line for ol in order.lines}:
        raise Invalid(f"{where}.line", f"order {order.number} has no line {spec['line']!r}")
    deliveries = [
        ConfirmationDelivery(
            quantity=Decimal(str(d["qty"])),
            from_location=inventory_service.get_location(d["from"], field=f"{where}.deliveries[{j}].from"),
            mode=d["mode"],
            depart_at=d["depart_at"],
            arrive_at=d["arrive_at"],
        )
        for j, d in enumerate(spec.get("deliveries") or [])
    ]
    return ConfirmationLine(
        line=str(spec["line"]),
        item=inventory_service.get_item(spec["sku"], field=f"{where}.sku"),
        quantity=Decimal(str(spec["qty"])),
        deliveries=deliveries,
    )


def record_confirmation(
    *,
    order: CustomerOrder | str,
    status: str,
    promised_at: datetime | None,
    lines: list[dict],
    reason: str = "",
    explanation: str = "",
    run_ref: str | None = None,
) -> OrderConfirmation:
    """Append a promise to the order's history and make it the current one (status confirmed/unconfirmed)."""
    order = lock_order(order if isinstance(order, str) else order.number)
    if order.status not in PLANNED_STATUSES:
        raise InvalidTransition(f"order {order.number} is {order.status}; only accepted orders are promised")
    if status == "confirmed" and (promised_at is None or not lines):
        raise Invalid("promised_at", "a confirmed order needs a promised time and its lines")
    if status == "unconfirmed" and (promised_at is not None or lines):
        raise Invalid("promised_at", "an unconfirmed order has no promised time and no deliveries")
    if status not in ("confirmed", "unconfirmed"):
        raise Invalid("status", "must be confirmed or unconfirmed")
    confirmation = OrderConfirmation(
        sequence=len(order.confirmations) + 1,
        status=status,
        promised_at=promised_at,
        reason=reason or "",
        explanation=explanation or "",
        run_ref=run_ref,
        created_at=utcnow(),
        lines=[_confirmation_line(order, i, spec) for i, spec in enumerate(lines)],
    )
    order.confirmations.append(confirmation)
    order.status, order.promised_at = status, promised_at
    db.session.flush()
    return confirmation


def latest_confirmation(*, number: str) -> OrderConfirmation:
    confirmation = get_order(number).latest_confirmation
    if confirmation is None:
        raise NotFound(f"order {number} has no confirmation yet")
    return confirmation
