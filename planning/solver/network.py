"""Which (sku, location) pairs can hold goods and which are needed, and the daily time grid of the model."""

from __future__ import annotations

from dataclasses import dataclass

from planning.solver.contract import DAY, Snapshot, day_of


@dataclass(frozen=True)
class DayGrid:
    """UTC days from the plan's start to its horizon end (inclusive), with the model's timing conventions."""

    plan_start: int
    horizon_end: int

    @property
    def days(self) -> range:
        return range(day_of(self.plan_start), day_of(self.horizon_end) + 1)

    def start_of(self, day: int) -> int:
        return max(self.plan_start, day * DAY)

    def arrival_day(self, day: int, duration: int) -> int:
        """The latest day something leaving on `day` can arrive after `duration` (the model's safe side)."""
        return day if duration == 0 else day_of(day * DAY + DAY - 1 + duration)


def earliest_stock(snap: Snapshot) -> dict[tuple[str, str], int]:
    """The earliest instant each (sku, location) could hold goods: now for stock, a receipt's arrival, a
    purchase's lead time, a route's lead time after its components could be there, a transfer's transit
    after its origin could have them. Pairs that never can are missing."""
    first: dict[tuple[str, str], int] = {pair: snap.plan_start for pair, qty in snap.stock.items() if qty > 0}
    for r in snap.receipts:
        first[(r.sku, r.location)] = min(first.get((r.sku, r.location), r.arrive_at), r.arrive_at)
    for o in snap.offers:
        t = o.earliest_receipt(snap.plan_start)
        first[(o.sku, o.location)] = min(first.get((o.sku, o.location), t), t)
    lanes_from: dict[str, list] = {}
    for lane in snap.lanes:
        if lane.to in snap.location_region:
            lanes_from.setdefault(lane.origin, []).append(lane)
    changed = True
    while changed:
        changed = False
        for r in snap.routes:
            ready = [first.get((c.sku, r.location)) for c in r.components]
            if None in ready:
                continue
            t = max([snap.plan_start, *ready]) + r.lead
            if t < first.get((r.sku, r.location), t + 1):
                first[(r.sku, r.location)], changed = t, True
        for (sku, loc), at in list(first.items()):
            for lane in lanes_from.get(loc, ()):
                t = at + lane.transit
                if t < first.get((sku, lane.to), t + 1):
                    first[(sku, lane.to)], changed = t, True
    return first


def can_have(snap: Snapshot) -> set[tuple[str, str]]:
    """(sku, location) pairs that can ever hold goods: stock, receipts, offers, routes, and transfers on."""
    pairs = set(snap.stock) | {(r.sku, r.location) for r in snap.receipts}
    pairs |= {(o.sku, o.location) for o in snap.offers} | {(r.sku, r.location) for r in snap.routes}
    onward: dict[str, list[str]] = {}  # location -> the locations a transfer lane leads to
    for lane in snap.lanes:
        if lane.to in snap.location_region:
            onward.setdefault(lane.origin, []).append(lane.to)
    # (a work list, each pair looked at once: the closure by sweeping every lane over every pair until
    # nothing changed took 228 s on a 90,000-order network of 5,000 skus and 50 locations)
    work = list(pairs)
    while work:
        sku, loc = work.pop()
        for to in onward.get(loc, ()):
            if (sku, to) not in pairs:
                pairs.add((sku, to))
                work.append((sku, to))
    return pairs


def needed(snap: Snapshot, orders) -> set[tuple[str, str]]:
    """(sku, location) pairs from which goods can reach `orders`: delivery origins, then transfers and
    components back from them."""
    pairs = set()
    for order in orders:
        for lane in snap.lanes_to(order.region):
            pairs |= {(line.sku, lane.origin) for line in order.lines}
    back: dict[str, list[str]] = {}  # location -> the locations a transfer lane comes from
    for lane in snap.lanes:
        if lane.to in snap.location_region:
            back.setdefault(lane.to, []).append(lane.origin)
    components: dict[tuple[str, str], list[str]] = {}  # (sku, location) -> what making it there takes
    for route in snap.routes:
        components.setdefault((route.sku, route.location), []).extend(c.sku for c in route.components)
    work = list(pairs)  # (a work list, each pair looked at once: see can_have)
    while work:
        sku, loc = work.pop()
        found = [(sku, origin) for origin in back.get(loc, ())]
        found += [(component, loc) for component in components.get((sku, loc), ())]
        for pair in found:
            if pair not in pairs:
                pairs.add(pair)
                work.append(pair)
    return pairs
