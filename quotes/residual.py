"""The residual of a plan: what the plan in force leaves free, as the solver's own ledger (pure functions).

Built once when a plan is published: the snapshot's free stock and receipts, then every action of the plan
replayed on them (purchases and production output arrive, components, transfers and deliveries leave), and
the capacity the plan uses per UTC day (line hours, supplier offers, lanes). What is left is what a quote
may use: `StockLine.takeable(t)` is the stock free from `t` on, receipts not pegged to other orders included;
`Ledger.room(key, t, capacity)` the spare capacity of a line (its calendar), an offer or a lane that day.

Stored as one JSON document (`document`), changed afterwards only by adjustments: the ledger entries of a
held quote, or a stock movement no document made (`entries`).
"""

from planning.solver.contract import Snapshot, parse_time
from planning.solver.ledger import INFLOW, OUTFLOW, Ledger, StockLine

MOVES = ("move", "unmove")


def build_ledger(snapshot: Snapshot, plan: dict) -> Ledger:
    """The snapshot's opening ledger with the whole plan replayed on it."""
    ledger = Ledger.opening(snapshot)
    for p in plan.get("procurement") or []:
        at = parse_time(p["receive_at"])
        ledger.move(p["sku"], p["location"], at, float(p["qty"]))
        ledger.load(("offer", p["supplier"], p["sku"], p["location"]), at, float(p["qty"]))
    routes = {(r.sku, r.resource): r for r in snapshot.routes}
    for m in plan.get("production") or []:
        _produce(ledger, routes.get((m["sku"], m["resource"])), float(m["qty"]), m)
    for t in plan.get("transfers") or []:
        depart, qty = parse_time(t["depart_at"]), float(t["qty"])
        ledger.move(t["sku"], t["from"], depart, -qty)
        ledger.move(t["sku"], t["to"], parse_time(t["arrive_at"]), qty)
        ledger.load(("lane", t["from"], t["to"], t["mode"]), depart, qty)
    regions = {o.id: o.region for o in snapshot.orders}
    for conf in plan.get("confirmations") or []:
        for line in conf.get("lines") or []:
            for d in line.get("deliveries") or []:
                depart = parse_time(d["depart_at"])
                ledger.move(line["sku"], d["from"], depart, -float(d["qty"]))
                lane = ("lane", d["from"], regions.get(conf["order_id"]), d["mode"])
                ledger.load(lane, depart, float(d["qty"]))
    ledger.journal.clear()
    return ledger


def _produce(ledger: Ledger, route, qty: float, order: dict) -> None:
    start = parse_time(order["start_at"])
    if route is None:  # (a plan not made from this snapshot: its output counts, nothing else is known)
        resource = ledger.snapshot.resources.get(order["resource"])
        if resource is not None:
            ledger.move(order["sku"], resource.location, parse_time(order["end_at"]), qty)
        return
    for comp in route.components:
        ledger.move(comp.sku, route.location, start, -qty * comp.qty_per)
    ledger.move(route.sku, route.location, parse_time(order["end_at"]), qty)
    ledger.load(("resource", route.resource), start, qty * route.hours_per_unit + route.setup_hours)


def document(ledger: Ledger) -> dict:
    """The ledger's stock lines and capacity use as JSON: `lines` [sku, location, opening, events], `used`
    [*capacity key, UTC day, amount]; lines with nothing in them and unused capacity are left out."""
    lines = [
        [sku, loc, line.opening, [list(e) for e in line.events]]
        for (sku, loc), line in sorted(ledger.lines.items())
        if line.opening or line.events
    ]
    used = [[*key, amount] for key, amount in sorted(ledger.used.items(), key=repr) if amount]
    return {"lines": lines, "used": used}


def load_ledger(snapshot: Snapshot, doc: dict) -> Ledger:
    """A ledger from a residual `document`."""
    ledger = Ledger(snapshot)
    for sku, loc, opening, events in doc["lines"]:
        line = StockLine(float(opening))
        line.events = sorted((int(t), int(flow), float(delta)) for t, flow, delta in events)
        ledger.lines[(sku, loc)] = line
    for row in doc["used"]:
        ledger.used[tuple(row[:-1])] = float(row[-1])
    return ledger


def entries(journal: list[tuple]) -> list[list]:
    """A journal slice as adjustment entries (stock moves and capacity loads; costs and records dropped)."""
    kept = []
    for kind, key, value in journal:
        if kind in MOVES:
            kept.append([kind, list(key), list(value)])
        elif kind == "load":
            kept.append([kind, list(key), value])
    return kept


def movement_entries(changes, at: int) -> list[list]:
    """Adjustment entries for stock changes (sku, location, delta) made at `at`."""
    return [
        ["move", [sku, loc], [at, INFLOW if delta > 0 else OUTFLOW, delta]]
        for sku, loc, delta in changes
        if delta
    ]


def apply(ledger: Ledger, adjustment: list[list]) -> None:
    """Apply adjustment entries to the ledger (not journalled: they are part of its state from now on)."""
    for kind, key, value in adjustment:
        if kind == "load":
            bucket = tuple(key)
            ledger.used[bucket] = ledger.used.get(bucket, 0.0) + value
            continue
        line = ledger.line(*key)
        event = (int(value[0]), int(value[1]), float(value[2]))
        if kind == "move":
            line.add(event)
        elif event in line.events:
            line.remove(event)
