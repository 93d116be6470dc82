"""The supply behind one order's promise: the quantities of a stored plan that serve it, pegged first in,
first out, followed upstream a few steps, bounded.

Each (sku, location) the chain passes through is replayed alone: its inflows (opening stock, open
receipts, purchases, production, transfers in) in time order, its outflows (deliveries, transfers out,
components taken by production) in time order, each outflow taking what the earliest inflows have left.
What a delivery takes is its supply; a transfer or a production order it takes from is followed to where
that came from, scaled to the share that serves the order. Only the rows of one (sku, location) of the run
are read (and four small parts of the snapshot), so the page costs the same with 100 or 100,000 orders.
"""

import json
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, text

from core.db import db
from core.formats import parse_time
from planning.runs.models import (
    PlannedConfirmation,
    PlannedDelivery,
    PlanningRun,
    ProductionProposal,
    PurchaseProposal,
    TransferProposal,
)

SNAPSHOT_PARTS = ("stock", "receipts", "resources", "routes")
MAX_STEPS = 60  # steps shown at most; the rest is counted
QTY_TOL = 1e-6


@dataclass
class Flow:
    """An inflow or outflow of one (sku, location): what it is, when, how much."""

    kind: str  # stock, receipt, purchase, production, transfer, delivery, component
    ref: str
    at: datetime
    qty: float
    text: str = ""
    origin: tuple | None = None  # a transfer's (sku, location) it left from
    components: list = field(default_factory=list)  # the (sku, location) a production order takes
    start: datetime | None = None  # when a transfer left or a production order started


def snapshot_parts(run_id: int) -> dict:
    """The snapshot's stock, receipts, resources and routes, without reading its orders (one JSON pass)."""
    rows = db.session.execute(
        text(
            "SELECT j.key, j.value FROM planning_runs r, json_each(r.snapshot) j "
            "WHERE r.id = :run AND j.key IN ('stock', 'receipts', 'resources', 'routes')"
        ),
        {"run": run_id},
    )
    return {key: json.loads(value) if isinstance(value, str) else value for key, value in rows}


