"""Exact-time stock and capacity ledgers with an undo journal, so options can be tried and rolled back."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field, replace
from itertools import accumulate
from operator import itemgetter

from planning.solver.contract import DAY, Snapshot, day_of

QTY_TOL = 1e-6
INFLOW, OUTFLOW = 0, 1
_TIME, _DELTA = itemgetter(0), itemgetter(2)


@dataclass(frozen=True)
class Purchase:
    supplier: str
    sku: str
    location: str
    qty: float
    order_at: int
    receive_at: int


@dataclass(frozen=True)
class Production:
    resource: str
    sku: str
    qty: float
    start_at: int
    end_at: int


@dataclass(frozen=True)
class Transfer:
    origin: str
    to: str
    mode: str
    sku: str
    qty: float
    depart_at: int
    arrive_at: int


class StockLine:
    """The balance of one (sku, location) over time: opening stock plus timed inflows and outflows."""

    def __init__(self, opening: float) -> None:
        self.opening = opening
        self.events: list[tuple[int, int, float]] = []  # (time, INFLOW/OUTFLOW, delta)
        self._times: list[float] | None = None
        self._suffix_min: list[float] = []
        self._saved: list[tuple] = []  # (event, index before it) for the LIFO undo of `add`

    def add(self, event: tuple[int, int, float]) -> None:
        self._saved.append((event, self._times, self._suffix_min))
        if len(self._saved) > 64:
            del self._saved[:32]
        insort(self.events, event)
        self._times = None

    def remove(self, event: tuple[int, int, float]) -> None:
        events = self.events
        i = bisect_left(events, event)
        if i < len(events) and events[i] == event:
            del events[i]
        else:
            events.remove(event)
        if self._saved and self._saved[-1][0] == event:
            _, self._times, self._suffix_min = self._saved.pop()
        else:
            self._saved.clear()
            self._times = None

    def _index(self) -> tuple[list[float], list[float]]:
        """Event times and, from each, the lowest balance from then on (built in C-speed passes)."""
        if self._times is None:
            events = self.events
            balances = list(accumulate(map(_DELTA, events), initial=self.opening))
            suffix_min = list(accumulate(reversed(balances), min))
            suffix_min.reverse()
            times = [-math.inf]
            times.extend(map(_TIME, events))
            self._times = times
            self._suffix_min = suffix_min
        return self._times, self._suffix_min

    def takeable(self, t: int) -> float:
        """How much can leave at `t` without the balance going negative then or later."""
        times, suffix_min = self._index()
        return suffix_min[bisect_right(times, t) - 1]

    def earliest_take(self, qty: float, not_before: int) -> int | None:
        """The earliest instant >= not_before at which `qty` can leave; None if never."""
        times, suffix_min = self._index()
        j = bisect_right(times, not_before) - 1
        if suffix_min[j] >= qty - QTY_TOL:
            return not_before
        lo, hi = j + 1, len(times)
        while lo < hi:
            mid = (lo + hi) // 2
            if suffix_min[mid] >= qty - QTY_TOL:
                hi = mid
            else:
                lo = mid + 1
        return None if lo == len(times) else int(times[lo])


@dataclass
class Ledger:
    """Stock lines, capacity use per UTC day, the supply actions taken and their running cost."""

    snapshot: Snapshot
    lines: dict[tuple[str, str], StockLine] = field(default_factory=dict)
    used: dict[tuple, float] = field(default_factory=dict)
    purchases: list[Purchase] = field(default_factory=list)
    productions: list[Production] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    cost: float = 0.0
    journal: list[tuple] = field(default_factory=list)
    # lots: purchases and production of one offer or route on the same day are one order at the day's start
    # (one order cost, one setup; see `Sourcer` and `merged`)
    lots: bool = False

    @classmethod
    def opening(cls, snapshot: Snapshot) -> Ledger:
        ledger = cls(snapshot)
        for (sku, location), qty in snapshot.stock.items():
            ledger.line(sku, location).opening += qty
        for receipt in snapshot.receipts:
            ledger.line(receipt.sku, receipt.location).add((receipt.arrive_at, INFLOW, receipt.qty))
        ledger.journal.clear()
        return ledger

    def line(self, sku: str, location: str) -> StockLine:
        key = (sku, location)
        if key not in self.lines:
            self.lines[key] = StockLine(0.0)
        return self.lines[key]

    # -- mutations (journalled) -----------------------------------------------------------
    def move(self, sku: str, location: str, t: int, delta: float) -> tuple[int, int, float]:
        """Add an inflow (delta > 0) or outflow (delta < 0) at `t` with its holding cost; return the event."""
        event = (t, INFLOW if delta > 0 else OUTFLOW, delta)
        self.line(sku, location).add(event)
        self.journal.append(("move", (sku, location), event))
        self.spend(self.snapshot.holding.get(sku, 0.0) * delta * (self.snapshot.horizon_end - t) / DAY)
        return event

    def unmove(self, sku: str, location: str, event: tuple[int, int, float]) -> None:
        """Take back an event added by `move` (journalled, like `move`)."""
        self.line(sku, location).remove(event)
        self.journal.append(("unmove", (sku, location), event))
        self.spend(
            -self.snapshot.holding.get(sku, 0.0) * event[2] * (self.snapshot.horizon_end - event[0]) / DAY
        )

    def load(self, key: tuple, t: int, amount: float) -> None:
        """Use `amount` of the capacity `key` on the UTC day of `t`."""
        bucket = (*key, day_of(t))
        self.used[bucket] = self.used.get(bucket, 0.0) + amount
        self.journal.append(("load", bucket, amount))

    def tally(self, key: tuple, amount: float = 1.0) -> float:
        """Count `amount` against `key` (journalled); return the count before."""
        before = self.used.get(key, 0.0)
        self.used[key] = before + amount
        self.journal.append(("load", key, amount))
        return before

    def record(self, action: Purchase | Production | Transfer) -> None:
        target = self._list_for(action)
        target.append(action)
        self.journal.append(("record", action, None))

    def spend(self, amount: float) -> None:
        self.cost += amount
        self.journal.append(("cost", amount, None))

    def _list_for(self, action) -> list:
        if isinstance(action, Purchase):
            return self.purchases
        return self.productions if isinstance(action, Production) else self.transfers

    def merged(self) -> tuple[list[Purchase], list[Production]]:
        """The purchases and production orders, those placed as one lot (same key) summed into one."""
        if not self.lots:
            return self.purchases, self.productions
        purchases: dict[tuple, Purchase] = {}
        for p in self.purchases:
            key = (p.supplier, p.sku, p.location, p.order_at, p.receive_at)
            purchases[key] = replace(p, qty=purchases[key].qty + p.qty) if key in purchases else p
        productions: dict[tuple, Production] = {}
        for m in self.productions:
            key = (m.resource, m.sku, m.start_at, m.end_at)
            productions[key] = replace(m, qty=productions[key].qty + m.qty) if key in productions else m
        return list(purchases.values()), list(productions.values())

    # -- queries --------------------------------------------------------------------------
    def room(self, key: tuple, t: int, capacity: float | None) -> float:
        if capacity is None:
            return math.inf
        return capacity - self.used.get((*key, day_of(t)), 0.0)

    # -- undo -----------------------------------------------------------------------------
    def mark(self) -> int:
        return len(self.journal)

    def redo(self, entries: list[tuple]) -> None:
        """Apply again the entries `rollback` took back (a copy of `journal[mark:]` taken before it)."""
        for entry in entries:
            kind, key, value = entry
            if kind == "move":
                self.lines[key].add(value)
            elif kind == "unmove":
                self.lines[key].remove(value)
            elif kind == "load":
                self.used[key] = self.used.get(key, 0.0) + value
            elif kind == "record":
                self._list_for(key).append(key)
            else:
                self.cost += key
            self.journal.append(entry)

    def rollback(self, mark: int) -> None:
        while len(self.journal) > mark:
            kind, key, value = self.journal.pop()
            if kind == "move":
                self.lines[key].remove(value)
            elif kind == "unmove":
                self.lines[key].add(value)
            elif kind == "load":
                self.used[key] -= value
            elif kind == "record":
                self._list_for(key).pop()
            else:
                self.cost -= key
