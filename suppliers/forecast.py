"""The suppliers' forecast: what the plan in force proposes to buy from a supplier and has not released
yet, by week of receipt (weeks start on Monday, UTC) and item, next to what the previous plan proposed."""

import csv
import io
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.db import db
from core.fields import api_name
from core.formats import as_number
from planning.runs import service as runs_service
from planning.runs.models import PlanningRun, PurchaseProposal
from planning.web.listing import cell
from procurement.models import Supplier

COLUMNS = ("week", "sku", "location", "qty", "previous_qty", "change")


def _week(moment: datetime) -> str:
    return (moment - timedelta(days=moment.weekday())).date().isoformat()


def _previous_run(run: PlanningRun) -> PlanningRun | None:
    stmt = (
        select(PlanningRun)
        .where(PlanningRun.published_at.is_not(None), PlanningRun.published_at < run.published_at)
        .order_by(PlanningRun.published_at.desc(), PlanningRun.id.desc())
    )
    return db.session.scalars(stmt).first()


def _weekly(run: PlanningRun | None, supplier: Supplier) -> dict[tuple, Decimal]:
    if run is None:
        return {}
    stmt = select(
        PurchaseProposal.sku, PurchaseProposal.location, PurchaseProposal.receive_at, PurchaseProposal.qty
    ).where(
        PurchaseProposal.run_id == run.id,
        PurchaseProposal.supplier == supplier.code,
        PurchaseProposal.released_ref.is_(None),
    )
    weeks = defaultdict(Decimal)
    for sku, location, receive_at, qty in db.session.execute(stmt):
        weeks[(_week(receive_at), sku, location)] += qty
    return weeks


def supplier_forecast(supplier: Supplier) -> dict:
    """The supplier's forecast from the plan in force, with the change since the previous plan."""
    run = runs_service.published_run()
    if run is None:
        return {"run": None, "previous_run": None, "rows": []}
    previous = _previous_run(run)
    now, before = _weekly(run, supplier), _weekly(previous, supplier)
    rows = []
    for key in sorted(set(now) | set(before)):
        qty, was = now.get(key, Decimal(0)), before.get(key, Decimal(0)) if previous else None
        rows.append(
            dict(zip(COLUMNS[:3], key, strict=True))
            | {
                "qty": as_number(qty),
                "previous_qty": as_number(was),
                "change": as_number(qty - was) if was is not None else None,
            }
        )
    return {"run": run.id, "previous_run": previous.id if previous else None, "rows": rows}


def forecast_csv(forecast: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([api_name(column) for column in COLUMNS])
    for row in forecast["rows"]:
        writer.writerow([cell(row[column]) for column in COLUMNS])
    return out.getvalue()


def proposed_count(supplier: Supplier) -> int:
    run = runs_service.published_run()
    if run is None:
        return 0
    stmt = select(func.count()).where(
        PurchaseProposal.run_id == run.id, PurchaseProposal.supplier == supplier.code
    )
    return db.session.scalar(stmt)
