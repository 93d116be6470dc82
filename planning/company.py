"""A generated company in the database, of a size up to a real one's: `flask demo --size xlarge`.

`planning.scenarios.generate` draws the company (the same for the same seed) as a `supply-plan/1` snapshot;
`load_company` writes it into the master-data and order tables with bulk inserts (one statement per table
and thousand rows, ids read back in order), so 100,000 open orders load in a minute, not in an hour of
one-at-a-time service calls. Stock enters through the ledger's own batch posting (`post_movements`), so
every balance is the sum of its ledger entries as always. Open purchase orders and production in progress
come from the snapshot's receipts (`PO-`, `WIP-`); its transfers in transit are left out (a transfer needs a
shipment and its reservation). An order the snapshot already promised is `confirmed` with that promise.

Every time is moved by whole days so that the generator's plan start falls on today (the company is
current whenever it is loaded). The generator's `van` (a local delivery) is stored as takt's `courier`.
"""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from core.db import db, utcnow
from core.formats import parse_time
from inventory import service as inventory_service
from inventory.models import Item, Location, Region
from inventory.movements import MovementSpec
from logistics.models import Lane
from orders.models import Customer, CustomerOrder, OrderLine
from planning.scenario_supply import PLAN_START
from planning.scenarios import generate
from procurement.models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplyOffer
from procurement.production.models import CalendarException, ProductionOrder, Resource, Route, RouteComponent

# orders, skus, locations (plants included), suppliers, plants
SIZES = {
    "small": (50, 20, 4, 4, 1),
    "medium": (2_000, 300, 10, 20, 3),
    "large": (10_000, 2_000, 30, 60, 6),
    "xlarge": (100_000, 5_000, 50, 150, 10),
}
MODES = {"van": "courier"}
STOCK_CHUNK = 5_000  # ledger lines per posting (the batch endpoint's own limit)


def company_snapshot(size: str, *, seed: int = 1) -> dict:
    """The generated company of `size` as a snapshot (what `load_company` writes)."""
    orders, skus, locations, suppliers, plants = SIZES[size]
    return generate(
        orders=orders, skus=skus, locations=locations, suppliers=suppliers, plants=plants, seed=seed
    )


def load_generated_company(*, size: str, user_id: int, seed: int = 1) -> dict:
    """Generate the company of `size` (ValueError if there is no such size) and load it (`load_company`)."""
    if size not in SIZES:
        raise ValueError(f"no company size {size!r}: {', '.join(SIZES)}")
    return load_company(company_snapshot(size, seed=seed), user_id=user_id)


