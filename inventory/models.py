"""Inventory tables. A balance is derived state: it always equals the sum of its ledger entries."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow

Quantity = Numeric(18, 6)
ITEM_KINDS = ("material", "finished", "both")
LOCATION_KINDS = ("warehouse", "plant")
REFERENCE_TYPES = ("purchase_order", "production_order", "shipment", "count", "free")
COUNT_JOB_STATUSES = ("queued", "running", "done", "refused", "failed")


class Region(db.Model):
    """A customer region: every location stands in one; orders are delivered to one."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Item(db.Model):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("holding_cost_per_day >= 0", name="holding_cost_non_negative"),
        CheckConstraint("decimals BETWEEN 0 AND 6", name="decimals_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16), default="pcs")
    # units of measure: counted in whole units (no fraction is ever accepted), else up to `decimals` places
    whole_units: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    decimals: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    kind: Mapped[str] = mapped_column(String(16), default="finished")
    holding_cost_per_day: Mapped[Decimal] = mapped_column(Numeric(18, 6), default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Location(db.Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="warehouse")
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    allow_negative_stock: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship(lazy="joined")

    @property
    def region_code(self) -> str:
        return self.region.code


class StockBalance(db.Model):
    """On hand and reserved quantity of one item at one location; free = on_hand - reserved."""

    __tablename__ = "stock_balances"
    __table_args__ = (
        UniqueConstraint("item_id", "location_id"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    on_hand: Mapped[Decimal] = mapped_column(Quantity, default=0)
    reserved: Mapped[Decimal] = mapped_column(Quantity, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    item: Mapped[Item] = relationship(lazy="joined")
    location: Mapped[Location] = relationship(lazy="joined")

    @property
    def free(self) -> Decimal:
        return self.on_hand - self.reserved


class StockMovement(db.Model):
    """One stock change as posted: a receipt, issue, transfer, adjustment or count.

    Its effect on balances is its ledger entries (two for a transfer: out of one location and into
    another). Rows are never updated or deleted.
    """

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_reference", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    reference_type: Mapped[str] = mapped_column(String(32), default="free")
    reference: Mapped[str | None] = mapped_column(String(120))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    item: Mapped[Item] = relationship(lazy="joined")
    from_location: Mapped[Location | None] = relationship(foreign_keys=[from_location_id], lazy="joined")
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id], lazy="joined")
    entries: Mapped[list["LedgerEntry"]] = relationship(back_populates="movement", order_by="LedgerEntry.id")


class LedgerEntry(db.Model):
    """The change one movement made to one balance, and the balance after it."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_item_location_id", "item_id", "location_id", "id"),
        # keyset pages of one item's or one location's history, and stock as of an instant for one item
        Index("ix_ledger_entries_item_id_id", "item_id", "id"),
        Index("ix_ledger_entries_location_id_id", "location_id", "id"),
        Index("ix_ledger_entries_item_created_at", "item_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    movement_id: Mapped[int] = mapped_column(ForeignKey("stock_movements.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    delta: Mapped[Decimal] = mapped_column(Quantity)
    balance_after: Mapped[Decimal] = mapped_column(Quantity)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    movement: Mapped[StockMovement] = relationship(back_populates="entries")
    location: Mapped[Location] = relationship(lazy="joined")


class StockReservation(db.Model):
    """Stock held for a released document (a shipment): counted in the balance's `reserved`."""

    __tablename__ = "stock_reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_stock_reservations_reference", "reference_type", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    reference_type: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship(lazy="joined")
    location: Mapped[Location] = relationship(lazy="joined")


class StockCheckpoint(db.Model):
    """On hand of every balance as the ledger stood at `taken_at`: the sum of all entries up to then.

    Stock as of an instant is the latest checkpoint at or before it plus the entries since, so it reads
    one checkpoint and a short stretch of the ledger, never the ledger from its beginning. Rows are
    never updated; each checkpoint is derived from the one before and the entries between them.
    """

    __tablename__ = "stock_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, unique=True)
    entries_since_previous: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StockCheckpointBalance(db.Model):
    """One balance's on hand in a checkpoint (every balance with an entry up to it, zeros included)."""

    __tablename__ = "stock_checkpoint_balances"

    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("stock_checkpoints.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    on_hand: Mapped[Decimal] = mapped_column(Quantity)


class StockCountJob(db.Model):
    """A large stock count uploaded as CSV and applied in chunks, one transaction each.

    `queued → running → done`; `refused` when rows were refused (nothing applied); `failed` when a chunk
    could not be applied (the chunks before it stay, `rows_applied` says how many rows). The file is kept
    until the job ends, so a job whose process stopped can resume from its next chunk.
    """

    __tablename__ = "stock_count_jobs"
    __table_args__ = (Index("ix_stock_count_jobs_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    file_name: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str | None] = mapped_column(Text, deferred=True)
    reason: Mapped[str] = mapped_column(String(500), default="stock count")
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_applied: Mapped[int] = mapped_column(default=0)
    chunk_rows: Mapped[int] = mapped_column(default=5000)
    refused_rows: Mapped[int] = mapped_column(default=0)
    refused: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
