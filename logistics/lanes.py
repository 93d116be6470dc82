"""Lanes: how goods can travel from a location to a location (a transfer) or to a customer region (a
delivery), by which mode, in how many hours, at what cost and capacity, and when.

A lane's natural key is (from, to, mode); `to` is a location code or a region code (the two never
coincide, so a code says which it is).
"""

from datetime import datetime

from sqlalchemy import Select, func, or_, select

from core import records
from core.db import db
from core.errors import Conflict, Invalid, NotFound
from inventory import service as inventory_service
from inventory.models import Location, Region
from logistics.models import Lane, Shipment


def resolve_destination(code: str, *, field: str = "to") -> tuple[Location | None, Region | None]:
    """A lane's `to`: a location code or a region code (422 if neither, or ambiguous)."""
    location = db.session.scalar(select(Location).where(Location.code == code))
    region = db.session.scalar(select(Region).where(Region.code == code))
    if location and region:
        raise Invalid(field, f"{code!r} is both a location and a region code")
    if not (location or region):
        raise Invalid(field, f"unknown location or region {code!r}")
    return location, region


def find_lane(*, from_code: str, to_code: str, mode: str) -> Lane | None:
    source = inventory_service.get_location(from_code, field="from")
    location, region = resolve_destination(to_code)
    stmt = select(Lane).where(Lane.from_location_id == source.id, Lane.mode == mode)
    if location:
        stmt = stmt.where(Lane.to_location_id == location.id)
    else:
        stmt = stmt.where(Lane.to_region_id == region.id)
    return db.session.scalar(stmt)


def get_lane(lane_id: int) -> Lane:
    lane = db.session.get(Lane, lane_id)
    if lane is None:
        raise NotFound(f"no lane {lane_id}")
    return lane


def _check_validity(lane: Lane) -> None:
    if lane.valid_from and lane.valid_to and lane.valid_to <= lane.valid_from:
        raise Invalid("valid_to", "must be after valid_from")


def save_lane(*, from_code: str, to_code: str, mode: str, fields: dict, create: bool | None = None):
    """Create or update the lane (from, to, mode); return (lane, created)."""
    lane = find_lane(from_code=from_code, to_code=to_code, mode=mode)
    if lane is not None and create is True:
        raise Conflict(f"lane {from_code} → {to_code} by {mode} exists", code="lane_exists", lane_id=lane.id)
    created = lane is None
    if created:
        location, region = resolve_destination(to_code)
        lane = Lane(
            from_location=inventory_service.get_location(from_code, field="from"),
            to_location=location,
            to_region=region,
            mode=mode,
        )
        if lane.to_location is not None and lane.to_location.id == lane.from_location.id:
            raise Invalid("to", "a lane joins two different places")
        db.session.add(lane)
    for name, value in fields.items():
        setattr(lane, name, value)
    _check_validity(lane)
    db.session.flush()
    return lane, created


def upsert_lanes(rows: list[dict]) -> dict:
    """Bulk upsert lanes by (from, to, mode) in one transaction; return the counts."""
    return records.upsert_many(save_lane, ("from_code", "to_code", "mode"), rows, field="lanes")


def update_lane(*, lane_id: int, fields: dict) -> Lane:
    lane = get_lane(lane_id)
    for name, value in fields.items():
        setattr(lane, name, value)
    _check_validity(lane)
    db.session.flush()
    return lane


def delete_lane(*, lane_id: int) -> None:
    """Delete a lane no shipment uses (409 otherwise: end its validity instead)."""
    lane = get_lane(lane_id)
    used = db.session.scalar(select(func.count()).where(Shipment.lane_id == lane.id))
    if used:
        message = f"lane {lane_id} is referred to by {used} shipments; set valid_to instead"
        raise Conflict(message, code="in_use", referred_to_by={"shipments": used})
    records.delete_unused(lane, f"lane {lane_id}")


def valid_at(stmt: Select, at: datetime) -> Select:
    return stmt.where(
        or_(Lane.valid_from.is_(None), Lane.valid_from <= at),
        or_(Lane.valid_to.is_(None), Lane.valid_to > at),
    )


def lanes_query(
    *,
    from_code: str | None = None,
    to: str | None = None,
    mode: str | None = None,
    at: datetime | None = None,
) -> Select:
    """Lanes by origin, destination (location or region code), mode and validity at an instant."""
    stmt = select(Lane).order_by(Lane.id)
    if from_code:
        stmt = stmt.where(Lane.from_location.has(code=from_code))
    if to:
        stmt = stmt.where(or_(Lane.to_location.has(code=to), Lane.to_region.has(code=to)))
    if mode:
        stmt = stmt.where(Lane.mode == mode)
    return valid_at(stmt, at) if at else stmt
