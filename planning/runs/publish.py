"""A plan (contract `supply-plan/1` JSON) to and from the plan tables of its run."""

from collections import defaultdict

from sqlalchemy import select

from core import events
from core.bulk import among, insert_rows
from core.db import db
from core.formats import as_decimal, as_number, iso, parse_time
from orders import confirmations as order_confirmations
from orders.models import CONFIRMATION_STATUSES, Customer, CustomerOrder
from planning.contract import CONTRACT
from planning.runs.events import PlanPublished
from planning.runs.models import PlannedConfirmation, PlannedDelivery, PlanningRun
from planning.runs.proposals import KINDS, PLANNED

DELIVERIES = KINDS["deliveries"]


def write_plan(run: PlanningRun, plan: dict) -> None:
    """Store every part of `plan` in the run's tables and record each order's confirmation.

    In bulk (a statement per table and chunk, no ORM object per row): a plan of 100,000 orders publishes in
    seconds. Each order's row is locked before its status is read, so an order cancelled while the plan
    publishes is either seen cancelled here and skipped, or waits and is cancelled after the publish."""
    confirmations = plan.get("confirmations") or []
    _store_confirmations(run.id, confirmations)
    for kind in PLANNED:
        rows = [kind.values(record, run_id=run.id) for record in plan.get(kind.plan_key) or []]
        insert_rows(kind.model.__table__, rows)
    run_ref = str(run.id)
    promised = order_confirmations.record_confirmations([_promise(c) for c in confirmations], run_ref=run_ref)
    by_number = {c["order_id"]: c for c in confirmations}
    _announce([p for p in promised if p.after != p.before], by_number, run_ref)
    db.session.expire(run)  # its plan's collections were written past the ORM
    events.publish(PlanPublished(run=run, plan=plan))


def _store_confirmations(run_id: int, confirmations: list[dict]) -> None:
    """The plan's confirmations, then their deliveries, in the run's tables; each confirmation keeps what
    its lists filter and sort by (`remember_order`), read from the orders before they are given the plan's
    promises."""
    table = PlannedConfirmation.__table__
    found = _orders_before([conf["order_id"] for conf in confirmations])
    rows = []
    for conf in confirmations:
        row = {
            "run_id": run_id,
            "order_number": conf["order_id"],
            "status": conf["status"],
            "promised_at": parse_time(conf.get("promised_at")),
            "reason": conf.get("reason"),
            "explanation": conf.get("explanation") or "",
        }
        # (an order not found stays unremembered: recording its promise refuses the plan below)
        customer, requested_at, *before = found.get(conf["order_id"], (None, None, None, None))
        row |= remember_order(row, customer=customer, requested_at=requested_at, before=tuple(before))
        rows.append(row)
    ids = insert_rows(table, rows, ids=True)
    deliveries = [
        DELIVERIES.values(
            d, confirmation_id=confirmation_id, run_id=run_id, line=line["line"], sku=line["sku"]
        )
        for confirmation_id, conf in zip(ids, confirmations, strict=True)
        for line in conf.get("lines") or []
        for d in line.get("deliveries") or []
    ]
    insert_rows(PlannedDelivery.__table__, deliveries)


def _orders_before(numbers: list[str]) -> dict[str, tuple]:
    """(customer code, requested time, status, promise) of each order by number, as they stand."""
    found = {}
    for start in range(0, len(numbers), order_confirmations.CHUNK):
        stmt = (
            select(
                CustomerOrder.number,
                Customer.code,
                CustomerOrder.requested_at,
                CustomerOrder.status,
                CustomerOrder.promised_at,
            )
            .join(Customer, CustomerOrder.customer_id == Customer.id)
            .where(among(CustomerOrder.number, numbers[start : start + order_confirmations.CHUNK]))
        )
        found.update({number: tuple(rest) for number, *rest in db.session.execute(stmt)})
    return found


