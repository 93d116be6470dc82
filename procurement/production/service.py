"""Production services: resources and their calendars, routes with bills of materials, production
orders through their lifecycle, and the production sections of the planning snapshot.

Starting an order issues its components at the resource's plant in one ledger batch (all or none:
409 if any is short); completing it receives the output there. A multi-level bill of materials is
simply a route for a component. Every transition locks its order first.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, or_, select

from core import records
from core.db import assign_number, db, get_by_key, utcnow, where_given
from core.errors import Conflict, Invalid, NotFound
from core.fields import MAX_QUANTITY
from core.formats import as_number, iso
from core.lifecycle import Transitions, lock_document, next_status, transition
from inventory import service as inventory_service
from inventory.models import Item, Location
from inventory.movements import MovementSpec
from inventory.units import check_quantity
from procurement.models import SOURCES
from procurement.production.models import CalendarException, ProductionOrder, Resource, Route, RouteComponent

# -- resources -------------------------------------------------------------------------------------


def get_resource(code: str, *, field: str | None = None) -> Resource:
    """The resource with `code`: 404, or 422 on `field` when it is a reference in a payload."""
    resource = db.session.scalar(select(Resource).where(Resource.code == code))
    if resource is None:
        if field:
            raise Invalid(field, f"unknown resource {code!r}")
        raise NotFound(f"no resource {code!r}")
    return resource


def save_resource(code: str, fields: dict, *, create: bool | None = None) -> tuple[Resource, bool]:
    """Create or update a resource; its location must be a plant."""
    fields = dict(fields)
    if "location_code" in fields:
        location = inventory_service.get_location(fields.pop("location_code"), field="location")
        if location.kind != "plant":
            raise Invalid("location", f"{location.code} is a {location.kind}; a resource stands in a plant")
        fields["location"] = location
    return records.save_by_key(Resource, Resource.code, code, fields, create=create, what="resource")


def resources_query(
    *, q: str | None = None, location: str | None = None, active: bool | None = None
) -> Select:
    stmt = select(Resource).order_by(Resource.code)
    if q:
        stmt = stmt.where(or_(Resource.code.ilike(f"%{q}%"), Resource.name.ilike(f"%{q}%")))
    if location:
        stmt = stmt.where(Resource.location.has(Location.code == location))
    if active is not None:
        stmt = stmt.where(Resource.active == active)
    return stmt


def replace_calendar(*, code: str, days: list[dict]) -> list[CalendarException]:
    """Replace a resource's calendar exceptions (each `{day, hours, note}`; 0 hours = closed)."""
    resource = get_resource(code)
    listed = [d["day"] for d in days]
    twice = sorted({d.isoformat() for d in listed if listed.count(d) > 1})
    if twice:
        raise Invalid("day", f"listed more than once: {', '.join(twice)}")
    resource.exceptions = []
    db.session.flush()
    resource.exceptions = [CalendarException(**d) for d in sorted(days, key=lambda d: d["day"])]
    db.session.flush()
    return resource.exceptions


def calendar(*, code: str) -> list[CalendarException]:
    return get_resource(code).exceptions


def hours_on(resource: Resource, day: date) -> Decimal:
    """The hours `resource` works on `day`: its calendar exception, else its usual hours."""
    exception = next((e for e in resource.exceptions if e.day == day), None)
    return exception.hours if exception else resource.hours_per_day


# -- routes ----------------------------------------------------------------------------------------


def routes_query(
    *, sku: str | None = None, resource: str | None = None, location: str | None = None
) -> Select:
    stmt = select(Route).join(Route.item).join(Route.resource).order_by(Item.sku, Resource.code)
    if sku:
        stmt = stmt.where(Item.sku == sku)
    if resource:
        stmt = stmt.where(Resource.code == resource)
    if location:
        stmt = stmt.where(Resource.location.has(Location.code == location))
    return stmt


def get_route(route_id: int) -> Route:
    route = db.session.get(Route, route_id)
    if route is None:
        raise NotFound(f"no route {route_id}")
    return route


def find_route(*, sku: str, resource: str) -> Route | None:
    stmt = (
        select(Route).join(Route.item).join(Route.resource).where(Item.sku == sku, Resource.code == resource)
    )
    return db.session.scalar(stmt)


