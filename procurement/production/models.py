"""Production tables: resources and their calendars, routes with bills of materials, production orders."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from inventory.models import Item, Location
from procurement.models import Amount

MO_STATUSES = ("proposed", "released", "in_progress", "completed", "cancelled")


class Resource(db.Model):
    """A production line at a plant, working `hours_per_day` unless its calendar says otherwise."""

    __tablename__ = "resources"
    __table_args__ = (CheckConstraint("hours_per_day >= 0 AND hours_per_day <= 24", name="hours_in_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    hours_per_day: Mapped[Decimal] = mapped_column(Amount)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    location: Mapped[Location] = relationship(lazy="joined")
    exceptions: Mapped[list["CalendarException"]] = relationship(
        back_populates="resource", order_by="CalendarException.day", cascade="all, delete-orphan"
    )

    @property
    def location_code(self) -> str:
        return self.location.code


class CalendarException(db.Model):
    """A day on which a resource has other hours than usual: 0 = closed, more = overtime."""

    __tablename__ = "resource_calendar_exceptions"
    __table_args__ = (
        UniqueConstraint("resource_id", "day"),
        CheckConstraint("hours >= 0 AND hours <= 24", name="hours_in_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    day: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Amount)
    note: Mapped[str] = mapped_column(String(200), default="")

    resource: Mapped[Resource] = relationship(back_populates="exceptions")


class Route(db.Model):
    """How an item is made on a resource, and from which components (its bill of materials)."""

    __tablename__ = "routes"
    __table_args__ = (
        UniqueConstraint("item_id", "resource_id"),
        CheckConstraint(
            "hours_per_unit >= 0 AND lead_time_hours >= 0 AND setup_hours >= 0", name="hours_non_negative"
        ),
        CheckConstraint("unit_cost >= 0 AND setup_cost >= 0", name="costs_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    hours_per_unit: Mapped[Decimal] = mapped_column(Amount)
    lead_time_hours: Mapped[Decimal] = mapped_column(Amount)
    unit_cost: Mapped[Decimal] = mapped_column(Amount)
    setup_hours: Mapped[Decimal] = mapped_column(Amount, default=0)
    setup_cost: Mapped[Decimal] = mapped_column(Amount, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    item: Mapped[Item] = relationship(lazy="joined")
    resource: Mapped[Resource] = relationship(lazy="joined")
    components: Mapped[list["RouteComponent"]] = relationship(
        back_populates="route", order_by="RouteComponent.id", lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def sku(self) -> str:
        return self.item.sku

    @property
    def resource_code(self) -> str:
        return self.resource.code


class RouteComponent(db.Model):
    __tablename__ = "route_components"
    __table_args__ = (
        UniqueConstraint("route_id", "item_id"),
        CheckConstraint("qty_per > 0", name="qty_per_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    qty_per: Mapped[Decimal] = mapped_column(Amount)

    route: Mapped[Route] = relationship(back_populates="components")
    item: Mapped[Item] = relationship(lazy="joined")

    @property
    def sku(self) -> str:
        return self.item.sku


class ProductionOrder(db.Model):
    """Making `qty` of a route's item: `proposed → released → in_progress → completed`, or `cancelled`.

    Starting issues the components at the resource's plant; completing receives the output there.
    """

    __tablename__ = "production_orders"
    __table_args__ = (
        Index("ix_production_orders_status", "status"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id"), index=True)
    qty: Mapped[Decimal] = mapped_column(Amount)
    status: Mapped[str] = mapped_column(String(24), default="proposed")
    source: Mapped[str] = mapped_column(String(16), default="manual")
    plan_ref: Mapped[str | None] = mapped_column(String(120))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    route: Mapped[Route] = relationship(lazy="joined")

    @property
    def sku(self) -> str:
        return self.route.item.sku

    @property
    def resource_code(self) -> str:
        return self.route.resource.code

    @property
    def location_code(self) -> str:
        return self.route.resource.location.code