def remember_order(row: dict, *, customer: str, requested_at, before: tuple) -> dict:
    """What a plan's confirmation row keeps for its lists to filter by: whose order it is, when it was
    requested, how late the promise is (hours), and whether it moved from the order's promise before this
    plan (an order confirmed or unconfirmed by an earlier plan)."""
    promised_at = row["promised_at"]
    return {
        "customer": customer,
        "requested_at": requested_at,
        "late_hours": (promised_at - requested_at).total_seconds() / 3600
        if promised_at and requested_at
        else None,
        "previous_status": before[0],
        "previous_promised_at": before[1],
        "promise_moved": before[0] in CONFIRMATION_STATUSES and before != (row["status"], promised_at),
    }


def peg_inputs(snapshot: dict) -> dict:
    """The parts of a snapshot an order's pegging reads: stock, receipts, resources and routes."""
    return {key: snapshot.get(key) or [] for key in ("stock", "receipts", "resources", "routes")}


def _promise(conf: dict) -> order_confirmations.Promise:
    """An order's new promise from the plan's confirmation (an unconfirmed order's lines are dropped)."""
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
    return order_confirmations.Promise(
        number=conf["order_id"],
        status=conf["status"],
        promised_at=parse_time(conf.get("promised_at")),
        lines=lines,
        reason=conf.get("reason") or "",
        explanation=conf.get("explanation") or "",
    )


def _line_payload(line: dict) -> dict:
    """A confirmation line as the API says it (`quantity`; the plan's `qty` beside it, as every response
    carries an older name)."""
    deliveries = [d | {"quantity": d["qty"]} for d in line.get("deliveries") or []]
    return line | {"quantity": line["qty"], "deliveries": deliveries}


def _announce(changed: list, confirmations: dict[str, dict], run_ref: str) -> None:
    """Tell each order's owner that its confirmation changed (outbox events the scheduler delivers)."""
    from planning.webhooks import service as webhooks

    events = []
    for promised in changed:
        conf = confirmations[promised.number]
        payload = {
            "order": promised.number,
            "customer": promised.customer,
            "channel": promised.channel,
            "status": conf["status"],
            "promised_at": conf.get("promised_at"),
            "previous_status": promised.before[0],
            "previous_promised_at": iso(promised.before[1]),
            "reason": conf.get("reason"),
            "explanation": conf.get("explanation") or "",
            "lines": [_line_payload(line) for line in conf.get("lines") or []],
            "run": run_ref,
        }
        events.append(
            {
                "payload": payload,
                "order_number": promised.number,
                "customer": promised.customer,
                "channel": promised.channel,
            }
        )
    webhooks.emit_many(events, type="order.confirmation")


def plan_document(run: PlanningRun) -> dict:
    """The run's plan as the contract's JSON, rebuilt from its tables (confirmations and deliveries read as
    plain rows, two queries: the warm start of every run reads the plan in force)."""
    document = {
        "contract": CONTRACT,
        "plan_start": iso(run.plan_start),
        "confirmations": _confirmation_documents(run.id),
    }
    for kind in PLANNED:
        document[kind.plan_key] = [kind.record(row) for row in getattr(run, kind.name)]
    return document | {"kpis": run.kpis or {}, "solver": run.solver_report or {}}


def _confirmation_documents(run_id: int) -> list[dict]:
    confirmations = PlannedConfirmation.__table__
    deliveries = PlannedDelivery.__table__
    by_confirmation = defaultdict(list)
    stmt = (
        select(deliveries)
        .join(confirmations, deliveries.c.confirmation_id == confirmations.c.id)
        .where(confirmations.c.run_id == run_id)
        .order_by(deliveries.c.id)
    )
    for d in db.session.execute(stmt):
        by_confirmation[d.confirmation_id].append(d)
    stmt = select(confirmations).where(confirmations.c.run_id == run_id).order_by(confirmations.c.id)
    return [_confirmation_document(c, by_confirmation.get(c.id, [])) for c in db.session.execute(stmt)]


def _confirmation_document(conf, deliveries: list) -> dict:
    lines = defaultdict(list)
    skus = {}
    for d in deliveries:
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
