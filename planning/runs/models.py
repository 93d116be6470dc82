"""A planning run and the plan it produced, stored in tables tied to the run.

Codes in the plan tables (sku, location, supplier, resource, order number) are stored as the
snapshot had them: a plan is a record of what was decided at that instant.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Float, ForeignKey, Index, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, db, utcnow

RUN_TRIGGERS = ("schedule", "api", "cli")
RUN_STATUSES = ("queued", "running", "succeeded", "failed")
ACTIVE_STATUSES = ("queued", "running")
Quantity = Numeric(18, 6)


class PlanningRun(db.Model):
    __tablename__ = "planning_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(16))
    cycle_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # what the requester asked for (None: the executor's budget), and the budget the run was given where it
    # executed (set when it starts: the executor's, or the request's if less)
    requested_budget_s: Mapped[float | None] = mapped_column(Float)
    time_budget_s: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plan_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snapshot: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    progress: Mapped[dict | None] = mapped_column(JSON)
    solver_report: Mapped[dict | None] = mapped_column(JSON)
    kpis: Mapped[dict | None] = mapped_column(JSON)
    # what an order's pegging reads of the snapshot (stock, receipts, plants, routes): a run's snapshot holds
    # every order too, far too big to read for one order's page
    peg_inputs: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    costs: Mapped[dict | None] = mapped_column(JSON)  # the plan's cost split, worked out when it is stored
    error: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    confirmations: Mapped[list["PlannedConfirmation"]] = relationship(
        back_populates="run", order_by="PlannedConfirmation.id", cascade="all, delete-orphan"
    )
    purchases: Mapped[list["PurchaseProposal"]] = relationship(
        order_by="PurchaseProposal.id", cascade="all, delete-orphan"
    )
    productions: Mapped[list["ProductionProposal"]] = relationship(
        order_by="ProductionProposal.id", cascade="all, delete-orphan"
    )
    transfers: Mapped[list["TransferProposal"]] = relationship(
        order_by="TransferProposal.id", cascade="all, delete-orphan"
    )

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class PlannedConfirmation(db.Model):
    """The plan's answer for one order: confirmed (promise, reason) or unconfirmed (what blocked it)."""

    __tablename__ = "planned_confirmations"
    __table_args__ = (
        Index("ix_planned_confirmations_run_order", "run_id", "order_number"),
        Index("ix_planned_confirmations_run_late", "run_id", "late_hours"),
        Index("ix_planned_confirmations_run_moved", "run_id", "promise_moved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("planning_runs.id"), index=True)
    order_number: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(32))
    explanation: Mapped[str] = mapped_column(Text, default="")
    # the order as the plan found it, kept so its lists filter and sort without joining every order: whose
    # it is, when it was requested, how late the promise is (hours; None: not promised), and its promise
    # before this plan
    customer: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_hours: Mapped[float | None] = mapped_column(Float)
    previous_status: Mapped[str | None] = mapped_column(String(16))
    previous_promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promise_moved: Mapped[bool] = mapped_column(default=False, server_default=false())

    run: Mapped[PlanningRun] = relationship(back_populates="confirmations")
    deliveries: Mapped[list["PlannedDelivery"]] = relationship(
        order_by="PlannedDelivery.id", cascade="all, delete-orphan"
    )


class PlannedDelivery(db.Model):
    """A delivery proposal: part of an order line leaving a location by a lane to the customer's region."""

    __tablename__ = "planned_deliveries"
    __table_args__ = (
        Index("ix_planned_deliveries_run_sku_from", "run_id", "sku", "from_location"),
        Index("ix_planned_deliveries_run_depart", "run_id", "depart_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # the run, as on its confirmation: a run's deliveries listed and counted without joining them
    run_id: Mapped[int | None] = mapped_column(ForeignKey("planning_runs.id"))
    confirmation_id: Mapped[int] = mapped_column(ForeignKey("planned_confirmations.id"), index=True)
    line: Mapped[str] = mapped_column(String(32))
    sku: Mapped[str] = mapped_column(String(64))
    qty: Mapped[Decimal] = mapped_column(Quantity)
    from_location: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime)
    arrive_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_ref: Mapped[str | None] = mapped_column(String(64))


class ProposalColumns:
    """The columns every proposal table shares: its run, its ref in the plan, what and how much, and the
    document it was released as (None until then)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("planning_runs.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(64))
    qty: Mapped[Decimal] = mapped_column(Quantity)
    released_ref: Mapped[str | None] = mapped_column(String(64))


class PurchaseProposal(ProposalColumns, db.Model):
    __tablename__ = "purchase_proposals"
    # one supplier's purchases in one plan: the supplier portal's forecast
    __table_args__ = (
        Index("ix_purchase_proposals_run_sku", "run_id", "sku"),
        Index("ix_purchase_proposals_run_supplier", "run_id", "supplier"),
    )

    supplier: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(64))
    order_at: Mapped[datetime] = mapped_column(UTCDateTime)
    receive_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProductionProposal(ProposalColumns, db.Model):
    __tablename__ = "production_proposals"
    __table_args__ = (Index("ix_production_proposals_run_sku", "run_id", "sku"),)

    resource: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TransferProposal(ProposalColumns, db.Model):
    __tablename__ = "transfer_proposals"
    __table_args__ = (Index("ix_transfer_proposals_run_sku", "run_id", "sku"),)

    from_location: Mapped[str] = mapped_column(String(64))
    to_location: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime)
    arrive_at: Mapped[datetime] = mapped_column(UTCDateTime)


SIMULATION_STATUSES = ("queued", "running", "succeeded", "failed")


class Simulation(db.Model):
    """A what-if: a posted snapshot queued by a user, planned by the scheduler process (never by a web
    worker), its plan kept here; nothing else is read or written."""

    __tablename__ = "planning_simulations"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    time_limit_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snapshot: Mapped[dict] = mapped_column(JSON, deferred=True)
    plan: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    solver_report: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
