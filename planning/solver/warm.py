"""Starting from the plan in force: an earlier plan's decisions replayed on a new snapshot.

Two starts come from it. The plan itself, to the second, when every order is still in it and it still
holds on the new snapshot; when the new run starts later (the usual case: minutes or hours later), it is
first caught up (`catch_up`): what was due before the new start is done at the start and what waited for
it waits as long, so a promise that had slack is kept and the plan's cost barely moves. And the earlier
plan read back as daily decisions (purchases by receive day, production by start day, transfers and
deliveries by departure day), timed exactly on the new snapshot like any daily plan (`extract.Timer`):
what can still be done is placed at its earliest instant that day, what no longer fits (its order is
gone, its stock was used, its day has passed) is left out, and every order it does not serve — new ones
included — is promised afresh. On the same inputs this gives back the earlier plan (or a cheaper one), so
a run never publishes a plan dearer than the last one on the same data; when the inputs moved a little,
it is a good first plan that the passes and the model then try to beat.
"""

from __future__ import annotations

from planning.solver.catch_up import catch_up
from planning.solver.contract import Snapshot, day_of, parse_time
from planning.solver.extract import time_solution
from planning.solver.ledger import QTY_TOL, Production, Purchase, Transfer
from planning.solver.model import Solution
from planning.solver.peg import Actions, rebuild
from planning.solver.plan import Candidate, breaks_promise
from planning.solver.promise import Delivery, LineOutcome, OrderOutcome, explain


def warm_candidates(snap: Snapshot, plan: dict) -> list[Candidate]:
    """The earlier `plan` as it stands (caught up to a later start), where it is still valid on `snap` to the
    second, and its daily decisions timed again on `snap` (none if it cannot be read as a plan)."""
    found = []
    try:
        exact = as_it_stands(snap, plan)
        if exact is not None:
            found.append(exact)  # the plan itself, caught up: the passes and the model must beat its cost
        kept = _promises_kept(snap, plan)
        timed = time_solution(snap, daily_decisions(snap, plan))
        # the daily replay that breaks a promise the earlier plan kept (timed again from a later start, a
        # delivery can land hours after what was promised) is no start: the passes keep promises first
        if timed is not None and not any(o.order.id in kept and breaks_promise(o) for o in timed.outcomes):
            found.append(timed)
    except (KeyError, TypeError, ValueError):
        pass
    return found


def _promises_kept(snap: Snapshot, plan: dict) -> set[str]:
    """The orders with a confirmed promise that `plan` kept."""
    promised = {
        c.get("order_id"): parse_time(c["promised_at"])
        for c in plan.get("confirmations") or []
        if c.get("status") == "confirmed" and c.get("promised_at")
    }
    return {
        order.id
        for order in snap.orders
        if order.confirmed_promise_at is not None
        and order.id in promised
        and not breaks_promise(OrderOutcome(order, promised[order.id], (), "", ""))
    }


def as_it_stands(snap: Snapshot, plan: dict) -> Candidate | None:
    """The earlier plan itself, if every order of `snap` is in it and it is valid on `snap` as it is; a plan
    made from an earlier start is caught up first (`catch_up`: what was due before `snap` starts is done
    now, and what waited for it waits as long)."""
    orders = {order.id: order for order in snap.orders}
    confirmations = {c["order_id"]: c for c in plan.get("confirmations") or []}
    if set(confirmations) != set(orders) or plan.get("plan_start") is None:
        return None
    earlier_start = parse_time(plan["plan_start"])
    if earlier_start > snap.plan_start:
        return None
    actions = _actions(plan)
    read = {order.id: _lines(snap, order, confirmations[order.id]) for order in snap.orders}
    if any(lines is None for lines in read.values()):
        return None
    moved = earlier_start < snap.plan_start
    if moved:
        caught = catch_up(snap, actions, read)
        if caught is None:
            return None
        actions, read = caught
    deliveries = [d for lines in read.values() for line in lines for d in line.deliveries]
    if any(d.depart_at < snap.plan_start or d.arrive_at > snap.horizon_end for d in deliveries):
        return None
    outcomes = [_outcome(order, read[order.id], confirmations[order.id], moved) for order in snap.orders]
    if None in outcomes or not _actions_valid(snap, actions):
        return None
    found = rebuild(snap, actions, outcomes, "plan in force")
    return found if _ledger_valid(snap, found) else None


