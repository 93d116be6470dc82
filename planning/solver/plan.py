"""Turning ledger actions and order outcomes into a `supply-plan/1` plan, with its cost and KPIs."""

from __future__ import annotations

from dataclasses import dataclass

from planning.solver.contract import CONTRACT, DAY, Snapshot, format_time
from planning.solver.ledger import Ledger
from planning.solver.promise import OrderOutcome


@dataclass(frozen=True)
class Candidate:
    """A complete plan in solver terms, with its cost in the contract's terms."""

    name: str
    outcomes: tuple[OrderOutcome, ...]
    ledger: Ledger
    cost: float


def opening_holding(snapshot: Snapshot) -> float:
    """Holding cost of the stock and receipts the plan starts with (the same for every plan)."""
    total = sum(snapshot.holding.get(sku, 0.0) * qty for (sku, _), qty in snapshot.stock.items())
    total *= (snapshot.horizon_end - snapshot.plan_start) / DAY
    for r in snapshot.receipts:
        total += snapshot.holding.get(r.sku, 0.0) * r.qty * (snapshot.horizon_end - r.arrive_at) / DAY
    return total


def service_cost(snapshot: Snapshot, outcome: OrderOutcome) -> float:
    """Lateness, unserved and broken-promise cost of one order's outcome."""
    order, policy = outcome.order, snapshot.policy
    promised = outcome.promised_at
    if promised is None:
        cost = policy.unserved_penalty
    else:
        deliveries = [d for line in outcome.lines for d in line.deliveries]
        if order.ship_complete:
            late = max(0, promised - order.requested_at)
        else:
            total = sum(d.qty for d in deliveries)
            late = sum(d.qty * max(0, d.arrive_at - order.requested_at) for d in deliveries) / total
        cost = policy.lateness_cost_per_day * late / DAY
    if breaks_promise(outcome):
        cost += policy.broken_promise_penalty
    return order.weight * cost


def breaks_promise(outcome: OrderOutcome) -> bool:
    """Whether the outcome breaks the order's confirmed promise: unconfirmed, or promised over 1 s later."""
    promise = outcome.order.confirmed_promise_at
    return promise is not None and (outcome.promised_at is None or outcome.promised_at > promise + 1)


def candidate(snapshot: Snapshot, name: str, outcomes: list[OrderOutcome], ledger: Ledger) -> Candidate:
    cost = opening_holding(snapshot) + ledger.cost + sum(service_cost(snapshot, o) for o in outcomes)
    return Candidate(name, tuple(outcomes), ledger, cost)


def _confirmation(outcome: OrderOutcome) -> dict:
    order = outcome.order
    if outcome.promised_at is None:
        return {
            "order_id": order.id,
            "status": "unconfirmed",
            "promised_at": None,
            "lines": [
                {"line": line.line, "sku": line.sku, "qty": line.qty, "deliveries": []}
                for line in order.lines
            ],
            "reason": "blocked",
            "explanation": outcome.explanation,
        }
    lines = [
        {
            "line": lo.line.line,
            "sku": lo.line.sku,
            "qty": lo.line.qty,
            "deliveries": [
                {
                    "qty": d.qty,
                    "from": d.origin,
                    "mode": d.mode,
                    "depart_at": format_time(d.depart_at),
                    "arrive_at": format_time(d.arrive_at),
                }
                for d in lo.deliveries
            ],
        }
        for lo in outcome.lines
    ]
    return {
        "order_id": order.id,
        "status": "confirmed",
        "promised_at": format_time(outcome.promised_at),
        "lines": lines,
        "reason": outcome.reason,
        "explanation": outcome.explanation,
    }


def kpis(outcomes: tuple[OrderOutcome, ...]) -> dict:
    confirmed = [o for o in outcomes if o.promised_at is not None]
    on_time = sum(1 for o in confirmed if o.promised_at <= o.order.requested_at + 1)
    return {
        "orders": len(outcomes),
        "confirmed": len(confirmed),
        "on_time": on_time,
        "late": len(confirmed) - on_time,
        "unconfirmed": len(outcomes) - len(confirmed),
    }


def to_plan(snapshot: Snapshot, chosen: Candidate, solver: dict) -> dict:
    """The plan document for `chosen`; `solver` is the status/objective/bound/seconds report."""
    purchases, productions = chosen.ledger.merged()
    return {
        "contract": CONTRACT,
        "plan_start": snapshot.plan_start_text,
        "confirmations": [_confirmation(o) for o in chosen.outcomes],
        "procurement": [
            {
                "id": f"PO-P{i + 1}",
                "supplier": p.supplier,
                "sku": p.sku,
                "location": p.location,
                "qty": p.qty,
                "order_at": format_time(p.order_at),
                "receive_at": format_time(p.receive_at),
            }
            for i, p in enumerate(purchases)
        ],
        "production": [
            {
                "id": f"MO-P{i + 1}",
                "resource": m.resource,
                "sku": m.sku,
                "qty": m.qty,
                "start_at": format_time(m.start_at),
                "end_at": format_time(m.end_at),
            }
            for i, m in enumerate(productions)
        ],
        "transfers": [
            {
                "id": f"TR-P{i + 1}",
                "from": t.origin,
                "to": t.to,
                "mode": t.mode,
                "sku": t.sku,
                "qty": t.qty,
                "depart_at": format_time(t.depart_at),
                "arrive_at": format_time(t.arrive_at),
            }
            for i, t in enumerate(chosen.ledger.transfers)
        ],
        "kpis": kpis(chosen.outcomes),
        "solver": solver,
    }
