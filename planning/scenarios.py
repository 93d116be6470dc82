"""Made-up supply chains as `supply-plan/1` snapshots, of any size, the same for the same seed.

`generate(orders=..., skus=..., locations=..., suppliers=..., plants=..., seed=..., tight=...)` lays out a
network on a map and sizes its supply to the demand it drew:

- regions are points on a 1,200 km square; `locations` sites in all (`plants` of them plants, at least one
  warehouse) stand near them, round the regions so that every region has a site;
- lanes follow the distances: a van from a warehouse into its own region, trucks to the nearest other
  regions and between nearby sites, rail from plants to far warehouses (slow, cheap, capped a day), air
  from the first warehouse (the hub) to every other region (fast, dear, capped a day);
- items are traded goods (bought and sold), made goods (made on a plant's lines from components, some
  from a subassembly made on the same plant: two levels), subassemblies and components (bought for the
  plants); a few made goods can also be bought in, dearer;
- orders come by channel: b2c and marketplace (one or two units, soon, low priority, ship complete), b2b
  (several lines, weeks ahead, high priority) and retail replenishment (many lines, partial shipments
  often allowed); a quarter of the older ones already carry a promise, a few of those already missed;
- stock, open receipts (purchase orders, transfers in transit, work in progress), supplier offers (lead
  times, minimums, multiples, daily capacities) and line hours are then sized from the demand drawn;
  `tight=True` keeps less stock, fewer receipts and lines loaded past what they can make.

Pure Python, no database: the tests, the benchmarks and `python -m planning generate` use it alike.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from planning.contract import CONTRACT
from planning.scenario_supply import PLAN_START, SupplySide, money

HORIZON_DAYS = 56

REGION_NAMES = ("harbour", "valley", "uplands", "riverside", "plateau", "coastline", "basin", "ridge")
FAMILIES = ("kettle", "blender", "toaster", "heater", "desk lamp", "fan", "drill", "grinder", "speaker")
PARTS = ("housing", "motor", "cable set", "switch", "heating coil", "glass jug", "blade", "circuit board")

# channel: (share, lines, units a line, priorities with their odds, days from now wanted, partial odds)
CHANNELS = {
    "b2c": (0.40, (1, 2), (1, 3), ((3, 0.8), (2, 0.2)), (-2, 3), 0.0),
    "marketplace": (0.20, (1, 1), (1, 2), ((2, 0.6), (3, 0.4)), (1, 5), 0.0),
    "b2b": (0.25, (2, 5), (4, 40), ((1, 0.5), (2, 0.5)), (5, 30), 0.3),
    "retail": (0.15, (3, 8), (10, 90), ((2, 0.8), (1, 0.2)), (7, 40), 0.6),
}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


class _Network(SupplySide):
    """One snapshot under construction; each step adds its sections, drawing from one `random.Random`."""

    def __init__(self, rng: random.Random, tight: bool, horizon_days: int):
        self.rng = rng
        self.tight = tight
        self.horizon_days = horizon_days
        self.end = PLAN_START + timedelta(days=horizon_days)

    # -- the map ------------------------------------------------------------------------------------------
    def lay_out(self, locations: int, plants: int) -> None:
        rng = self.rng
        plants = max(0, min(plants, locations - 1)) if locations > 1 else 0
        warehouses = max(1, locations - plants)
        regions = max(1, min(warehouses + plants, 2 + (warehouses + plants) // 3))
        self.regions = [REGION_NAMES[i] if i < len(REGION_NAMES) else f"zone-{i + 1}" for i in range(regions)]
        self.region_at = {r: (rng.uniform(0, 1200), rng.uniform(0, 1200)) for r in self.regions}
        self.population = {r: rng.uniform(0.5, 3.0) for r in self.regions}
        self.sites = []  # (code, kind, region, position)
        for i in range(warehouses + plants):
            kind = "warehouse" if i < warehouses else "plant"
            code = f"DC-{i + 1:02d}" if kind == "warehouse" else f"PLT-{i - warehouses + 1}"
            region = self.regions[i % regions]
            x, y = self.region_at[region]
            self.sites.append((code, kind, region, (x + rng.uniform(-60, 60), y + rng.uniform(-60, 60))))
        self.warehouses = [s for s in self.sites if s[1] == "warehouse"]
        self.plants = [s for s in self.sites if s[1] == "plant"]
        self.lanes = []
        self._lane_keys = set()
        self._delivery_lanes()
        self._transfer_lanes()

    def _lane(self, origin: str, to: str, mode: str, transit: float, cost: float, cap: float | None) -> None:
        if (origin, to, mode) in self._lane_keys:
            return
        self._lane_keys.add((origin, to, mode))
        row = {"from": origin, "to": to, "mode": mode, "transit_hours": max(1, round(transit))}
        row["unit_cost"] = money(cost)
        if cap is not None:
            row["capacity_per_day"] = cap
        self.lanes.append(row)

    def _delivery_lanes(self) -> None:
        rng = self.rng
        for code, kind, region, at in self.sites:
            home = _distance(at, self.region_at[region])
            if kind == "warehouse":
                self._lane(code, region, "van", 3 + home / 50, 0.6 + home * 0.004, None)
            else:  # a plant delivers its own region straight from the factory, by truck
                self._lane(code, region, "truck", 6 + home / 55, 0.9 + home * 0.003, None)
            if kind != "warehouse":
                continue
            others = sorted(
                (r for r in self.regions if r != region), key=lambda r: _distance(at, self.region_at[r])
            )
            for other in others[:2]:
                km = _distance(at, self.region_at[other])
                cap = rng.choice((None, None, None, 40 if self.tight else 120))
                self._lane(code, other, "truck", 8 + km / 55, 0.4 + km * 0.002, cap)
        hub_code, _, hub_region, hub_at = self.warehouses[0]
        for other in self.regions:
            if other != hub_region:
                km = _distance(hub_at, self.region_at[other])
                self._lane(hub_code, other, "air", 10 + km / 600, 4 + km * 0.01, 12 if self.tight else 30)

    def _transfer_lanes(self) -> None:
        rng = self.rng
        for code, _, _, at in self.plants:
            for wh_code, _, _, wh_at in self.warehouses:
                km = _distance(at, wh_at)
                self._lane(code, wh_code, "truck", 8 + km / 55, 0.3 + km * 0.0015, None)
                if km > 250:
                    cap = rng.choice((200, 500)) if self.tight else rng.choice((800, 2000))
                    self._lane(code, wh_code, "rail", 24 + km / 30, 0.1 + km * 0.0006, cap)
        for code, _, _, at in self.warehouses:
            near = sorted((w for w in self.warehouses if w[0] != code), key=lambda w: _distance(at, w[3]))
            for wh_code, _, _, wh_at in near[:2]:
                km = _distance(at, wh_at)
                self._lane(code, wh_code, "truck", 10 + km / 55, 0.35 + km * 0.0018, None)

    # -- the items ----------------------------------------------------------------------------------------
    def assort(self, skus: int) -> None:
        """Split `skus` into traded, made, subassembly and component items (no plants: all traded)."""
        rng = self.rng
        skus = max(1, skus)
        if self.plants and skus >= 3:
            made = max(1, round(skus * 0.3))
            subs = max(1, round(skus * 0.1)) if skus >= 7 else 0
            parts = max(1, round(skus * 0.35))
            traded = max(1, skus - made - subs - parts)
            parts = skus - made - subs - traded
        else:
            made = subs = parts = 0
            traded = skus
        self.items = []
        self.role = {}
        self.value = {}
        for i in range(traded + made):
            family = FAMILIES[i % len(FAMILIES)]
            code = f"{family[:3].upper()}-{i + 1:03d}"
            self._item(code, f"{family}, model {i + 1}", "traded" if i < traded else "made", 30, 400)
        for i in range(subs):
            part = PARTS[i % len(PARTS)]
            self._item(f"SA-{i + 1:03d}", f"{part} assembly {i + 1}", "sub", 15, 80)
        for i in range(parts):
            part = PARTS[(i + 3) % len(PARTS)]
            self._item(f"P{i + 1:04d}", f"{part} {i + 1}", "part", 1, 30)
        self.sold = [r["sku"] for r in self.items if self.role[r["sku"]] in ("traded", "made")]
        # a few components are sold as spare parts too
        self.sold += [r["sku"] for r in self.items if self.role[r["sku"]] == "part" and rng.random() < 0.15]
        self.appeal = {
            sku: 1 / (rank + 1) ** 0.8 for rank, sku in enumerate(rng.sample(self.sold, len(self.sold)))
        }

    def _item(self, code: str, name: str, role: str, low: float, high: float) -> None:
        value = round(self.rng.uniform(low, high), 1)
        self.role[code] = role
        self.value[code] = value
        holding = round(value * self.rng.uniform(0.0002, 0.0008), 4)
        self.items.append({"sku": code, "name": name, "holding_cost_per_day": holding})

    # -- the demand ---------------------------------------------------------------------------------------
    def take_orders(self, count: int) -> None:
        rng = self.rng
        channels = list(CHANNELS)
        channel_odds = [CHANNELS[c][0] for c in channels]
        regions = self.regions
        region_odds = [self.population[r] for r in regions]
        sold = self.sold
        sku_odds = [self.appeal[s] for s in sold]
        latest = self.horizon_days - 12
        self.orders = []
        self.demand = dict.fromkeys(self.role, 0.0)
        for n in range(count):
            channel = rng.choices(channels, channel_odds)[0]
            _, (few, many), (small, big), priorities, (soonest, last), partial = CHANNELS[channel]
            created = PLAN_START - timedelta(minutes=rng.randrange(30, 12 * 24 * 60))
            wanted_day = max(soonest, min(latest, rng.randint(soonest, last)))
            requested = (PLAN_START + timedelta(days=wanted_day)).replace(
                hour=rng.choice((8, 10, 12, 14, 17))
            )
            if requested < created:
                requested = created + timedelta(hours=4)
            picked: list[str] = []
            for _ in range(min(len(sold), rng.randint(few, many))):
                sku = rng.choices(sold, sku_odds)[0]
                if sku not in picked:
                    picked.append(sku)
            lines = []
            for i, sku in enumerate(picked):
                qty = rng.randint(small, big)
                if self.role[sku] == "part":
                    qty *= 2  # spares go by the pair
                lines.append({"line": str(10 * (i + 1)), "sku": sku, "qty": qty})
                self.demand[sku] += qty
            promise = None
            if created < PLAN_START - timedelta(days=1) and rng.random() < 0.25:
                # promised in an earlier run: mostly on the day wanted, some later, a few already missed
                base = max(requested, PLAN_START)
                promise = base + timedelta(hours=rng.choice((0, 0, 0, 12, 24, 48)))
                if rng.random() < 0.1:
                    promise = PLAN_START - timedelta(hours=rng.randint(2, 30))
            priority = rng.choices([p for p, _ in priorities], [w for _, w in priorities])[0]
            self.orders.append(
                {
                    "id": f"CO-{n + 1:06d}",
                    "region": rng.choices(regions, region_odds)[0],
                    "created_at": _iso(created),
                    "requested_at": _iso(requested),
                    "priority": priority,
                    "ship_complete": rng.random() >= partial,
                    "confirmed_promise_at": None if promise is None else _iso(promise),
                    "lines": lines,
                }
            )

    # -- what is there and on its way ---------------------------------------------------------------------
    def stock_up(self) -> None:
        rng = self.rng
        self.stock = []
        self.receipts = []
        warehouses = [w[0] for w in self.warehouses]
        cover = (0.1, 0.35) if self.tight else (0.4, 0.9)
        for sku, role in self.role.items():
            if role in ("traded", "made"):
                wanted = self.demand[sku]
                places = rng.sample(warehouses, min(len(warehouses), rng.choice((1, 2, 3))))
                if role == "made" and rng.random() < 0.3:
                    places.append(rng.choice(self.plants)[0])  # finished goods waiting at the plant
                if rng.random() < (0.35 if self.tight else 0.15):
                    places = []  # nothing on hand: made or bought to order
            else:
                at = self.needed_at.get(sku, {})
                wanted = sum(at.values())
                places = sorted(at)
            total = wanted * rng.uniform(*cover)
            for place in places:
                on_hand = round(total / len(places) * rng.uniform(0.5, 1.5))
                self.stock.append({"sku": sku, "location": place, "on_hand": on_hand})
            self._on_the_way(sku, role, wanted)

    def _on_the_way(self, sku: str, role: str, wanted: float) -> None:
        """An open purchase order, a transfer in transit or production in progress, for some items."""
        rng = self.rng
        if wanted <= 0 or rng.random() > (0.25 if self.tight else 0.45):
            return
        qty = max(1, round(wanted * rng.uniform(0.15, 0.4)))
        offers = [o for o in self.offers if o["sku"] == sku]
        made_at = sorted({self.line_plant[r["resource"]] for r in self.routes if r["sku"] == sku})
        if made_at and (not offers or rng.random() < 0.5):
            prefix, place = "WIP", rng.choice(made_at)  # being made now, out when its order ends
        elif offers:
            prefix, place = "PO", rng.choice(offers)["location"]
        else:
            users = sorted(self.needed_at.get(sku, {}))
            prefix, place = "TRF", rng.choice(users or [w[0] for w in self.warehouses])
        days = rng.uniform(-1.5, 20) if rng.random() > 0.03 else self.horizon_days + 5  # late, soon, or never
        ref = f"{prefix}-{len(self.receipts) + 1:05d}"
        arrive = PLAN_START + timedelta(hours=round(days * 24))
        self.receipts.append(
            {"ref": ref, "sku": sku, "location": place, "qty": qty, "arrive_at": _iso(arrive)}
        )

    def snapshot(self) -> dict:
        return {
            "contract": CONTRACT,
            "plan_start": _iso(PLAN_START),
            "horizon_days": self.horizon_days,
            "policy": {
                "priority_weights": {"1": 50, "2": 8, "3": 1},
                "lateness_cost_per_day": 12,
                "unserved_penalty": 50000,
                "broken_promise_penalty": 1500,
            },
            "items": self.items,
            "regions": [{"code": r} for r in self.regions],
            "locations": [{"code": c, "kind": k, "region": r} for c, k, r, _ in self.sites],
            "stock": self.stock,
            "receipts": self.receipts,
            "suppliers": self.suppliers,
            "supply_offers": self.offers,
            "resources": self.resources,
            "routes": self.routes,
            "lanes": self.lanes,
            "orders": self.orders,
        }


def generate(
    *,
    orders: int = 50,
    skus: int = 20,
    locations: int = 4,
    suppliers: int = 3,
    plants: int = 1,
    seed: int = 1,
    tight: bool = False,
    horizon_days: int = HORIZON_DAYS,
) -> dict:
    """A `supply-plan/1` snapshot of a made-up network: `locations` sites in all (`plants` of them plants,
    at least one warehouse), `skus` items, `suppliers` suppliers, `orders` customer orders; the same for the
    same arguments. `tight=True` makes supply scarce (less stock, fewer receipts, longer lead times, lines
    loaded past what they can make)."""
    net = _Network(random.Random(seed), tight, horizon_days)
    net.lay_out(max(1, locations), plants)
    net.assort(skus)
    net.take_orders(max(0, orders))
    net.equip_plants()
    net.find_suppliers(max(0, suppliers))
    net.stock_up()
    return net.snapshot()
