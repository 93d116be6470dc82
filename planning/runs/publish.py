"""A plan (contract `supply-plan/1` JSON) to and from the plan tables of its run."""

from collections import defaultdict

from core.db import db
from core.formats import as_decimal, as_number, iso, parse_time
from orders import service as orders_service
from orders.models import PLANNED_STATUSES
from planning.contract import CONTRACT
from planning.runs.models import PlannedConfirmation, PlanningRun
from planning.runs.proposals import KINDS, PLANNED

DELIVERIES = KINDS["deliveries"]


def write_plan(run: PlanningRun, plan: dict) -> None:
    """Store every part of `plan` in the run's tables and record each order's confirmation."""
    for conf in plan.get("confirmations") or []:
        run.confirmations.append(_confirmation_row(conf))
        _confirm_order(conf, run_ref=str(run.id))
    for kind in PLANNED:
        getattr(run, kind.name).extend(kind.row(record) for record in plan.get(kind.plan_key) or [])
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
                    {**d, "depart_at": parse_time(d["depart_at"]), "arrive_at": parse_time(d["arrive_at"])}
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
        promised_at=parse_time(conf.get("promised_at")),
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
        "previous_promised_at": iso(before[1]),
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
        promised_at=parse_time(conf.get("promised_at")),
        reason=conf.get("reason"),
        explanation=conf.get("explanation") or "",
    )
    for line in conf.get("lines") or []:
        row.deliveries.extend(
            DELIVERIES.row(d, line=line["line"], sku=line["sku"]) for d in line.get("deliveries") or []
        )
    return row


def plan_document(run: PlanningRun) -> dict:
    """The run's plan as the contract's JSON, rebuilt from its tables."""
    document = {
        "contract": CONTRACT,
        "plan_start": iso(run.plan_start),
        "confirmations": [_confirmation_document(c) for c in run.confirmations],
    }
    for kind in PLANNED:
        document[kind.plan_key] = [kind.record(row) for row in getattr(run, kind.name)]
    return document | {"kpis": run.kpis or {}, "solver": run.solver_report or {}}


def _confirmation_document(conf: PlannedConfirmation) -> dict:
    lines = defaultdict(list)
    skus = {}
    for d in conf.deliveries:
        skus[d.line] = d.sku
        lines[d.line].append(DELIVERIES.record(d))
    document = {
        "order_id": conf.order_number,
        "status": conf.status,
        "promised_at": iso(conf.promised_at),
        "lines": [
            {
                "line": line,
                "sku": skus[line],
                "qty": as_number(sum(as_decimal(d["qty"]) for d in ds)),
                "deliveries": ds,
            }
            for line, ds in lines.items()
        ],
        "reason": conf.reason,
        "explanation": conf.explanation,
    }
    return document
