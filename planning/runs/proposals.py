"""Proposal kinds as data: one row per kind says where its rows come from in the plan, how a row is
built and written back, how it is released, and the columns the planner's pages show.

`publish` writes and reads plans, `release` releases proposals and `planning.web.tables` shows them, all
through `KINDS`; a new kind of proposal is one table in `models` (with `ProposalColumns`) and one row here.
Deliveries are a kind too: they come from the plan's confirmations (their `plan_key` is None), are
selected by order number and released as shipments.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.db import db
from core.formats import as_decimal, as_number, iso, parse_time
from inventory.service import InsufficientStock
from logistics import service as logistics_service
from orders import service as orders_service
from planning.runs.models import (
    PlannedConfirmation,
    PlannedDelivery,
    ProductionProposal,
    PurchaseProposal,
    TransferProposal,
)
from procurement import service as procurement_service
from procurement.production import service as production_service

# The contract's name of a column where it differs; and the planner's label of each column
PLAN_NAMES = {"ref": "id", "from_location": "from", "to_location": "to"}
LABELS = {
    "supplier": "Supplier",
    "resource": "Resource",
    "from_location": "From",
    "to_location": "To",
    "mode": "Mode",
    "location": "Location",
    "sku": "SKU",
    "qty": "Qty",
    "order_at": "Order at",
    "receive_at": "Receive at",
    "start_at": "Start",
    "end_at": "End",
    "depart_at": "Depart",
    "arrive_at": "Arrive",
}


@dataclass(frozen=True)
class ProposalKind:
    """One kind of proposal in a plan."""

    name: str  # as the release selects it, and the run's relationship to its rows
    model: type
    plan_key: str | None  # the plan's list of these proposals (None: inside the confirmations)
    plan_columns: tuple[str, ...]  # the columns one record of the plan fills, in the contract's order
    release: Callable  # (row, ref=, plan_ref=, user_id=) -> the document made from it
    lead_columns: tuple[tuple[str, str], ...] = (("ref", "Proposal"),)  # (key, label) first in the table
    by_order: bool = False  # selected by order number, a row per order line (deliveries)

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """(key, label) of the planner's table of these proposals."""
        shown = tuple((c, LABELS[c]) for c in self.plan_columns if c not in dict(self.lead_columns))
        return (*self.lead_columns, *shown, ("released_ref", "Released as"))

    def locked_rows(self, run_id: int) -> list[tuple[str, object]]:
        """The run's rows of this kind as (ref, row), locked, in plan order (a delivery's ref: its order)."""
        return _locked_deliveries(run_id) if self.by_order else _locked_proposals(self.model, run_id)

    def plan_ref(self, run_id: int, ref: str, row) -> str:
        """What a document released from `row` records as its origin in the plan."""
        return f"run {run_id}/{ref}/{row.line}" if self.by_order else f"run {run_id}/{ref}"

    def row(self, record: dict, **extra):
        """A new row from one record of the plan (contract JSON)."""
        return self.model(**self.values(record, **extra))

    def values(self, record: dict, **extra) -> dict:
        """The column values of a new row from one record of the plan (for a bulk insert)."""
        return {c: _read(c, record[PLAN_NAMES.get(c, c)]) for c in self.plan_columns} | extra

    def record(self, row) -> dict:
        """The contract's record of one row."""
        return {PLAN_NAMES.get(c, c): _write(getattr(row, c)) for c in self.plan_columns}


def _locked_proposals(model, run_id: int) -> list[tuple[str, object]]:
    stmt = select(model).where(model.run_id == run_id).order_by(model.id).with_for_update()
    return [(row.ref, row) for row in db.session.scalars(stmt.execution_options(populate_existing=True))]


def _locked_deliveries(run_id: int) -> list[tuple[str, PlannedDelivery]]:
    stmt = (
        select(PlannedDelivery, PlannedConfirmation.order_number)
        .join(PlannedConfirmation, PlannedDelivery.confirmation_id == PlannedConfirmation.id)
        .where(PlannedConfirmation.run_id == run_id)
        .order_by(PlannedDelivery.id)
        .with_for_update(of=PlannedDelivery)
    )
    return [(number, row) for row, number in db.session.execute(stmt)]