def save_route(*, sku: str, resource: str, fields: dict, create: bool | None = None) -> tuple[Route, bool]:
    """Create or update the route making `sku` on `resource`; return (route, created)."""
    item = inventory_service.get_item(sku, field="sku")
    line = get_resource(resource, field="resource")
    route = find_route(sku=sku, resource=resource)
    if route is not None and create:
        raise Conflict(f"{sku} already has a route on {resource} (route {route.id})", code="route_exists")
    created = route is None
    if created:
        route = Route(item=item, resource=line)
        db.session.add(route)
    return update_route(route, fields), created


def update_route(route: Route, fields: dict) -> Route:
    """Change a route's times and costs; `components`, when given, replace its bill of materials."""
    fields = dict(fields)
    components = fields.pop("components", None)
    for name, value in fields.items():
        setattr(route, name, value)
    if components is not None:
        skus = [c["sku"] for c in components]
        twice = sorted({s for s in skus if skus.count(s) > 1})
        if twice:
            raise Invalid("components", f"listed more than once: {', '.join(twice)}")
        route.components = []
        db.session.flush()
        route.components = [_component(route, i, c) for i, c in enumerate(components)]
    db.session.flush()
    return route


def _component(route: Route, index: int, component: dict) -> RouteComponent:
    field = f"components[{index}].sku"
    item = inventory_service.get_item(component["sku"], field=field)
    if item.id == route.item.id:
        raise Invalid(field, f"{item.sku} cannot be a component of itself")
    return RouteComponent(item=item, qty_per=component["qty_per"])


def upsert_routes(rows: list[dict]) -> dict:
    """Bulk upsert routes keyed by (sku, resource); return the counts created and updated."""
    return records.upsert_many(save_route, ("sku", "resource"), rows)


def delete_route(route_id: int) -> None:
    """Delete a route no production order refers to (409 otherwise)."""
    records.delete_unused(get_route(route_id), f"route {route_id}")


# -- production orders -----------------------------------------------------------------------------


def create_production_order(
    *,
    sku: str,
    resource: str,
    qty: Decimal,
    start_at: datetime,
    user_id: int,
    source: str = "manual",
    plan_ref: str | None = None,
    status: str = "released",
) -> ProductionOrder:
    """Create a production order (`proposed` or `released`) on the route making `sku` on `resource`;
    it ends the route's lead time after it starts."""
    if status not in ("proposed", "released"):
        raise Invalid("status", "a new production order is proposed or released")
    if source not in SOURCES:
        raise Invalid("source", f"must be one of {', '.join(SOURCES)}")
    get_resource(resource, field="resource")
    route = find_route(sku=sku, resource=resource)
    if route is None:
        raise Invalid("sku", f"no route makes {sku} on {resource}")
    check_quantity(route.item, qty, "quantity")
    order = ProductionOrder(
        route=route,
        qty=qty,
        status=status,
        source=source,
        plan_ref=plan_ref,
        start_at=start_at,
        end_at=start_at + timedelta(hours=float(route.lead_time_hours)),
        released_at=utcnow() if status == "released" else None,
        created_by_id=user_id,
    )
    assign_number(order, "MO-")
    return order


def production_orders_query(
    *,
    status: str | None = None,
    sku: str | None = None,
    resource: str | None = None,
    location: str | None = None,
) -> Select:
    """Production orders, newest first, filtered by status, sku, resource and plant."""
    return where_given(
        select(ProductionOrder).join(ProductionOrder.route).order_by(ProductionOrder.id.desc()),
        (status, lambda v: ProductionOrder.status == v),
        (sku, lambda v: Route.item.has(Item.sku == v)),
        (resource, lambda v: Route.resource.has(Resource.code == v)),
        (location, lambda v: Route.resource.has(Resource.location.has(Location.code == v))),
    )


TRANSITIONS: Transitions = {
    # action: (statuses it starts from, status it leads to)
    "release": (("proposed",), "released"),
    "start": (("released",), "in_progress"),
    "complete": (("in_progress",), "completed"),
    "cancel": (("proposed", "released"), "cancelled"),
}


def get_production_order(number: str) -> ProductionOrder:
    return get_by_key(ProductionOrder, ProductionOrder.number, number, what="production order")


def _lock(number: str) -> ProductionOrder:
    return lock_document(ProductionOrder, number, "production order")


def release_production_order(*, number: str) -> ProductionOrder:
    """proposed → released: the order is planned firm."""
    order = _lock(number)
    transition(order, TRANSITIONS, "release", "production order")
    order.released_at = utcnow()
    db.session.flush()
    return order


