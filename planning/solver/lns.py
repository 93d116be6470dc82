"""Improving a plan too big for one exact model: a large neighbourhood search with the daily MIP.

Each step frees a neighbourhood — a set of orders and, by the pegs (`peg`), the supply actions that serve
only them — keeps everything else of the best plan fixed, and re-plans the neighbourhood exactly with the
restricted daily model around the fixed part (its stock moves, the capacity it uses, the lots it placed),
from scratch (MathOpt's HiGHS takes no start). The result is timed exactly on top of the fixed part and
kept when the whole plan is cheaper. Neighbourhoods are chosen, by turns, as
- a product family: the orders of a finished good and of the goods that share its components or its line
  (what one purchase, one setup or one scarce material decides together),
- a region and a fortnight: orders delivered to one region and wanted in the same two weeks (what shares
  stock near the customers and delivery lanes),
- the dearest orders: late, unserved or broken promises first, with the orders of the same goods,
each grown until its model reaches a size HiGHS solves in a few seconds. Why this and not a rolling horizon
or an aggregate model: the plan's cost is mostly decided where goods, lines and suppliers are shared, and
those are exactly what a family or region neighbourhood frees together, while time windows cut lots and
build-ahead in two (measured with benchmarks/plan_bench.py on generate.py's medium and large scenarios).
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict

from planning.solver.contract import Snapshot, day_of
from planning.solver.extract import Timer
from planning.solver.model import BOUND_ONLY, RESTRICTED, Fixed, dawn, dusk, estimated_size, ship_window
from planning.solver.model_build import build
from planning.solver.model_solve import solve_model
from planning.solver.network import DayGrid
from planning.solver.peg import Actions, free, ledger_of, peg, rebuild
from planning.solver.plan import Candidate, service_cost

NEIGHBOURHOOD_SIZE = 120_000  # estimated model variables: solved or nearly in a few seconds
STEP_SECONDS = (2.0, 12.0)  # the time one step may take, at least and at most
KINDS = ("family", "region", "dearest")


def improve(snap: Snapshot, best: Candidate, deadline: float, *, seed: int = 0, progress=None) -> Candidate:
    """Better plans by neighbourhood search until `deadline`; the best plan at every step."""
    rng = random.Random(seed)
    search = Search(snap)
    step = 0
    while deadline - time.monotonic() > STEP_SECONDS[0]:
        kind = KINDS[step % len(KINDS)]
        orders = search.neighbourhood(kind, best, rng)
        step += 1
        if not orders:
            continue
        limit = min(STEP_SECONDS[1], deadline - time.monotonic() - 0.5)
        found = replan(snap, best, orders, limit)
        if found is not None and found.cost < best.cost - 1e-6 * max(1.0, abs(best.cost)):
            best = found
            if progress is not None:
                progress(f"neighbourhood search: step {step}, {kind}", best.cost)
    return best


class Search:
    """The neighbourhoods of a snapshot: which orders share goods, components and lines."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.orders_of: dict[str, list[int]] = defaultdict(list)
        for o, order in enumerate(snap.orders):
            for line in order.lines:
                self.orders_of[line.sku].append(o)
        self.related: dict[str, set[str]] = defaultdict(set)  # goods sharing a component or a line
        by_key: dict[tuple, set[str]] = defaultdict(set)
        for route in snap.routes:
            by_key[("resource", route.resource)].add(route.sku)
            for comp in route.components:
                by_key[("component", comp.sku, route.location)].add(route.sku)
        for goods in by_key.values():
            for sku in goods:
                self.related[sku] |= goods
        self.goods = sorted(self.orders_of)

    def neighbourhood(self, kind: str, best: Candidate, rng: random.Random) -> list[int]:
        if kind == "family":
            return self._grow(self._family_seed(rng), rng)
        if kind == "region":
            return self._region(rng)
        return self._dearest(best, rng)

    def _family_seed(self, rng: random.Random) -> list[int]:
        sku = rng.choice(self.goods)
        family = {sku} | self.related.get(sku, set())
        return sorted({o for good in family for o in self.orders_of.get(good, [])})

    def _region(self, rng: random.Random) -> list[int]:
        snap = self.snap
        order = snap.orders[rng.randrange(len(snap.orders))]
        start = order.requested_at - 7 * 86400
        chosen = [
            o
            for o, other in enumerate(snap.orders)
            if other.region == order.region and start <= other.requested_at < start + 14 * 86400
        ]
        return self._grow(chosen, rng)

    def _dearest(self, best: Candidate, rng: random.Random) -> list[int]:
        costs = sorted(
            ((service_cost(self.snap, outcome), o) for o, outcome in enumerate(best.outcomes)), reverse=True
        )
        top = [o for cost, o in costs[:20] if cost > 0]
        if not top:
            return []
        rng.shuffle(top)
        chosen = set(top[:5])
        for o in list(chosen):
            for line in self.snap.orders[o].lines:
                chosen |= set(self.orders_of[line.sku])
        return self._grow(sorted(chosen), rng)

    def _grow(self, chosen: list[int], rng: random.Random) -> list[int]:
        """`chosen`, cut or grown (with orders of related goods) to about NEIGHBOURHOOD_SIZE variables."""
        chosen = list(dict.fromkeys(chosen))
        if estimated_size(self.snap, chosen) > NEIGHBOURHOOD_SIZE:
            rng.shuffle(chosen)
            while len(chosen) > 1 and estimated_size(self.snap, chosen) > NEIGHBOURHOOD_SIZE:
                chosen = chosen[: max(1, len(chosen) * 3 // 4)]
            return sorted(chosen)
        pool = set(chosen)
        while estimated_size(self.snap, sorted(pool)) < NEIGHBOURHOOD_SIZE / 2:
            skus = {line.sku for o in pool for line in self.snap.orders[o].lines}
            more = {o for sku in skus for good in self.related.get(sku, {sku}) for o in self.orders_of[good]}
            more -= pool
            if not more:
                break
            pool |= set(rng.sample(sorted(more), min(len(more), max(1, len(pool) // 2))))
        return sorted(pool)


def replan(snap: Snapshot, best: Candidate, orders: list[int], limit: float) -> Candidate | None:
    """The best plan with `orders` (and the supply that serves only them) planned again; None if the model
    found nothing or its plan cannot be timed."""
    actions = Actions.of(best.ledger)
    outcomes = list(best.outcomes)
    freed = free(actions, peg(snap, actions, outcomes), set(orders))
    kept = Actions(
        tuple(p for i, p in enumerate(actions.purchases) if ("buy", i) not in freed),
        tuple(m for i, m in enumerate(actions.productions) if ("make", i) not in freed),
        tuple(t for i, t in enumerate(actions.transfers) if ("move", i) not in freed),
    )
    chosen = set(orders)
    fixed_outcomes = [_unplanned(outcome) if o in chosen else outcome for o, outcome in enumerate(outcomes)]
    base = ledger_of(snap, kept, fixed_outcomes)
    window = ship_window(snap, outcomes)
    model = build(snap, RESTRICTED, orders=orders, fixed=fixed_of(snap, base, kept), last_ship_day=window)
    solution = solve_model(model, limit)
    if solution is None or solution.status == BOUND_ONLY:
        return None
    timer = Timer(snap, solution, ledger=base, orders=orders)
    replanned = dict(zip(orders, timer.run(), strict=True))
    new = Actions(
        tuple(base.purchases[len(kept.purchases) :]),
        tuple(base.productions[len(kept.productions) :]),
        tuple(base.transfers[len(kept.transfers) :]),
    )
    merged = [replanned.get(o, outcome) for o, outcome in enumerate(fixed_outcomes)]
    together = Actions(
        kept.purchases + new.purchases, kept.productions + new.productions, kept.transfers + new.transfers
    )
    return rebuild(snap, together, merged, "neighbourhood search")


def _unplanned(outcome):
    return type(outcome)(outcome.order, None, (), "", "")


def fixed_of(snap: Snapshot, ledger, kept: Actions) -> Fixed:
    """What the model must plan around: the fixed part's stock moves by slot (opening stock and receipts
    left out: the model has them), the capacity it uses, and its lots."""
    grid = DayGrid(snap.plan_start, snap.horizon_end)
    receipts = Counter((r.sku, r.location, r.arrive_at, r.qty) for r in snap.receipts)
    flows: dict[tuple[str, str, int], float] = defaultdict(float)
    for (sku, loc), line in ledger.lines.items():
        for t, _, delta in line.events:
            if delta > 0 and receipts[(sku, loc, t, delta)] > 0:
                receipts[(sku, loc, t, delta)] -= 1  # a receipt: the model counts it itself
                continue
            day = day_of(t)
            flows[(sku, loc, dawn(day) if t == grid.start_of(day) else dusk(day))] += delta
    used = {key: amount for key, amount in ledger.used.items() if key[0] in ("resource", "lane", "offer")}
    offer_index = {(o.supplier, o.sku, o.location): i for i, o in enumerate(snap.offers)}
    route_index = {(r.resource, r.sku): i for i, r in enumerate(snap.routes)}
    lots = {
        ("buy", offer_index[(p.supplier, p.sku, p.location)], day_of(p.receive_at)) for p in kept.purchases
    }
    lots |= {("make", route_index[(m.resource, m.sku)], day_of(m.start_at)) for m in kept.productions}
    return Fixed(dict(flows), used, lots)
