"""One quote against a residual ledger (pure): the solver's own promiser, its words, and what it used.

The quote is promised exactly as a planning run promises one order (`planning.solver.promise`): in stock
near the customer, only the delivery; else receipts, transfers, production or purchases, weighed as the run
weighs them (the earliest unless that costs more than its lateness); several lines, the latest line
(ship-complete: all together). It runs against the residual, so it uses only
what the plan in force left free, and from `now` on (nothing is planned in the past).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planning.solver.contract import Order, OrderLine, Snapshot, format_time
from planning.solver.ledger import Ledger
from planning.solver.promise import OrderOutcome, Promiser, Tactics

# the tactics of the run's main pass (`planning/solver/part.py`, "cost-aware greedy"): the quote chooses
# its supply as the next run would (lateness weighed against cost), so the run keeps it more often; on the
# medium network against earliest-first quoting: 78 of 84 held promises kept (76), p50 10.8 ms (18.9)
QUOTE_TACTICS = Tactics(cost_aware=True, retry=True, lots=True, top_up=True)
_INDEXES = ("_offers", "_routes", "_lanes_to", "sourced_skus")  # a snapshot's lookups, built on first use


class QuotePromiser(Promiser):
    """The run's promiser, keeping its journal: a quote is rolled back, or its entries held, by the caller
    (`Promiser.promise` clears the journal, as a run keeps every promise it makes)."""

    def promise(self, order: Order) -> OrderOutcome:
        mark = self.ledger.mark()
        outcome = self._try_promise(order)
        if outcome.promised_at is None:
            self.ledger.rollback(mark)
            outcome = self._search_wider(order)
            if outcome.promised_at is None:
                self.ledger.rollback(mark)
        return outcome


@dataclass(frozen=True)
class Quote:
    """A quote's answer (`answer`, JSON) and the ledger journal of what it used (empty if unquotable)."""

    answer: dict
    journal: list[tuple]


def at_instant(snapshot: Snapshot, now: int) -> Snapshot:
    """The snapshot as seen from `now`: nothing may be planned before it (its lookups built once, on
    `snapshot`, and shared: built on each copy, they cost a quote on medium a tenth of its time)."""
    if "sourced_skus" not in snapshot.__dict__:
        snapshot.offers_at("", ""), snapshot.routes_at("", ""), snapshot.lanes_to("")
        snapshot.sourced_skus  # noqa: B018 (a cached property: built here, once)
    moved = replace(snapshot, plan_start=max(snapshot.plan_start, now), orders=())
    for name in _INDEXES:
        if name in snapshot.__dict__:
            object.__setattr__(moved, name, snapshot.__dict__[name])
    return moved


def quote_order(snapshot: Snapshot, ledger: Ledger, order: Order, *, now: int) -> Quote:
    """Promise `order` against `ledger` from `now`; the ledger keeps what it used (journalled from the mark
    it had), for the caller to roll back or hold."""
    snap = at_instant(snapshot, now)
    mark = ledger.mark()
    counts = len(ledger.purchases), len(ledger.productions), len(ledger.transfers)
    outcome = QuotePromiser(snap, ledger, QUOTE_TACTICS).promise(order)
    if outcome.promised_at is None:
        return Quote({"quotable": False, "reasons": [outcome.explanation]}, [])
    return Quote(_answer(outcome, ledger, counts), ledger.journal[mark:])


def _answer(outcome: OrderOutcome, ledger: Ledger, counts: tuple[int, int, int]) -> dict:
    lines = [_line(line) for line in outcome.lines]
    return {
        "quotable": True,
        "reasons": [],
        "promised_at": format_time(outcome.promised_at),
        "reason": outcome.reason,
        "explanation": outcome.explanation,
        "lines": lines,
        "uses": {
            "purchases": [
                {
                    "supplier": p.supplier,
                    "sku": p.sku,
                    "location": p.location,
                    "qty": p.qty,
                    "order_at": format_time(p.order_at),
                    "receive_at": format_time(p.receive_at),
                }
                for p in ledger.purchases[counts[0] :]
            ],
            "production": [
                {
                    "resource": m.resource,
                    "sku": m.sku,
                    "qty": m.qty,
                    "start_at": format_time(m.start_at),
                    "end_at": format_time(m.end_at),
                }
                for m in ledger.productions[counts[1] :]
            ],
            "transfers": [
                {
                    "from": t.origin,
                    "to": t.to,
                    "mode": t.mode,
                    "sku": t.sku,
                    "qty": t.qty,
                    "depart_at": format_time(t.depart_at),
                    "arrive_at": format_time(t.arrive_at),
                }
                for t in ledger.transfers[counts[2] :]
            ],
        },
    }


def _line(outcome) -> dict:
    deliveries = [
        {
            "qty": d.qty,
            "from": d.origin,
            "mode": d.mode,
            "depart_at": format_time(d.depart_at),
            "arrive_at": format_time(d.arrive_at),
        }
        for d in outcome.deliveries
    ]
    supply = outcome.supply
    return {
        "line": outcome.line.line,
        "sku": outcome.line.sku,
        "qty": outcome.line.qty,
        "promised_at": format_time(max(d.arrive_at for d in outcome.deliveries)),
        "from": outcome.lane.origin if outcome.lane else outcome.deliveries[0].origin,
        "mode": outcome.lane.mode if outcome.lane else outcome.deliveries[0].mode,
        "reason": supply.reason if supply else "stock",
        "supply": supply.note if supply else f"{outcome.line.sku} on hand at {outcome.deliveries[0].origin}",
        "deliveries": deliveries,
    }


def prospective_order(
    *,
    region: str,
    requested_at: int,
    priority: int,
    weight: float,
    ship_complete: bool,
    lines: list[tuple[str, str, float]],
) -> Order:
    """The quoted order as the solver sees one (`lines`: line id, sku, quantity)."""
    return Order(
        "quote",
        region,
        requested_at,
        str(priority),
        weight,
        ship_complete,
        None,
        tuple(OrderLine(line, sku, qty) for line, sku, qty in lines),
    )
