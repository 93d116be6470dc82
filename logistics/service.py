"""Shipment services: shipments with their lifecycle `planned → released → in_transit →
delivered` (or `cancelled`).

Stock moves only through the inventory ledger, once per step:
- release reserves each line at the origin (transfer, delivery); 409 and nothing reserved if short;
- dispatch releases that reservation and issues the goods at the origin: from then on they are in
  transit, on no location's balance;
- deliver receives a transfer's goods at its destination, and counts a delivery's goods as shipped on
  its order (the order is shipped once all its deliveries are delivered and every line is complete);
- cancel (planned or released) releases the reservation.
Inbound shipments (supplier → location, for a purchase order) only track the goods: the purchase
order's receipt moves the stock, so that it is counted once.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from core.db import assign_number, db, get_by_key, utcnow
from core.errors import Conflict, Invalid
from core.lifecycle import InvalidTransition, Transitions, lock_document, transition
from inventory import service as inventory_service
from inventory.models import Item, Location
from inventory.movements import MovementSpec
from inventory.units import check_quantity
from logistics import lanes as lane_service
from logistics.models import Lane, Shipment, ShipmentEvent, ShipmentLine
from orders import service as orders_service
from orders.events import OrderCancelled
from orders.models import PLANNED_STATUSES, CustomerOrder

TRANSITIONS: Transitions = {
    # action: (statuses it starts from, status it leads to)
    "release": (("planned",), "released"),
    "dispatch": (("released",), "in_transit"),
    "deliver": (("in_transit",), "delivered"),
    "cancel": (("planned", "released"), "cancelled"),
}
OPEN_STATUSES = ("planned", "released", "in_transit")
UNDERWAY = ("released", "in_transit")
STOCK_MOVING_KINDS = ("transfer", "delivery")


def get_shipment(number: str, *, lock: bool = False) -> Shipment:
    """The shipment `number` (404 if none); with `lock`, its row is locked until the transaction ends."""
    if lock:  # two concurrent steps on one shipment: the second waits, then sees the new status
        return lock_document(Shipment, number, "shipment")
    return get_by_key(Shipment, Shipment.number, number, what="shipment")


def shipments_query(
    *,
    kind: str | None = None,
    status: str | None = None,
    from_code: str | None = None,
    to: str | None = None,
    order: str | None = None,
    purchase_order: str | None = None,
    sku: str | None = None,
    source: str | None = None,
) -> Select:
    """Shipments by kind, status, origin, destination, order, purchase order, sku and source."""
    stmt = select(Shipment).options(selectinload(Shipment.lines)).order_by(Shipment.id)
    for column, value in ((Shipment.kind, kind), (Shipment.status, status), (Shipment.source, source)):
        if value:
            stmt = stmt.where(column == value)
    if purchase_order:
        stmt = stmt.where(Shipment.purchase_order == purchase_order)
    if from_code:
        stmt = stmt.where(or_(Shipment.from_location.has(code=from_code), Shipment.supplier == from_code))
    if to:
        stmt = stmt.where(or_(Shipment.to_location.has(code=to), Shipment.to_region.has(code=to)))
    if order:
        stmt = stmt.where(Shipment.order.has(number=order))
    if sku:
        stmt = stmt.where(Shipment.lines.any(ShipmentLine.item.has(Item.sku == sku)))
    return stmt


def _shipment_lines(specs: list[dict], order: CustomerOrder | None) -> list[ShipmentLine]:
    if not specs:
        raise Invalid("lines", "a shipment needs at least one line")
    lines = []
    for i, spec in enumerate(specs):
        item = inventory_service.get_item(spec["sku"], field=f"lines[{i}].sku")
        check_quantity(item, spec["quantity"], f"lines[{i}].quantity")
        order_line = spec.get("order_line")
        if order_line is not None:
            match = order and next((ol for ol in order.lines if ol.line == str(order_line)), None)
            if not match or match.item.id != item.id:
                raise Invalid(f"lines[{i}].order_line", f"no order line {order_line!r} for {item.sku}")
        lines.append(ShipmentLine(line=i + 1, item=item, quantity=spec["quantity"], order_line=order_line))
    return lines


def _route(shipment: Shipment, *, kind: str, lane: Lane | None, spec: dict) -> None:
    """Set where a shipment goes: its lane's ends and mode, or (inbound) the supplier and location."""
    if kind == "inbound":
        shipment.supplier = spec.get("supplier")
        shipment.to_location = inventory_service.get_location(spec.get("to") or "", field="to")
        shipment.mode = spec.get("mode")
        return
    if lane is None:
        raise Invalid("lane", f"a {kind} travels on a lane (from, to, mode)")
    if (kind == "transfer") != (lane.to_location is not None):
        raise Invalid("to", "a transfer goes to a location, a delivery to a customer region")
    shipment.lane, shipment.mode = lane, lane.mode
    shipment.from_location, shipment.to_location, shipment.to_region = (
        lane.from_location,
        lane.to_location,
        lane.to_region,
    )