def load_company(snapshot: dict, *, user_id: int) -> dict:
    """Write the company of `snapshot` into empty tables; return the rows written per table."""
    loader = _Loader(snapshot, user_id=user_id)
    loader.master_data()
    loader.stock()
    loader.open_documents()
    loader.orders()
    db.session.flush()
    return dict(loader.counts)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class _Loader:
    """One company being written: the ids of the rows so far by natural key, and the rows per table."""

    def __init__(self, snapshot: dict, *, user_id: int):
        self.snapshot, self.user_id = snapshot, user_id
        self.counts = Counter()
        self.shift = timedelta(days=(utcnow().date() - PLAN_START.date()).days)

    def at(self, text: str | None):
        return None if text is None else parse_time(text) + self.shift

    def insert(self, model, rows: list[dict], key: str | None = None) -> dict:
        """Insert `rows` in bulk (Core executemany: no ORM objects); the new ids by `key` if given, read
        back in one query (RETURNING through the ORM's bulk path splices its batches: quadratic here)."""
        if rows:
            db.session.execute(insert(model.__table__), rows)
            self.counts[model.__tablename__] += len(rows)
        if key is None:
            return {}
        column = getattr(model, key)
        wanted = {row[key] for row in rows}
        return {k: i for k, i in db.session.execute(select(column, model.id)) if k in wanted}

    # -- master data ----------------------------------------------------------------------------------------
    def master_data(self) -> None:
        s = self.snapshot
        self.regions = self.insert(
            Region, [{"code": r["code"], "name": r["code"].title()} for r in s["regions"]], "code"
        )
        self.locations = self.insert(Location, [self._location(loc) for loc in s["locations"]], "code")
        self.items = self.insert(Item, self._items(), "sku")
        suppliers = [{"code": r["code"], "name": r["name"]} for r in s["suppliers"]]
        self.suppliers = self.insert(Supplier, suppliers, "code")
        self.insert(SupplyOffer, [self._offer(o) for o in s["supply_offers"]])
        self.resources = self.insert(Resource, [self._resource(r) for r in s["resources"]], "code")
        self.insert(CalendarException, self._calendars())
        self._routes()
        self.insert(Lane, [self._lane(lane) for lane in s["lanes"]])

    def _location(self, loc: dict) -> dict:
        return {
            "code": loc["code"],
            "name": loc["code"],
            "kind": loc["kind"],
            "region_id": self.regions[loc["region"]],
        }

    def _items(self) -> list[dict]:
        """Items with takt's kind: sold only (finished), used only (material), or both."""
        sold = {line["sku"] for order in self.snapshot["orders"] for line in order["lines"]}
        used = {c["sku"] for route in self.snapshot["routes"] for c in route["components"]}
        kinds = {(False, True): "material", (True, True): "both"}
        return [
            {
                "sku": i["sku"],
                "name": i["name"],
                "kind": kinds.get((i["sku"] in sold, i["sku"] in used), "finished"),
                "holding_cost_per_day": _decimal(i.get("holding_cost_per_day") or 0),
            }
            for i in self.snapshot["items"]
        ]

    def _offer(self, o: dict) -> dict:
        return {
            "supplier_id": self.suppliers[o["supplier"]],
            "item_id": self.items[o["sku"]],
            "location_id": self.locations[o["location"]],
            "lead_time_hours": _decimal(o["lead_time_hours"]),
            "unit_cost": _decimal(o["unit_cost"]),
            "order_cost": _decimal(o.get("order_cost") or 0),
            "min_qty": _decimal(o.get("min_qty") or 0),
            "multiple": _decimal(o.get("multiple")),
            "capacity_per_day": _decimal(o.get("capacity_per_day")),
        }

    def _resource(self, r: dict) -> dict:
        hours = _decimal(r["hours_per_day"])
        return {
            "code": r["code"],
            "name": r["code"],
            "location_id": self.locations[r["location"]],
            "hours_per_day": hours,
        }

    def _calendars(self) -> list[dict]:
        return [
            {
                "resource_id": self.resources[r["code"]],
                "day": date.fromisoformat(e["date"]) + self.shift,
                "hours": _decimal(e["hours"]),
            }
            for r in self.snapshot["resources"]
            for e in r.get("calendar") or []
        ]

    def _routes(self) -> None:
        routes = self.snapshot["routes"]
        costs = ("hours_per_unit", "lead_time_hours", "unit_cost", "setup_hours", "setup_cost")
        rows = [
            {
                "item_id": self.items[r["sku"]],
                "resource_id": self.resources[r["resource"]],
                **{k: _decimal(r.get(k) or 0) for k in costs},
            }
            for r in routes
        ]
        self.insert(Route, rows)
        new_ids = {
            (item, resource): i
            for item, resource, i in db.session.execute(select(Route.item_id, Route.resource_id, Route.id))
        }
        self.routes = {
            (r["sku"], r["resource"]): (new_ids[(row["item_id"], row["resource_id"])], r)
            for r, row in zip(routes, rows, strict=True)
        }
        components = [
            {
                "route_id": self.routes[(r["sku"], r["resource"])][0],
                "item_id": self.items[c["sku"]],
                "qty_per": _decimal(c["qty_per"]),
            }
            for r in routes
            for c in r["components"]
        ]
        self.insert(RouteComponent, components)

    def _lane(self, lane: dict) -> dict:
        to_location = self.locations.get(lane["to"])
        return {
            "from_location_id": self.locations[lane["from"]],
            "to_location_id": to_location,
            "to_region_id": None if to_location else self.regions[lane["to"]],
            "mode": MODES.get(lane["mode"], lane["mode"]),
            "transit_hours": _decimal(lane["transit_hours"]),
            "unit_cost": _decimal(lane["unit_cost"]),
            "capacity_per_day": _decimal(lane.get("capacity_per_day")),
        }

    # -- stock and documents ------------------------------------------------------------------------------
    def stock(self) -> None:
        """Opening stock as ledger receipts, through the ledger's batch posting (balances = entries)."""
        specs = [
            MovementSpec(
                kind="receipt",
                sku=row["sku"],
                location=row["location"],
                quantity=_decimal(row["on_hand"]),
                reason="opening stock",
                reference="COMPANY-OPENING",
            )
            for row in self.snapshot["stock"]
            if row["on_hand"] > 0
        ]
        for start in range(0, len(specs), STOCK_CHUNK):
            inventory_service.post_movements(specs[start : start + STOCK_CHUNK], user_id=self.user_id)
        self.counts["stock_movements"] += len(specs)

    def open_documents(self) -> None:
        """Open purchase orders (`PO-` receipts) and production in progress (`WIP-` receipts)."""
        receipts = self.snapshot["receipts"]
        self._purchase_orders([r for r in receipts if r["ref"].startswith("PO-")])
        self._production_orders([r for r in receipts if r["ref"].startswith("WIP-")])

    def _purchase_orders(self, receipts: list[dict]) -> None:
        offers = {(o["sku"], o["location"]): o for o in self.snapshot["supply_offers"]}
        now, wanted = utcnow(), [r for r in receipts if (r["sku"], r["location"]) in offers]
        orders = [
            {
                "number": r["ref"],
                "supplier_id": self.suppliers[offers[(r["sku"], r["location"])]["supplier"]],
                "location_id": self.locations[r["location"]],
                "status": "released",
                "ordered_at": now,
                "released_at": now,
                "receive_at": self.at(r["arrive_at"]),
                "created_by_id": self.user_id,
            }
            for r in wanted
        ]
        new_ids = self.insert(PurchaseOrder, orders, "number")
        lines = [
            {
                "purchase_order_id": new_ids[r["ref"]],
                "line_no": 1,
                "item_id": self.items[r["sku"]],
                "qty": _decimal(r["qty"]),
                "unit_cost": _decimal(offers[(r["sku"], r["location"])]["unit_cost"]),
            }
            for r in wanted
        ]
        self.insert(PurchaseOrderLine, lines)

    def _production_orders(self, receipts: list[dict]) -> None:
        plant = {r["code"]: r["location"] for r in self.snapshot["resources"]}
        routes = {(sku, plant[resource]): route for (sku, resource), route in self.routes.items()}
        now, rows = utcnow(), []
        for r in receipts:
            if (r["sku"], r["location"]) not in routes:
                continue
            route_id, route = routes[(r["sku"], r["location"])]
            end = self.at(r["arrive_at"])
            start = end - timedelta(hours=float(route["lead_time_hours"]))
            rows.append(
                {
                    "number": r["ref"],
                    "route_id": route_id,
                    "qty": _decimal(r["qty"]),
                    "status": "in_progress",
                    "start_at": start,
                    "end_at": end,
                    "released_at": now,
                    "started_at": now,
                    "created_by_id": self.user_id,
                }
            )
        self.insert(ProductionOrder, rows)

    # -- customers and their orders ------------------------------------------------------------------------
    def orders(self) -> None:
        orders = self.snapshot["orders"]
        channel = {o["id"]: _channel(o) for o in orders}
        pairs = sorted({(channel[o["id"]], o["region"]) for o in orders})
        customers = [
            {
                "code": f"{c.upper()}-{r}",
                "name": f"{c} customers in {r}",
                "channel": c,
                "region_id": self.regions[r],
            }
            for c, r in pairs
        ]
        customer_ids = self.insert(Customer, customers, "code")
        rows = [self._order(o, channel[o["id"]], customer_ids) for o in orders]
        new_ids = self.insert(CustomerOrder, rows, "number")
        lines = [
            {
                "order_id": new_ids[o["id"]],
                "line": line["line"],
                "item_id": self.items[line["sku"]],
                "quantity": _decimal(line["qty"]),
            }
            for o in orders
            for line in o["lines"]
        ]
        self.insert(OrderLine, lines)

    def _order(self, o: dict, channel: str, customer_ids: dict) -> dict:
        promised = self.at(o.get("confirmed_promise_at"))
        return {
            "number": o["id"],
            "customer_id": customer_ids[f"{channel.upper()}-{o['region']}"],
            "channel": channel,
            "region_id": self.regions[o["region"]],
            "created_at": self.at(o["created_at"]),
            "requested_at": self.at(o["requested_at"]),
            "priority": o["priority"],
            "ship_complete": o.get("ship_complete", True),
            "status": "confirmed" if promised else "accepted",
            "promised_at": promised,
        }


def _channel(order: dict) -> str:
    """The channel an order was drawn for, read back from its shape: b2c and marketplace orders are
    small and low priority, retail's have many lines (the generator does not write the channel down)."""
    lines, priority = len(order["lines"]), order["priority"]
    if lines >= 6:
        return "retail"
    if priority == 1 or lines >= 3:
        return "b2b"
    return "b2c" if priority == 3 else "marketplace"
