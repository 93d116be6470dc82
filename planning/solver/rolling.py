"""Rolling stock: idle goods sent on a lane where the freight costs less than holding them over the transit.

The contract charges holding only while goods are at a location; on a lane they cost the lane's freight and
nothing else. So a unit that no order will take from its location (its stock stays above it to the end) is
cheaper on the road wherever `holding_cost_per_day * transit_days > unit_cost` — an expensive item on a slow,
cheap lane; logistics calls it rolling or floating inventory. Such a move changes no promise and no one
else's supply: it takes only what the location never needs again (the lowest balance from then on), and
what arrives is idle at the other end and may roll on. Each move saves `qty * (holding * transit - freight)`;
lanes are chosen by that saving per day on the road, so that a chain of moves saves the most by the horizon's
end, and within their daily capacity. The daily model plans such moves itself when it is solved (a transfer
whose holding credit exceeds its freight has a negative cost there); this step gives every plan the same,
whatever found it, and is applied last, on the plan that is returned.
"""

from __future__ import annotations

import heapq

from planning.solver.contract import DAY, Lane, Snapshot
from planning.solver.ledger import QTY_TOL, Transfer
from planning.solver.plan import Candidate, candidate

MIN_SAVING = 1e-6  # per unit and move: below this a move is not worth a line in the plan


def roll_idle_stock(snap: Snapshot, best: Candidate) -> Candidate:
    """`best` with its idle goods on the road where that is cheaper (its ledger is extended in place); the
    same candidate when nothing is."""
    ledger = best.ledger
    lanes_from: dict[str, list[Lane]] = {}
    for lane in snap.lanes:
        if lane.to in snap.location_region:
            lanes_from.setdefault(lane.origin, []).append(lane)
    held_at: dict[str, list[str]] = {}  # sku -> the locations with a stock line of it (one pass, any size)
    for sku, loc in ledger.lines:
        held_at.setdefault(sku, []).append(loc)
    moved = False
    for sku, holding in sorted(snap.holding.items()):
        if holding <= 0 or sku not in held_at:
            continue
        rolling = {
            origin: sorted(
                (lane for lane in lanes if holding * lane.transit / DAY - lane.unit_cost > MIN_SAVING),
                key=lambda lane: -(holding * lane.transit / DAY - lane.unit_cost) / max(lane.transit, 1),
            )
            for origin, lanes in lanes_from.items()
        }
        if not any(rolling.values()):
            continue
        # (instant, location) where idle goods may appear: the plan's start, then each event of the line
        due = [(snap.plan_start, loc) for loc in held_at[sku] if rolling.get(loc)]
        due += [(t, loc) for _, loc in due for t, _, _ in ledger.line(sku, loc).events if t > snap.plan_start]
        heapq.heapify(due)
        while due:
            t, loc = heapq.heappop(due)
            for lane in rolling.get(loc, ()):
                idle = ledger.line(sku, loc).takeable(t)
                if idle <= QTY_TOL:
                    break
                if t + lane.transit > snap.horizon_end:
                    continue
                key = ("lane", lane.origin, lane.to, lane.mode)
                qty = min(idle, ledger.room(key, t, lane.capacity_per_day))
                if qty <= QTY_TOL:
                    continue
                ledger.record(Transfer(lane.origin, lane.to, lane.mode, sku, qty, t, t + lane.transit))
                ledger.move(sku, loc, t, -qty)
                ledger.move(sku, lane.to, t + lane.transit, qty)
                ledger.load(key, t, qty)
                ledger.spend(qty * lane.unit_cost)
                heapq.heappush(due, (t + lane.transit, lane.to))
                moved = True
    ledger.journal.clear()
    return candidate(snap, best.name, list(best.outcomes), ledger) if moved else best