def start_production_order(*, number: str, user_id: int) -> ProductionOrder:
    """released → in_progress: issue every component (qty * qty_per) at the plant, all or none."""
    order = _lock(number)
    started = next_status(order, TRANSITIONS, "start", "production order")
    plant = order.route.resource.location.code
    issues = [_issue(order, c, plant) for c in order.route.components]
    if issues:
        inventory_service.post_movements(issues, user_id=user_id)
    order.status, order.started_at = started, utcnow()
    db.session.flush()
    return order


def _issue(order: ProductionOrder, component: RouteComponent, plant: str) -> MovementSpec:
    quantity = order.qty * component.qty_per
    if quantity >= MAX_QUANTITY:
        raise Conflict(f"{quantity} {component.item.sku} is beyond what the ledger records", code="too_large")
    quantity = quantity.quantize(Decimal("0.000001"))
    return MovementSpec(
        kind="issue",
        sku=component.item.sku,
        location=plant,
        quantity=quantity,
        reason=f"components of {order.number}",
        reference_type="production_order",
        reference=order.number,
    )


def complete_production_order(*, number: str, user_id: int) -> ProductionOrder:
    """in_progress → completed: receive the output at the plant."""
    order = _lock(number)
    completed = next_status(order, TRANSITIONS, "complete", "production order")
    inventory_service.post_movement(
        user_id=user_id,
        kind="receipt",
        sku=order.route.item.sku,
        location=order.route.resource.location.code,
        quantity=order.qty,
        reason=f"output of {order.number}",
        reference_type="production_order",
        reference=order.number,
    )
    order.status, order.closed_at = completed, utcnow()
    db.session.flush()
    return order


def cancel_production_order(*, number: str) -> ProductionOrder:
    """proposed or released (not started) → cancelled."""
    order = _lock(number)
    transition(order, TRANSITIONS, "cancel", "production order")
    order.closed_at = utcnow()
    db.session.flush()
    return order


# -- the planning snapshot (contract supply-plan/1) ------------------------------------------------


def snapshot_resources(*, at: datetime, until: datetime | None = None) -> list[dict]:
    """Active resources as contract `resources` rows, each with its calendar exceptions (`calendar`:
    `[{date, hours}]`, UTC dates) from the UTC day of `at` to that of `until` (the horizon's end)."""
    stmt = (
        select(Resource)
        .join(Resource.location)
        .where(Resource.active.is_(True), Location.active.is_(True))
        .order_by(Resource.code)
    )
    since = at.astimezone(UTC).date()
    last = until.astimezone(UTC).date() if until is not None else date.max
    return [
        {
            "code": r.code,
            "location": r.location.code,
            "hours_per_day": as_number(r.hours_per_day),
            "calendar": [
                {"date": e.day.isoformat(), "hours": as_number(e.hours)}
                for e in r.exceptions
                if since <= e.day <= last
            ],
        }
        for r in db.session.scalars(stmt)
    ]


def snapshot_routes() -> list[dict]:
    """Routes on active resources for active items, with their components (contract `routes`)."""
    stmt = routes_query().where(Resource.active.is_(True), Item.active.is_(True))
    return [
        {
            "sku": r.item.sku,
            "resource": r.resource.code,
            "hours_per_unit": as_number(r.hours_per_unit),
            "lead_time_hours": as_number(r.lead_time_hours),
            "unit_cost": as_number(r.unit_cost),
            "setup_hours": as_number(r.setup_hours),
            "setup_cost": as_number(r.setup_cost),
            "components": [{"sku": c.item.sku, "qty_per": as_number(c.qty_per)} for c in r.components],
        }
        for r in db.session.scalars(stmt)
    ]


def snapshot_receipts(*, at: datetime) -> list[dict]:
    """Production in progress (work in progress) as contract `receipts` rows, due at the planned end.

    Every in-progress order is listed whatever `at` is: the contract counts an overdue one from plan start.
    """
    stmt = select(ProductionOrder).where(ProductionOrder.status == "in_progress").order_by(ProductionOrder.id)
    return [
        {
            "ref": o.number,
            "sku": o.route.item.sku,
            "location": o.route.resource.location.code,
            "qty": as_number(o.qty),
            "arrive_at": iso(o.end_at),
        }
        for o in db.session.scalars(stmt)
    ]
