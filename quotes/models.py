"""Quote tables: the residual of each published plan, and the adjustments made to it since (held quotes and
stock movements no document made)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, utcnow

ADJUSTMENT_KINDS = ("hold", "movement")


class QuoteResidual(db.Model):
    """What the plan of `run_id` left free (`quotes.residual.document`), from when it was published. Only the
    latest applies; a quote's hold locks its row, so holds and the next publish take turns."""

    __tablename__ = "quote_residuals"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("planning_runs.id"), unique=True)
    # the adjustments up to this id are in `document` already (or were planned by the run)
    base_adjustment_id: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    document: Mapped[dict] = mapped_column(JSON, deferred=True)


class QuoteAdjustment(db.Model):
    """A change to the residual since it was published: a held quote's ledger entries (what it uses, until
    a run plans its order) or a stock movement's."""

    __tablename__ = "quote_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    order_number: Mapped[str | None] = mapped_column(String(64), index=True)
    entries: Mapped[list] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
