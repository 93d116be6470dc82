"""The supplier portal's tables: who speaks for a supplier, its answers to purchase orders, the delivery
schedule it confirmed, its advance ship notices and its proposals of new offer terms."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow
from procurement.models import PurchaseOrder, Supplier, SupplyOffer

Amount = Numeric(18, 6)
# what the supplier has said about a purchase order sent to it
ORDER_STATUSES = ("awaiting", "accepted", "rejected", "proposed", "confirmed")
CONFIRMED_STATUSES = ("accepted", "confirmed")
RESPONSE_KINDS = ("accept", "reject", "propose")
PROPOSAL_STATUSES = ("pending", "accepted", "refused")
RESPONSE_STATUSES = ("recorded", *PROPOSAL_STATUSES)  # an accept or a reject is recorded, a proposal decided


class SupplierUser(db.Model):
    """A user (role `supplier`) who speaks for one supplier, with every token it holds."""

    __tablename__ = "supplier_users"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)

    supplier: Mapped[Supplier] = relationship(lazy="joined")


class SupplierOrder(db.Model):
    """A purchase order as its supplier sees it: sent, then accepted, rejected or answered by a proposal."""

    __tablename__ = "supplier_orders"
    __table_args__ = (
        Index("ix_supplier_orders_supplier_status", "supplier_id", "status"),
        # the few orders the snapshot reads a schedule of
        Index(
            "ix_supplier_orders_rescheduled",
            "purchase_order_id",
            postgresql_where=text("rescheduled"),
            sqlite_where=text("rescheduled"),
        ),
    )

    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    status: Mapped[str] = mapped_column(String(16), default="awaiting")
    reason: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # how much later (hours, + later) the confirmed schedule's last delivery is than the order's date
    moved_hours: Mapped[float | None] = mapped_column()
    # a confirmed schedule exists; it differs from the order's own dates and quantities (split, moved, more
    # or less): the snapshot reads the schedules of rescheduled orders only
    confirmed: Mapped[bool] = mapped_column(default=False, server_default="0")
    rescheduled: Mapped[bool] = mapped_column(default=False, server_default="0")

    purchase_order: Mapped[PurchaseOrder] = relationship()


class OrderResponse(db.Model):
    """One answer of a supplier to a purchase order; a proposal waits for a planner's decision."""

    __tablename__ = "supplier_order_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # see RESPONSE_STATUSES
    reason: Mapped[str | None] = mapped_column(Text)
    deliveries: Mapped[list | None] = mapped_column(JSON)  # [{line, qty, arrive_at}] of a proposal
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    purchase_order: Mapped[PurchaseOrder] = relationship(lazy="joined")


class ConfirmedDelivery(db.Model):
    """One delivery of a purchase order line as its supplier confirmed it: the receipt the plan counts on."""

    __tablename__ = "supplier_confirmed_deliveries"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    line_no: Mapped[int]
    qty: Mapped[Decimal] = mapped_column(Amount)
    arrive_at: Mapped[datetime] = mapped_column(UTCDateTime)


SHIPMENT_STATUSES = ("announced", "received")


class InboundShipment(db.Model):
    """An advance ship notice: goods of one purchase order dispatched by its supplier, due at `arrive_at`."""

    __tablename__ = "inbound_shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="announced")
    carrier: Mapped[str] = mapped_column(String(120))
    tracking_ref: Mapped[str] = mapped_column(String(120))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime)
    arrive_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    purchase_order: Mapped[PurchaseOrder] = relationship(lazy="joined")
    lines: Mapped[list["InboundShipmentLine"]] = relationship(
        order_by="InboundShipmentLine.line_no", lazy="selectin", cascade="all, delete-orphan"
    )


class InboundShipmentLine(db.Model):
    __tablename__ = "inbound_shipment_lines"
    __table_args__ = (
        UniqueConstraint("shipment_id", "line_no"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("inbound_shipments.id"))
    line_no: Mapped[int]  # the purchase order's line
    qty: Mapped[Decimal] = mapped_column(Amount)


class OfferProposal(db.Model):
    """New terms a supplier proposes for one of its offers; a planner approves (applied) or refuses them."""

    __tablename__ = "supplier_offer_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("supply_offers.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    changes: Mapped[dict] = mapped_column(JSON)  # the proposed terms
    previous: Mapped[dict] = mapped_column(JSON)  # the terms when proposed
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    offer: Mapped[SupplyOffer] = relationship(lazy="joined")
