"""Logistics tables: lanes, shipments with their lines, and tracking events."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from inventory.models import Item, Location, Region
from orders.models import CustomerOrder

Quantity = Numeric(18, 6)
MODES = ("truck", "rail", "air", "sea", "courier")
SHIPMENT_KINDS = ("transfer", "delivery", "inbound")
SHIPMENT_STATUSES = ("planned", "released", "in_transit", "delivered", "cancelled")
SHIPMENT_SOURCES = ("manual", "plan")


class Lane(db.Model):
    """Goods can travel from a location to a location (transfer) or to a customer region (delivery).

    Exactly one of `to_location` and `to_region` is set; (from, to, mode) is the natural key (one unique
    constraint per kind of destination, since NULLs never collide).
    """

    __tablename__ = "lanes"
    __table_args__ = (
        CheckConstraint("(to_location_id IS NULL) != (to_region_id IS NULL)", name="exactly_one_destination"),
        CheckConstraint("transit_hours >= 0", name="transit_hours_non_negative"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_non_negative"),
        UniqueConstraint("from_location_id", "to_location_id", "mode", name="uq_lanes_to_location"),
        UniqueConstraint("from_location_id", "to_region_id", "mode", name="uq_lanes_to_region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    mode: Mapped[str] = mapped_column(String(16))
    transit_hours: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(18, 6), default=0)
    capacity_per_day: Mapped[Decimal | None] = mapped_column(Quantity)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id], lazy="joined")
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id], lazy="joined")
    to_region: Mapped[Region | None] = relationship(lazy="joined")

    @property
    def from_code(self) -> str:
        return self.from_location.code

    @property
    def to_code(self) -> str:
        return self.to_location.code if self.to_location else self.to_region.code


class Shipment(db.Model):
    """Goods on their way: a transfer (location → location), a delivery (location → customer region, for
    an order) or an inbound (supplier → location, for a purchase order)."""

    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint("(to_location_id IS NULL) != (to_region_id IS NULL)", name="exactly_one_destination"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    lane_id: Mapped[int | None] = mapped_column(ForeignKey("lanes.id"), index=True)
    mode: Mapped[str | None] = mapped_column(String(16))
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    supplier: Mapped[str | None] = mapped_column(String(64))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    to_region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("customer_orders.id"), index=True)
    purchase_order: Mapped[str | None] = mapped_column(String(64), index=True)
    depart_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrive_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carrier_reference: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16), default="manual")
    plan_ref: Mapped[str | None] = mapped_column(String(120))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lane: Mapped[Lane | None] = relationship(lazy="joined")
    from_location: Mapped[Location | None] = relationship(foreign_keys=[from_location_id], lazy="joined")
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id], lazy="joined")
    to_region: Mapped[Region | None] = relationship(lazy="joined")
    order: Mapped[CustomerOrder | None] = relationship(lazy="joined")
    lines: Mapped[list["ShipmentLine"]] = relationship(
        back_populates="shipment", order_by="ShipmentLine.line", cascade="all, delete-orphan"
    )
    events: Mapped[list["ShipmentEvent"]] = relationship(
        order_by=lambda: [ShipmentEvent.occurred_at, ShipmentEvent.id], cascade="all, delete-orphan"
    )

    @property
    def from_code(self) -> str | None:
        return self.from_location.code if self.from_location else self.supplier

    @property
    def to_code(self) -> str:
        return self.to_location.code if self.to_location else self.to_region.code

    @property
    def order_number(self) -> str | None:
        return self.order.number if self.order else None


class ShipmentLine(db.Model):
    __tablename__ = "shipment_lines"
    __table_args__ = (
        UniqueConstraint("shipment_id", "line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    line: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    order_line: Mapped[str | None] = mapped_column(String(16))

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship(lazy="joined")

    @property
    def sku(self) -> str:
        return self.item.sku


class ShipmentEvent(db.Model):
    """A tracking event: what the carrier or the warehouse reported, when and where."""

    __tablename__ = "shipment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(200), default="")
    carrier_reference: Mapped[str | None] = mapped_column(String(120))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
