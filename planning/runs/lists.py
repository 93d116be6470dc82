"""A run's plan as lists the database filters, sorts and pages: one `Select` of labelled columns per table.

The pages (and their CSVs) never load a whole plan: each table is a statement over the run's rows, its
columns labelled with the keys the planner's tables show, with the sortable columns beside it. A
confirmation row keeps its order's requested time, lateness and previous promise (written when the plan
is stored), so lateness and changes filter and sort on the run's own rows; the customer is looked up
for the rows shown.
"""

from dataclasses import dataclass

from sqlalchemy import Select, and_, cast, exists, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Float

from core.db import dialect_name, search_words
from planning.runs.models import PlannedConfirmation, PlannedDelivery
from planning.runs.proposals import KINDS as PROPOSALS

LATE_TOLERANCE_HOURS = 1 / 3600  # a promise a second after the request is on time (the contract's grace)


@dataclass(frozen=True)
class PlanTable:
    """One table of a plan: its statement, its sortable columns by key, the default sort and a tiebreak."""

    stmt: Select
    sorts: dict[str, ColumnElement]
    default: str
    tiebreak: ColumnElement


def hours_between(later, earlier) -> ColumnElement:
    """`later - earlier` in hours, as the database computes it."""
    if dialect_name() == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return cast(func.extract("epoch", later - earlier), Float) / 3600.0


def confirmations_table(
    run_id: int, *, status: str = "", late: str = "", sku: str = "", location: str = "", q: str = ""
) -> PlanTable:
    """The run's confirmations with the order's customer, requested time and lateness (hours late)."""
    conf = PlannedConfirmation
    deliveries = (
        select(func.count(PlannedDelivery.id)).where(PlannedDelivery.confirmation_id == conf.id)
    ).scalar_subquery()
    stmt = select(
        conf.id.label("id"),
        conf.order_number.label("order"),
        conf.customer.label("customer"),
        conf.requested_at.label("requested_at"),
        conf.status.label("status"),
        conf.promised_at.label("promised_at"),
        conf.late_hours.label("late_hours"),
        conf.reason.label("reason"),
        deliveries.label("deliveries"),
        conf.explanation.label("explanation"),
    ).where(conf.run_id == run_id)
    if status:
        stmt = stmt.where(conf.status == status)
    if late == "yes":
        stmt = stmt.where(conf.late_hours > LATE_TOLERANCE_HOURS)
    elif late == "no":
        stmt = stmt.where(conf.late_hours <= LATE_TOLERANCE_HOURS)
    if sku or location:
        served = select(PlannedDelivery.id).where(PlannedDelivery.confirmation_id == conf.id)
        served = served.where(PlannedDelivery.sku == sku) if sku else served
        served = served.where(PlannedDelivery.from_location == location) if location else served
        stmt = stmt.where(exists(served))
    stmt = search_words(stmt, (conf.order_number, conf.customer), q)
    sorts = {
        "order": conf.order_number,
        "customer": conf.customer,
        "requested_at": conf.requested_at,
        "status": conf.status,
        "promised_at": conf.promised_at,
        "late_hours": conf.late_hours,
        "reason": conf.reason,
    }
    return PlanTable(stmt, sorts, "order", conf.id)


def proposals_table(
    run_id: int, kind: str, *, sku: str = "", location: str = "", released: str = "", q: str = ""
) -> PlanTable:
    """One kind of the run's proposals (deliveries: with their order's number as `ref`)."""
    spec = PROPOSALS[kind]
    model = spec.model
    keys = [key for key, _ in spec.columns]
    if spec.by_order:
        ref = PlannedConfirmation.order_number
        columns = {key: ref if key == "ref" else getattr(model, key) for key in keys}
        stmt = select(model.id.label("id"), *(c.label(k) for k, c in columns.items()))
        stmt = stmt.outerjoin(PlannedConfirmation, PlannedConfirmation.id == model.confirmation_id)
        stmt = stmt.where(model.run_id == run_id)
    else:
        columns = {key: getattr(model, key) for key in keys}
        stmt = select(model.id.label("id"), *(c.label(k) for k, c in columns.items()))
        stmt = stmt.where(model.run_id == run_id)
    places = [c for k, c in columns.items() if "location" in k]
    if sku:
        stmt = stmt.where(model.sku == sku)
    if location and places:
        stmt = stmt.where(or_(*(c == location for c in places)))
    if released in ("yes", "no"):
        stmt = stmt.where(
            model.released_ref.is_not(None) if released == "yes" else model.released_ref.is_(None)
        )
    text = [c for k, c in columns.items() if k not in ("qty",) and not k.endswith("_at")]
    stmt = search_words(stmt, text, q)
    return PlanTable(stmt, columns, "depart_at" if spec.by_order else "ref", model.id)


def changed_promises(run_id: int, *, direction: str = "", q: str = "") -> PlanTable:
    """Orders whose promise this plan moved (or whose status it changed) from the one they had before."""
    conf = PlannedConfirmation
    hours = hours_between(conf.promised_at, conf.previous_promised_at)
    stmt = select(
        conf.id.label("id"),
        conf.order_number.label("order"),
        conf.previous_status.label("was_status"),
        conf.previous_promised_at.label("was"),
        conf.status.label("now_status"),
        conf.promised_at.label("now"),
        hours.label("hours"),
    ).where(conf.run_id == run_id, conf.promise_moved.is_(true()))
    if direction == "later":
        stmt = stmt.where(conf.promised_at > conf.previous_promised_at)
    elif direction == "earlier":
        stmt = stmt.where(conf.promised_at < conf.previous_promised_at)
    elif direction == "status":
        stmt = stmt.where(conf.status != conf.previous_status)
    stmt = search_words(stmt, (conf.order_number,), q)
    sorts = {
        "order": conf.order_number,
        "was": conf.previous_promised_at,
        "now": conf.promised_at,
        "hours": hours,
    }
    return PlanTable(stmt, sorts, "order", conf.id)


def changed_proposals(run_id: int, previous_id: int, kind: str, change: str) -> PlanTable:
    """Proposals of `kind` new in this plan (`new`) or gone from the previous one (`removed`), compared by
    what they are (supplier or resource, sku, location, qty and day), not by the solver's ids; one row
    per distinct proposal (the first)."""
    model = PROPOSALS[kind].model
    this, other = (run_id, previous_id) if change == "new" else (previous_id, run_id)
    if kind == "purchases":
        keys = ("supplier", "sku", "location", "qty", "receive_at")
        what = (model.supplier, model.sku, model.location, model.qty, func.date(model.receive_at))
    else:
        keys = ("resource", "sku", "qty", "start_at")
        what = (model.resource, model.sku, model.qty, func.date(model.start_at))
    labels = [f"k{i}" for i in range(len(what))]
    mine = (
        select(func.min(model.id).label("id"), *(c.label(k) for c, k in zip(what, labels, strict=True)))
        .where(model.run_id == this)
        .group_by(*what)
        .subquery()
    )
    theirs = select(*(c.label(k) for c, k in zip(what, labels, strict=True))).where(model.run_id == other)
    theirs = theirs.distinct().subquery()
    same = [mine.c[k] == theirs.c[k] for k in labels]
    stmt = (
        select(model.id.label("id"), *(getattr(model, k).label(k) for k in keys))
        .join(mine, mine.c.id == model.id)
        .outerjoin(theirs, and_(*same))
        .where(theirs.c[labels[0]].is_(None))
    )
    return PlanTable(stmt, {k: getattr(model, k) for k in keys}, keys[0], model.id)
