"""Customer order tables: customers, orders and their lines, and the history of order confirmations."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from inventory.models import Item, Location, Region

Quantity = Numeric(18, 6)
CHANNELS = ("b2b", "b2c", "retail", "marketplace", "internal")
ORDER_STATUSES = ("pending", "accepted", "confirmed", "unconfirmed", "shipped", "closed", "cancelled")
PLANNED_STATUSES = ("accepted", "confirmed", "unconfirmed")
CONFIRMATION_STATUSES = ("confirmed", "unconfirmed")


class Customer(db.Model):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16), default="b2b")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship(lazy="joined")

    @property
    def region_code(self) -> str | None:
        return self.region.code if self.region else None


class CustomerOrder(db.Model):
    """A customer's order: lines delivered to a region, not before `requested_at`."""

    __tablename__ = "customer_orders"
    __table_args__ = (CheckConstraint("priority >= 1", name="priority_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    priority: Mapped[int] = mapped_column(Integer, default=2)
    ship_complete: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(lazy="joined")
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    confirmations: Mapped[list["OrderConfirmation"]] = relationship(
        back_populates="order", order_by="OrderConfirmation.sequence"
    )

    @property
    def customer_code(self) -> str:
        return self.customer.code

    @property
    def region_code(self) -> str:
        return self.region.code

    @property
    def latest_confirmation(self) -> "OrderConfirmation | None":
        return self.confirmations[-1] if self.confirmations else None


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("shipped_quantity >= 0", name="shipped_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_orders.id"))
    line: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    shipped_quantity: Mapped[Decimal] = mapped_column(Quantity, default=0)

    order: Mapped[CustomerOrder] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship(lazy="joined")

    @property
    def sku(self) -> str:
        return self.item.sku

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.shipped_quantity, Decimal(0))


class OrderConfirmation(db.Model):
    """One promise given for an order by a planning run (or by hand); the last one is the current one."""

    __tablename__ = "order_confirmations"
    __table_args__ = (UniqueConstraint("order_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_orders.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(32), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    run_ref: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[CustomerOrder] = relationship(back_populates="confirmations")
    lines: Mapped[list["ConfirmationLine"]] = relationship(
        order_by="ConfirmationLine.id", cascade="all, delete-orphan"
    )


class ConfirmationLine(db.Model):
    __tablename__ = "confirmation_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    confirmation_id: Mapped[int] = mapped_column(ForeignKey("order_confirmations.id"), index=True)
    line: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)

    item: Mapped[Item] = relationship(lazy="joined")
    deliveries: Mapped[list["ConfirmationDelivery"]] = relationship(
        order_by="ConfirmationDelivery.id", cascade="all, delete-orphan"
    )

    @property
    def sku(self) -> str:
        return self.item.sku


class ConfirmationDelivery(db.Model):
    """One leg of a promised line: `quantity` leaves `from_location` by `mode` and arrives at `arrive_at`."""

    __tablename__ = "confirmation_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    confirmation_line_id: Mapped[int] = mapped_column(ForeignKey("confirmation_lines.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    mode: Mapped[str] = mapped_column(String(16))
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime)
    arrive_at: Mapped[datetime] = mapped_column(UTCDateTime)

    from_location: Mapped[Location] = relationship(lazy="joined")

    @property
    def from_code(self) -> str:
        return self.from_location.code