class Pegger:
    """Pegs outflows of one run's plan to the inflows that feed them."""

    def __init__(self, run: PlanningRun):
        self.run = run
        parts = run.peg_inputs or snapshot_parts(run.id)  # runs stored before 0008: read from the snapshot
        self.stock = parts.get("stock") or []
        self.receipts = parts.get("receipts") or []
        self.plants = {r["code"]: r["location"] for r in parts.get("resources") or []}
        self.routes = {
            (r["sku"], r["resource"]): r.get("components") or [] for r in parts.get("routes") or []
        }
        self.steps = 0
        self.hidden = 0
        self._replayed: dict[tuple, dict] = {}

    def inflows(self, sku: str, location: str, until: datetime) -> list[Flow]:
        """What reaches (sku, location) up to `until`, in time order (opening stock first)."""
        flows = [
            Flow(
                "stock",
                f"stock at {location}",
                self.run.plan_start,
                float(s["on_hand"]),
                f"on hand at {location}",
            )
            for s in self.stock
            if (s["sku"], s["location"]) == (sku, location) and s["on_hand"] > 0
        ]
        flows += [
            Flow("receipt", r["ref"], parse_time(r["arrive_at"]), float(r["qty"]), f"receipt {r['ref']}")
            for r in self.receipts
            if (r["sku"], r["location"]) == (sku, location) and parse_time(r["arrive_at"]) <= until
        ]
        p = PurchaseProposal
        for ref, qty, at, supplier in self._rows(
            p,
            (p.ref, p.qty, p.receive_at, p.supplier),
            p.sku == sku,
            p.location == location,
            p.receive_at <= until,
        ):
            flows.append(Flow("purchase", ref, at, float(qty), f"purchase {ref} from {supplier}"))
        resources = [code for code, place in self.plants.items() if place == location]
        m = ProductionProposal
        if resources:
            for ref, qty, start, end, resource in self._rows(
                m,
                (m.ref, m.qty, m.start_at, m.end_at, m.resource),
                m.sku == sku,
                m.resource.in_(resources),
                m.end_at <= until,
            ):
                taken = [(c["sku"], location) for c in self.routes.get((sku, resource), [])]
                flows.append(
                    Flow(
                        "production",
                        ref,
                        end,
                        float(qty),
                        f"production {ref} on {resource}",
                        components=taken,
                        start=start,
                    )
                )
        t = TransferProposal
        for ref, qty, depart, arrive, origin, mode in self._rows(
            t,
            (t.ref, t.qty, t.depart_at, t.arrive_at, t.from_location, t.mode),
            t.sku == sku,
            t.to_location == location,
            t.arrive_at <= until,
        ):
            text_ = f"transfer {ref} from {origin} by {mode}"
            flows.append(Flow("transfer", ref, arrive, float(qty), text_, origin=(sku, origin), start=depart))
        return sorted(flows, key=lambda f: (f.at, f.kind != "stock"))

    def _rows(self, model, columns, *where):
        return db.session.execute(select(*columns).where(model.run_id == self.run.id, *where)).all()

    def outflows(self, sku: str, location: str, until: datetime) -> list[Flow]:
        """What leaves (sku, location) up to `until`, in time order."""
        d = PlannedDelivery
        rows = self._rows(
            d, (d.id, d.qty, d.depart_at), d.sku == sku, d.from_location == location, d.depart_at <= until
        )
        flows = [Flow("delivery", str(id_), at, float(qty)) for id_, qty, at in rows]
        t = TransferProposal
        rows = self._rows(
            t, (t.ref, t.qty, t.depart_at), t.sku == sku, t.from_location == location, t.depart_at <= until
        )
        flows += [Flow("transfer", ref, at, float(qty)) for ref, qty, at in rows]
        m = ProductionProposal
        for (parent, resource), components in self.routes.items():
            per = next((c["qty_per"] for c in components if c["sku"] == sku), None)
            if per is None or self.plants.get(resource) != location:
                continue
            rows = self._rows(
                m, (m.ref, m.qty, m.start_at), m.sku == parent, m.resource == resource, m.start_at <= until
            )
            flows += [Flow("production", ref, at, float(qty) * per) for ref, qty, at in rows]
        return sorted(flows, key=lambda f: (f.at, f.ref))

    def pegs(
        self, sku: str, location: str, until: datetime
    ) -> dict[tuple[str, str], list[tuple[Flow, float]]]:
        """Every outflow of (sku, location) up to `until` with the (inflow, quantity) it takes, first in,
        first out (a later outflow never changes what an earlier one took)."""
        if (sku, location, until) not in self._replayed:
            queue = deque([f, f.qty] for f in self.inflows(sku, location, until))
            taken: dict[tuple[str, str], list[tuple[Flow, float]]] = {}
            for out in self.outflows(sku, location, until):
                need, got = out.qty, taken.setdefault((out.kind, out.ref), [])
                while need > QTY_TOL and queue:
                    head = queue[0]
                    share = min(need, head[1])
                    got.append((head[0], share))
                    head[1] -= share
                    need -= share
                    if head[1] <= QTY_TOL:
                        queue.popleft()
            self._replayed[(sku, location, until)] = taken
        return self._replayed[(sku, location, until)]

    def supply(
        self, sku: str, location: str, outflow: tuple[str, str], at: datetime, scale: float, depth: int
    ) -> list[dict]:
        """The steps feeding `outflow` (leaving at `at`) of (sku, location), quantities scaled to the share
        that serves us."""
        steps = []
        for inflow, qty in self.pegs(sku, location, at).get(outflow, []):
            if self.steps >= MAX_STEPS:
                self.hidden += 1
                continue
            self.steps += 1
            feeds = self._upstream(inflow, qty * scale / inflow.qty if inflow.qty else 0.0, depth)
            steps.append(
                {"step": inflow.text, "qty": qty * scale, "sku": sku, "at": inflow.at, "feeds": feeds}
            )
        return steps

    def _upstream(self, inflow: Flow, share: float, depth: int) -> list[dict]:
        if depth <= 1:
            return []
        if inflow.origin:
            sku, origin = inflow.origin
            return self.supply(sku, origin, ("transfer", inflow.ref), inflow.start, share, depth - 1)
        feeds = []
        for sku, location in inflow.components:
            feeds += self.supply(sku, location, ("production", inflow.ref), inflow.start, share, depth - 1)
        return feeds


def order_supply(run: PlanningRun, conf: PlannedConfirmation, *, depth: int = 4) -> tuple[list[dict], int]:
    """Each delivery of the order with the supply pegged to it (bounded); and how many steps were left out."""
    pegger = Pegger(run)
    chain = []
    for d in conf.deliveries:
        feeds = pegger.supply(d.sku, d.from_location, ("delivery", str(d.id)), d.depart_at, 1.0, depth)
        text_ = f"deliver {d.sku} from {d.from_location} by {d.mode}"
        chain.append({"step": text_, "qty": float(d.qty), "sku": d.sku, "at": d.depart_at, "feeds": feeds})
    return chain, pegger.hidden
