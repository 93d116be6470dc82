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


def reachable_pairs(snap: Snapshot) -> set[tuple[str, str]]:
    """(sku, location) pairs that can hold goods and from which some order can be served."""
    return _can_have(snap) & _needed(snap)


def _can_have(snap: Snapshot) -> set[tuple[str, str]]:
    pairs = set(snap.stock) | {(r.sku, r.location) for r in snap.receipts}
    pairs |= {(o.sku, o.location) for o in snap.offers} | {(r.sku, r.location) for r in snap.routes}
    transfers = [lane for lane in snap.lanes if lane.to in snap.location_region]
    changed = True
    while changed:
        changed = False
        for lane in transfers:
            for sku, loc in list(pairs):
                if loc == lane.origin and (sku, lane.to) not in pairs:
                    pairs.add((sku, lane.to))
                    changed = True
    return pairs


def _needed(snap: Snapshot) -> set[tuple[str, str]]:
    pairs = set()
    for order in snap.orders:
        for lane in snap.lanes_to(order.region):
            pairs |= {(line.sku, lane.origin) for line in order.lines}
    transfers = [lane for lane in snap.lanes if lane.to in snap.location_region]
    changed = True
    while changed:
        size = len(pairs)
        for route in snap.routes:
            if (route.sku, route.location) in pairs:
                pairs |= {(c.sku, route.location) for c in route.components}
        for lane in transfers:
            pairs |= {(sku, lane.origin) for sku, loc in list(pairs) if loc == lane.to}
        changed = len(pairs) != size
    return pairs