def _order_for(kind: str, order: CustomerOrder | str | None, lane: Lane | None) -> CustomerOrder | None:
    if kind != "delivery":
        if order is not None:
            raise Invalid("order", "only a delivery is for a customer order")
        return None
    if order is None:
        raise Invalid("order", "a delivery is for a customer order")
    order = orders_service.get_order(order, field="order") if isinstance(order, str) else order
    if order.status not in PLANNED_STATUSES:
        raise InvalidTransition(f"order {order.number} is {order.status}; deliveries need an accepted order")
    if lane is not None and lane.to_region is not None and lane.to_region.id != order.region.id:
        raise Invalid("to", f"order {order.number} ships to {order.region.code}, not {lane.to_region.code}")
    return order


def _check_lane_valid(lane: Lane | None, at: datetime) -> None:
    if lane is None:
        return
    if (lane.valid_from and at < lane.valid_from) or (lane.valid_to and at >= lane.valid_to):
        raise Invalid(
            "depart_at", f"the lane {lane.from_code} → {lane.to_code} by {lane.mode} is not valid then"
        )


def create_shipment(
    *,
    kind: str,
    lines: list[dict],
    user_id: int,
    lane: Lane | None = None,
    order: CustomerOrder | str | None = None,
    purchase_order: str | None = None,
    supplier: str | None = None,
    to: str | None = None,
    mode: str | None = None,
    depart_at: datetime | None = None,
    arrive_at: datetime | None = None,
    carrier_reference: str | None = None,
    number: str | None = None,
    source: str = "manual",
    plan_ref: str | None = None,
    status: str = "released",
) -> Shipment:
    """Create a shipment (`status` planned, or released at once: its stock reserved); arrival defaults to
    departure plus the lane's transit time."""
    if status not in ("planned", "released"):
        raise Invalid("status", "a new shipment is planned or released")
    if kind == "inbound" and not purchase_order:
        raise Invalid("purchase_order", "an inbound shipment is for a purchase order")
    if kind != "inbound" and (purchase_order or supplier):
        raise Invalid("purchase_order", "only an inbound shipment comes from a supplier")
    order = _order_for(kind, order, lane)
    shipment = Shipment(
        number=number,
        kind=kind,
        status="planned",
        order=order,
        purchase_order=purchase_order,
        carrier_reference=carrier_reference,
        source=source,
        plan_ref=plan_ref,
        created_by_id=user_id,
    )
    _route(shipment, kind=kind, lane=lane, spec={"supplier": supplier, "to": to, "mode": mode})
    _check_lane_valid(lane, depart_at or utcnow())
    if arrive_at is None and depart_at is not None and lane is not None:
        arrive_at = depart_at + timedelta(hours=float(lane.transit_hours))
    shipment.depart_at, shipment.arrive_at = depart_at, arrive_at
    shipment.lines = _shipment_lines(lines, order)
    if number is None:
        assign_number(shipment, "SH-")
    elif db.session.scalar(select(Shipment.id).where(Shipment.number == number)):
        raise Conflict(f"shipment {number!r} exists", code="shipment_exists")
    db.session.add(shipment)
    db.session.flush()
    if status == "released":
        release_shipment(number=shipment.number, user_id=user_id)
    return shipment


def create_planned_shipment(
    *, kind: str, user_id: int, from_code: str | None = None, to_code: str | None = None, **spec
) -> Shipment:
    """Create a shipment by hand, in status planned: a transfer or delivery on the lane (from, to, mode)."""
    lane = None
    if kind != "inbound":
        if not (from_code and to_code and spec.get("mode")):
            raise Invalid("from", f"a {kind} names from, to and mode (a lane)")
        lane_mode = spec.pop("mode")
        lane = lane_service.find_lane(from_code=from_code, to_code=to_code, mode=lane_mode)
        if lane is None:
            raise Invalid("to", f"no lane from {from_code} to {to_code} by {lane_mode}")
    elif from_code:
        spec["supplier"] = from_code
    return create_shipment(kind=kind, lane=lane, to=to_code, user_id=user_id, status="planned", **spec)


def _transition(shipment: Shipment, action: str) -> None:
    transition(shipment, TRANSITIONS, action, "shipment")


def _moves_stock(shipment: Shipment) -> bool:
    return shipment.kind in STOCK_MOVING_KINDS


def release_shipment(*, number: str, user_id: int) -> Shipment:
    """Release a planned shipment: reserve each line at its origin (409, nothing reserved, if short)."""
    shipment = get_shipment(number, lock=True)
    _transition(shipment, "release")
    if _moves_stock(shipment):
        for line in shipment.lines:
            inventory_service.reserve_stock(
                sku=line.item.sku,
                location=shipment.from_location.code,
                quantity=line.quantity,
                reference_type="shipment",
                reference=shipment.number,
                user_id=user_id,
            )
    db.session.flush()
    return shipment


def _movements(shipment: Shipment, kind: str, location: Location, what: str) -> list[MovementSpec]:
    return [
        MovementSpec(
            kind=kind,
            sku=line.item.sku,
            location=location.code,
            quantity=line.quantity,
            reason=f"shipment {shipment.number} {what}",
            reference_type="shipment",
            reference=shipment.number,
        )
        for line in shipment.lines
    ]


