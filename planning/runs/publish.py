"""A plan (contract `supply-plan/1` JSON) to and from the plan tables of its run."""

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from core.db import db
from orders import service as orders_service
from orders.models import PLANNED_STATUSES
from planning.runs.models import (
    PlannedConfirmation,
    PlannedDelivery,
    PlanningRun,
    ProductionProposal,
    PurchaseProposal,
    TransferProposal,
)

CONTRACT = "supply-plan/1"


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _qty(value) -> Decimal:
    return Decimal(str(value))


def _number(value: Decimal) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def write_plan(run: PlanningRun, plan: dict) -> None:
    """Store every part of `plan` in the run's tables and record each order's confirmation."""
    for conf in plan.get("confirmations") or []:
        run.confirmations.append(_confirmation_row(conf))
        _confirm_order(conf, run_ref=str(run.id))
    run.purchases.extend(
        PurchaseProposal(
            ref=p["id"],
            supplier=p["supplier"],
            sku=p["sku"],
            location=p["location"],
            qty=_qty(p["qty"]),
            order_at=_time(p["order_at"]),
            receive_at=_time(p["receive_at"]),
        )
        for p in plan.get("procurement") or []
    )
    run.productions.extend(
        ProductionProposal(
            ref=p["id"],
            resource=p["resource"],
            sku=p["sku"],
            qty=_qty(p["qty"]),
            start_at=_time(p["start_at"]),
            end_at=_time(p["end_at"]),
        )
        for p in plan.get("production") or []
    )
    run.transfers.extend(
        TransferProposal(
            ref=t["id"],
            from_location=t["from"],
            to_location=t["to"],
            mode=t["mode"],
            sku=t["sku"],
            qty=_qty(t["qty"]),
            depart_at=_time(t["depart_at"]),
            arrive_at=_time(t["arrive_at"]),
        )
        for t in plan.get("transfers") or []
    )
    db.session.flush()


def _confirm_order(conf: dict, *, run_ref: str) -> None:
    """Give the order its new confirmation, unless it left the planned statuses during the run.

    The order's row is locked before its status is read (and re-read), so an order cancelled while the plan
    publishes is either seen cancelled here and skipped, or waits and is cancelled after the publish.
    """
    order = orders_service.lock_order(conf["order_id"])
    if order.status not in PLANNED_STATUSES:
        return
    before = (order.status, order.promised_at)
    lines = (
        [
            {
                "line": line["line"],
                "sku": line["sku"],
                "qty": line["qty"],
                "deliveries": [
                    {**d, "depart_at": _time(d["depart_at"]), "arrive_at": _time(d["arrive_at"])}
                    for d in line.get("deliveries") or []
                ],
            }
            for line in conf.get("lines") or []
        ]
        if conf["status"] == "confirmed"
        else []
    )
    orders_service.record_confirmation(
        order=order,
        status=conf["status"],
        promised_at=_time(conf.get("promised_at")),
        lines=lines,
        reason=conf.get("reason") or "",
        explanation=conf.get("explanation") or "",
        run_ref=run_ref,
    )
    if (order.status, order.promised_at) != before:
        _announce(order, conf, before, run_ref)


def _announce(order, conf: dict, before: tuple, run_ref: str) -> None:
    """Tell the order's owner that its confirmation changed (an outbox event the scheduler delivers)."""
    from planning.webhooks import service as webhooks

    payload = {
        "order": order.number,
        "customer": order.customer_code,
        "channel": order.channel,
        "status": conf["status"],
        "promised_at": conf.get("promised_at"),
        "previous_status": before[0],
        "previous_promised_at": _iso(before[1]),
        "reason": conf.get("reason"),
        "explanation": conf.get("explanation") or "",
        "lines": conf.get("lines") or [],
        "run": run_ref,
    }
    webhooks.emit(
        type="order.confirmation",
        payload=payload,
        order_number=order.number,
        customer=order.customer_code,
        channel=order.channel,
    )


def _confirmation_row(conf: dict) -> PlannedConfirmation:
    row = PlannedConfirmation(
        order_number=conf["order_id"],
        status=conf["status"],
        promised_at=_time(conf.get("promised_at")),
        reason=conf.get("reason"),
        explanation=conf.get("explanation") or "",
    )
    for line in conf.get("lines") or []:
        row.deliveries.extend(
            PlannedDelivery(
                line=line["line"],
                sku=line["sku"],
                qty=_qty(d["qty"]),
                from_location=d["from"],
                mode=d["mode"],
                depart_at=_time(d["depart_at"]),
                arrive_at=_time(d["arrive_at"]),
            )
            for d in line.get("deliveries") or []
        )
    return row


def plan_document(run: PlanningRun) -> dict:
    """The run's plan as the contract's JSON, rebuilt from its tables."""
    return {
        "contract": CONTRACT,
        "plan_start": _iso(run.plan_start),
        "confirmations": [_confirmation_document(c) for c in run.confirmations],
        "procurement": [
            {
                "id": p.ref,
                "supplier": p.supplier,
                "sku": p.sku,
                "location": p.location,
                "qty": _number(p.qty),
                "order_at": _iso(p.order_at),
                "receive_at": _iso(p.receive_at),
            }
            for p in run.purchases
        ],
        "production": [
            {
                "id": p.ref,
                "resource": p.resource,
                "sku": p.sku,
                "qty": _number(p.qty),
                "start_at": _iso(p.start_at),
                "end_at": _iso(p.end_at),
            }
            for p in run.productions
        ],
        "transfers": [
            {
                "id": t.ref,
                "from": t.from_location,
                "to": t.to_location,
                "mode": t.mode,
                "sku": t.sku,
                "qty": _number(t.qty),
                "depart_at": _iso(t.depart_at),
                "arrive_at": _iso(t.arrive_at),
            }
            for t in run.transfers
        ],
        "kpis": run.kpis or {},
        "solver": run.solver_report or {},
    }


def _confirmation_document(conf: PlannedConfirmation) -> dict:
    lines = defaultdict(list)
    skus = {}
    for d in conf.deliveries:
        skus[d.line] = d.sku
        lines[d.line].append(
            {
                "qty": _number(d.qty),
                "from": d.from_location,
                "mode": d.mode,
                "depart_at": _iso(d.depart_at),
                "arrive_at": _iso(d.arrive_at),
            }
        )
    document = {
        "order_id": conf.order_number,
        "status": conf.status,
        "promised_at": _iso(conf.promised_at),
        "lines": [
            {
                "line": line,
                "sku": skus[line],
                "qty": _number(sum(Decimal(str(d["qty"])) for d in ds)),
                "deliveries": ds,
            }
            for line, ds in lines.items()
        ],
        "reason": conf.reason,
        "explanation": conf.explanation,
    }
    return document