def _actions(plan: dict) -> Actions:
    return Actions(
        tuple(
            Purchase(
                p["supplier"],
                p["sku"],
                p["location"],
                float(p["qty"]),
                parse_time(p["order_at"]),
                parse_time(p["receive_at"]),
            )
            for p in plan.get("procurement") or []
        ),
        tuple(
            Production(
                m["resource"], m["sku"], float(m["qty"]), parse_time(m["start_at"]), parse_time(m["end_at"])
            )
            for m in plan.get("production") or []
        ),
        tuple(
            Transfer(
                t["from"],
                t["to"],
                t["mode"],
                t["sku"],
                float(t["qty"]),
                parse_time(t["depart_at"]),
                parse_time(t["arrive_at"]),
            )
            for t in plan.get("transfers") or []
        ),
    )


def daily_decisions(snap: Snapshot, plan: dict) -> Solution:
    """A plan document as the daily decisions of the model's solution (what `snap` no longer knows is
    dropped; a day before the plan's start becomes its first day)."""
    first = day_of(snap.plan_start)
    offers = {(o.supplier, o.sku, o.location): i for i, o in enumerate(snap.offers)}
    routes = {(r.resource, r.sku): i for i, r in enumerate(snap.routes)}
    lanes = {(lane.origin, lane.to, lane.mode): k for k, lane in enumerate(snap.lanes)}
    orders = {order.id: o for o, order in enumerate(snap.orders)}
    buy: dict[tuple[int, int], float] = {}
    make: dict[tuple[int, int], float] = {}
    move: dict[tuple[int, str, int], float] = {}
    ship: dict[tuple[int, int, int, int], float] = {}

    def add(table: dict, key: tuple, qty: float) -> None:
        table[key] = table.get(key, 0.0) + float(qty)

    def day(text: str) -> int:
        return max(first, day_of(parse_time(text)))

    for p in plan.get("procurement") or []:
        i = offers.get((p["supplier"], p["sku"], p["location"]))
        if i is not None:
            add(buy, (i, day(p["receive_at"])), p["qty"])
    for m in plan.get("production") or []:
        i = routes.get((m["resource"], m["sku"]))
        if i is not None:
            add(make, (i, day(m["start_at"])), m["qty"])
    for t in plan.get("transfers") or []:
        k = lanes.get((t["from"], t["to"], t["mode"]))
        if k is not None:
            add(move, (k, t["sku"], day(t["depart_at"])), t["qty"])
    for c in plan.get("confirmations") or []:
        o = orders.get(c["order_id"])
        if o is None or c.get("status") != "confirmed":
            continue
        order = snap.orders[o]
        line_index = {line.line: j for j, line in enumerate(order.lines)}
        for line in c.get("lines") or []:
            j = line_index.get(line["line"])
            if j is None or line["qty"] != order.lines[j].qty:
                continue  # the order changed: it is promised afresh
            for d in line.get("deliveries") or []:
                k = lanes.get((d["from"], order.region, d["mode"]))
                if k is not None:
                    add(ship, (o, j, k, day(d["depart_at"])), d["qty"])
    return Solution("warm", 0.0, 0.0, buy, make, move, ship, set())