def dispatch_shipment(
    *, number: str, user_id: int, at: datetime | None = None, carrier_reference: str | None = None
) -> Shipment:
    """Dispatch a released shipment: its reservation becomes an issue at the origin; it is in transit."""
    shipment = get_shipment(number, lock=True)
    _transition(shipment, "dispatch")
    if _moves_stock(shipment):
        inventory_service.release_reservations(reference_type="shipment", reference=shipment.number)
        specs = _movements(shipment, "issue", shipment.from_location, "dispatched")
        inventory_service.post_movements(specs, user_id=user_id)
    shipment.dispatched_at = at or utcnow()
    shipment.carrier_reference = carrier_reference or shipment.carrier_reference
    db.session.flush()
    return shipment


def deliver_shipment(*, number: str, user_id: int, at: datetime | None = None) -> Shipment:
    """Deliver a shipment in transit: a transfer is received at its destination, a delivery counts as
    shipped on its order."""
    shipment = get_shipment(number, lock=True)
    _transition(shipment, "deliver")
    shipment.delivered_at = at or utcnow()
    if shipment.kind == "transfer":
        specs = _movements(shipment, "receipt", shipment.to_location, "delivered")
        inventory_service.post_movements(specs, user_id=user_id)
    elif shipment.kind == "delivery":
        _ship_order(shipment)
    db.session.flush()
    return shipment


def _ship_order(shipment: Shipment) -> None:
    order = orders_service.lock_order(shipment.order.number)
    for line in shipment.lines:
        orders_service.ship_order_line(
            order=order, line=line.order_line, sku=line.item.sku, quantity=line.quantity
        )
    still_open = db.session.scalar(
        select(func.count()).where(
            Shipment.order_id == order.id, Shipment.status.in_(OPEN_STATUSES), Shipment.id != shipment.id
        )
    )
    if not still_open:
        orders_service.mark_shipped_if_complete(order=order)


def cancel_shipment(*, number: str) -> Shipment:
    """Cancel a planned or released shipment, releasing what it reserved."""
    shipment = get_shipment(number, lock=True)
    _transition(shipment, "cancel")
    inventory_service.release_reservations(reference_type="shipment", reference=shipment.number)
    db.session.flush()
    return shipment


def cancel_order_shipments(*, order: CustomerOrder) -> list[Shipment]:
    """Cancel an order's planned and released deliveries; 409 if one is already on the road."""
    stmt = select(Shipment).where(Shipment.order_id == order.id, Shipment.status.in_(OPEN_STATUSES))
    shipments = db.session.scalars(stmt.order_by(Shipment.id)).all()
    moving = [s.number for s in shipments if s.status == "in_transit"]
    if moving:
        raise InvalidTransition(f"order {order.number} has shipments in transit: {', '.join(moving)}")
    return [cancel_shipment(number=s.number) for s in shipments]


def cancel_deliveries_of_cancelled_order(event: OrderCancelled) -> None:
    """React to an order's cancellation: cancel its open deliveries, or refuse (409) if one is on the road."""
    cancel_order_shipments(order=event.order)


def add_event(
    *,
    number: str,
    occurred_at: datetime,
    status: str,
    user_id: int,
    place: str = "",
    carrier_reference: str | None = None,
) -> ShipmentEvent:
    """Record a tracking event; the first carrier reference seen becomes the shipment's."""
    shipment = get_shipment(number)
    event = ShipmentEvent(
        occurred_at=occurred_at,
        status=status,
        place=place or "",
        carrier_reference=carrier_reference,
        created_by_id=user_id,
    )
    shipment.events.append(event)
    shipment.carrier_reference = shipment.carrier_reference or carrier_reference
    db.session.flush()
    return event


def list_events(*, number: str) -> list[ShipmentEvent]:
    """A shipment's tracking events in the order they happened."""
    shipment = get_shipment(number)
    stmt = select(ShipmentEvent).where(ShipmentEvent.shipment_id == shipment.id)
    return list(db.session.scalars(stmt.order_by(ShipmentEvent.occurred_at, ShipmentEvent.id)))


def transfers_underway() -> list[Shipment]:
    """Released and dispatched transfers: their goods will arrive at the destination."""
    stmt = select(Shipment).where(Shipment.kind == "transfer", Shipment.status.in_(UNDERWAY))
    return list(db.session.scalars(stmt.order_by(Shipment.number)))


def deliveries_underway() -> dict[int, list[ShipmentLine]]:
    """Lines of released and dispatched deliveries by order id: goods already committed to an order."""
    stmt = (
        select(ShipmentLine)
        .join(ShipmentLine.shipment)
        .where(Shipment.kind == "delivery", Shipment.status.in_(UNDERWAY))
        .order_by(ShipmentLine.id)
    )
    by_order = defaultdict(list)
    for line in db.session.scalars(stmt):
        by_order[line.shipment.order_id].append(line)
    return by_order
