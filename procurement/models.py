"""Purchasing tables: suppliers, supply offers and purchase orders with their lines."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from inventory.models import Item, Location

Amount = Numeric(18, 6)
PO_STATUSES = ("proposed", "released", "partially_received", "received", "cancelled")
OPEN_PO_STATUSES = ("released", "partially_received")
SOURCES = ("manual", "plan")


class Supplier(db.Model):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SupplyOffer(db.Model):
    """What a supplier offers to deliver of one item to one location, and on what terms."""

    __tablename__ = "supply_offers"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id", "location_id"),
        CheckConstraint("lead_time_hours >= 0", name="lead_time_non_negative"),
        CheckConstraint("unit_cost >= 0 AND order_cost >= 0", name="costs_non_negative"),
        CheckConstraint("min_qty >= 0", name="min_qty_non_negative"),
        CheckConstraint("multiple IS NULL OR multiple > 0", name="multiple_positive"),
        CheckConstraint("capacity_per_day IS NULL OR capacity_per_day >= 0", name="capacity_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    lead_time_hours: Mapped[Decimal] = mapped_column(Amount)
    unit_cost: Mapped[Decimal] = mapped_column(Amount)
    order_cost: Mapped[Decimal] = mapped_column(Amount, default=0)
    min_qty: Mapped[Decimal] = mapped_column(Amount, default=0)
    multiple: Mapped[Decimal | None] = mapped_column(Amount)
    capacity_per_day: Mapped[Decimal | None] = mapped_column(Amount)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    supplier: Mapped[Supplier] = relationship(lazy="joined")
    item: Mapped[Item] = relationship(lazy="joined")
    location: Mapped[Location] = relationship(lazy="joined")

    @property
    def supplier_code(self) -> str:
        return self.supplier.code

    @property
    def sku(self) -> str:
        return self.item.sku

    @property
    def location_code(self) -> str:
        return self.location.code


class PurchaseOrder(db.Model):
    """An order to one supplier for delivery to one location: `proposed → released →
    partially_received → received`, or `cancelled`."""

    __tablename__ = "purchase_orders"
    __table_args__ = (Index("ix_purchase_orders_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="proposed")
    source: Mapped[str] = mapped_column(String(16), default="manual")
    plan_ref: Mapped[str | None] = mapped_column(String(120))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    receive_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    supplier: Mapped[Supplier] = relationship(lazy="joined")
    location: Mapped[Location] = relationship(lazy="joined")
    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        back_populates="purchase_order", order_by="PurchaseOrderLine.line_no", lazy="selectin"
    )

    @property
    def supplier_code(self) -> str:
        return self.supplier.code

    @property
    def location_code(self) -> str:
        return self.location.code


class PurchaseOrderLine(db.Model):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "line_no"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("qty_received >= 0", name="qty_received_non_negative"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    line_no: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    qty: Mapped[Decimal] = mapped_column(Amount)
    qty_received: Mapped[Decimal] = mapped_column(Amount, default=0)
    unit_cost: Mapped[Decimal] = mapped_column(Amount)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship(lazy="joined")

    @property
    def sku(self) -> str:
        return self.item.sku

    @property
    def qty_open(self) -> Decimal:
        return max(self.qty - self.qty_received, Decimal(0))