def _lines(snap: Snapshot, order, confirmation: dict) -> list[LineOutcome] | None:
    """An order's confirmed lines read back, if they fit the order as it is now (None if not; no lines for
    an unconfirmed order)."""
    if confirmation.get("status") != "confirmed":
        return []
    lanes = {(lane.origin, lane.mode): lane for lane in snap.lanes_to(order.region)}
    by_line = {line["line"]: line for line in confirmation.get("lines") or []}
    lines = []
    for line in order.lines:
        got = by_line.get(line.line)
        if got is None or got["sku"] != line.sku or abs(float(got["qty"]) - line.qty) > QTY_TOL:
            return None
        outcome = LineOutcome(line)
        for d in got.get("deliveries") or []:
            delivery = Delivery(
                d["from"], d["mode"], float(d["qty"]), parse_time(d["depart_at"]), parse_time(d["arrive_at"])
            )
            lane = lanes.get((delivery.origin, delivery.mode))
            if lane is None or delivery.arrive_at - delivery.depart_at != lane.transit:
                return None
            if delivery.arrive_at < order.requested_at - 1:
                return None
            outcome.deliveries.append(delivery)
        if abs(sum(d.qty for d in outcome.deliveries) - line.qty) > QTY_TOL or not outcome.deliveries:
            return None
        outcome.lane = lanes[(outcome.deliveries[0].origin, outcome.deliveries[0].mode)]
        lines.append(outcome)
    return lines


def _outcome(order, lines: list[LineOutcome], confirmation: dict, moved: bool) -> OrderOutcome | None:
    """An order's outcome from its lines (None if they no longer make a valid confirmation); the earlier
    explanation is kept unless the plan was caught up (its times may have moved)."""
    if not lines:
        return OrderOutcome(order, None, (), "", confirmation.get("explanation") or "")
    deliveries = [d for line in lines for d in line.deliveries]
    promised = max(d.arrive_at for d in deliveries)
    if order.ship_complete and any(d.arrive_at != promised for d in deliveries):
        return None
    reason, explanation = explain(order, lines, promised)
    if not moved:
        explanation = confirmation.get("explanation") or explanation
    return OrderOutcome(order, promised, tuple(lines), reason, explanation)


def _actions_valid(snap: Snapshot, actions: Actions) -> bool:
    """Every action names what exists, lies within the horizon and takes its exact duration; purchase
    minimums and multiples hold."""
    offers = {(o.supplier, o.sku, o.location): o for o in snap.offers}
    routes = {(r.resource, r.sku): r for r in snap.routes}
    lanes = {(lane.origin, lane.to, lane.mode): lane for lane in snap.lanes}

    def within(*times: int) -> bool:
        return all(snap.plan_start <= t <= snap.horizon_end for t in times)

    for p in actions.purchases:
        offer = offers.get((p.supplier, p.sku, p.location))
        if offer is None or not within(p.order_at, p.receive_at) or p.receive_at - p.order_at < offer.lead:
            return False
        if p.qty < offer.min_qty - QTY_TOL or (
            offer.multiple and abs(p.qty / offer.multiple - round(p.qty / offer.multiple)) > 1e-9
        ):
            return False
    for m in actions.productions:
        route = routes.get((m.resource, m.sku))
        if route is None or not within(m.start_at, m.end_at) or m.end_at - m.start_at != route.lead:
            return False
    for t in actions.transfers:
        lane = lanes.get((t.origin, t.to, t.mode))
        if lane is None or not within(t.depart_at, t.arrive_at) or t.arrive_at - t.depart_at != lane.transit:
            return False
    return True


def _ledger_valid(snap: Snapshot, found: Candidate) -> bool:
    """No stock below zero at any instant; no capacity of an offer, a resource or a lane exceeded."""
    ledger = found.ledger
    if any(line.takeable(-1) < -QTY_TOL for line in ledger.lines.values()):
        return False
    offers = {("offer", o.supplier, o.sku, o.location): o.capacity_per_day for o in snap.offers}
    lanes = {("lane", lane.origin, lane.to, lane.mode): lane.capacity_per_day for lane in snap.lanes}
    for key, used in ledger.used.items():
        kind, day = key[0], key[-1]
        if kind == "resource":
            cap = snap.resources[key[1]].hours_on(day)
        elif kind in ("offer", "lane"):
            cap = (offers if kind == "offer" else lanes).get(key[:-1])
        else:
            continue
        if cap is not None and used > cap + QTY_TOL:
            return False
    return True
