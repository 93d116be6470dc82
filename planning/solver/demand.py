"""Open demand: the units of each sku not yet promised, counted at the location nearest to their orders'
regions (what a stock-saving pass leaves stock to, see `supply.Sourcer`)."""

from __future__ import annotations

from planning.solver.contract import Order, Snapshot


class OpenDemand:
    """The units of each sku not yet promised, by the location nearest to their orders' regions."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.home: dict[str, str] = {}
        for region in {order.region for order in snapshot.orders}:
            lanes = [lane for lane in snapshot.lanes_to(region) if lane.origin in snapshot.location_region]
            if lanes:
                self.home[region] = min(lanes, key=lambda lane: (lane.transit, lane.unit_cost)).origin
        self.units: dict[tuple[str, str], float] = {}
        for order in snapshot.orders:
            self._count(order, 1.0)

    def _count(self, order: Order, sign: float) -> None:
        home = self.home.get(order.region)
        if home is not None:
            for line in order.lines:
                key = (line.sku, home)
                self.units[key] = self.units.get(key, 0.0) + sign * line.qty

    def done(self, order: Order) -> None:
        """`order` has been promised (or given up): its units are no longer open."""
        self._count(order, -1.0)

    def at(self, sku: str, loc: str) -> float:
        return self.units.get((sku, loc), 0.0)