def _read(column: str, value):
    if column == "qty":
        return as_decimal(value)
    if column.endswith("_at"):
        return parse_time(value)
    return value


def _write(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, str):
        return value
    return as_number(value)


def _release_purchase(row: PurchaseProposal, *, ref: str, plan_ref: str, user_id: int):
    return procurement_service.create_purchase_order(
        supplier=row.supplier,
        location=row.location,
        lines=[{"sku": row.sku, "qty": row.qty}],
        receive_at=row.receive_at,
        user_id=user_id,
        source="plan",
        plan_ref=plan_ref,
        status="released",
    )


def _release_production(row: ProductionProposal, *, ref: str, plan_ref: str, user_id: int):
    return production_service.create_production_order(
        sku=row.sku,
        resource=row.resource,
        qty=row.qty,
        start_at=row.start_at,
        user_id=user_id,
        source="plan",
        plan_ref=plan_ref,
        status="released",
    )


def _release_transfer(row: TransferProposal, *, ref: str, plan_ref: str, user_id: int):
    shipment = logistics_service.create_planned_shipment(
        kind="transfer",
        from_code=row.from_location,
        to_code=row.to_location,
        mode=row.mode,
        lines=[{"sku": row.sku, "quantity": row.qty}],
        depart_at=row.depart_at,
        arrive_at=row.arrive_at,
        source="plan",
        plan_ref=plan_ref,
        user_id=user_id,
    )
    return _release_if_stocked(shipment, user_id=user_id)


def _release_delivery(row: PlannedDelivery, *, ref: str, plan_ref: str, user_id: int):
    order = orders_service.get_order(ref)
    shipment = logistics_service.create_planned_shipment(
        kind="delivery",
        from_code=row.from_location,
        to_code=order.region.code,
        mode=row.mode,
        order=order,
        lines=[{"sku": row.sku, "quantity": row.qty, "order_line": row.line}],
        depart_at=row.depart_at,
        arrive_at=row.arrive_at,
        source="plan",
        plan_ref=plan_ref,
        user_id=user_id,
    )
    return _release_if_stocked(shipment, user_id=user_id)


def _release_if_stocked(shipment, *, user_id: int):
    """Release a planned shipment (reserving its stock); leave it `planned` if the stock is not there yet."""
    try:
        with db.session.begin_nested():
            logistics_service.release_shipment(number=shipment.number, user_id=user_id)
    except InsufficientStock:
        db.session.refresh(shipment)
    return shipment


KINDS: dict[str, ProposalKind] = {
    kind.name: kind
    for kind in (
        ProposalKind(
            "purchases",
            PurchaseProposal,
            plan_key="procurement",
            plan_columns=("ref", "supplier", "sku", "location", "qty", "order_at", "receive_at"),
            release=_release_purchase,
        ),
        ProposalKind(
            "productions",
            ProductionProposal,
            plan_key="production",
            plan_columns=("ref", "resource", "sku", "qty", "start_at", "end_at"),
            release=_release_production,
        ),
        ProposalKind(
            "transfers",
            TransferProposal,
            plan_key="transfers",
            plan_columns=(
                "ref",
                "from_location",
                "to_location",
                "mode",
                "sku",
                "qty",
                "depart_at",
                "arrive_at",
            ),
            release=_release_transfer,
        ),
        ProposalKind(
            "deliveries",
            PlannedDelivery,
            plan_key=None,
            plan_columns=("qty", "from_location", "mode", "depart_at", "arrive_at"),
            release=_release_delivery,
            lead_columns=(("ref", "Order"), ("line", "Line"), ("sku", "SKU")),
            by_order=True,
        ),
    )
}
PLANNED = tuple(kind for kind in KINDS.values() if kind.plan_key)  # the kinds with a list of their own
