"""Splitting a snapshot into independent parts, each a `supply-plan/1` snapshot of its own, and merging plans.

Two orders belong to one part when a plan for one can change what is possible or what it costs for the other:
they may take goods from the same (sku, location) — directly, through transfers, or through the components
their goods are made of — or use one resource, one capped lane, one capped offer. Everything that can ever
hold goods is in some part (stock nobody orders included: its holding cost is part of the plan's cost, and
a route may turn it into something cheaper to hold). A part travels as a plain contract snapshot, so it can
be planned in another process, and its plan is merged back; costs, bounds and KPIs add up exactly because
the contract's cost is a sum over orders, supply actions and (sku, location) holdings.
"""

from __future__ import annotations

import copy
from collections import defaultdict

SECTIONS = ("stock", "receipts", "supply_offers", "routes", "resources", "lanes", "orders")
LISTS = ("items", "regions", "locations", "suppliers")


class UnionFind:
    """Disjoint sets of hashable keys (path halving, union by size)."""

    def __init__(self) -> None:
        self.parent: dict = {}
        self.size: dict = {}

    def find(self, key):
        parent = self.parent
        if key not in parent:
            parent[key], self.size[key] = key, 1
            return key
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(self, *keys) -> None:
        root = self.find(keys[0])
        for key in keys[1:]:
            other = self.find(key)
            if other == root:
                continue
            if self.size[other] > self.size[root]:
                root, other = other, root
            self.parent[other] = root
            self.size[root] += self.size[other]


def holding_pairs(raw: dict) -> set[tuple[str, str]]:
    """Every (sku, location) that can ever hold goods: stock, receipts, offers, routes, and what transfers can
    carry from those onwards."""
    locations = {row["code"] for row in raw["locations"]}
    pairs = {(r["sku"], r["location"]) for r in raw.get("stock") or []}
    pairs |= {(r["sku"], r["location"]) for r in raw.get("receipts") or []}
    pairs |= {(r["sku"], r["location"]) for r in raw.get("supply_offers") or []}
    resource_at = {r["code"]: r["location"] for r in raw.get("resources") or []}
    pairs |= {(r["sku"], resource_at[r["resource"]]) for r in raw.get("routes") or []}
    transfers: dict[str, list[str]] = defaultdict(list)
    for lane in raw.get("lanes") or []:
        if lane["to"] in locations:
            transfers[lane["from"]].append(lane["to"])
    frontier = list(pairs)
    while frontier:
        sku, loc = frontier.pop()
        for to in transfers.get(loc, ()):
            if (sku, to) not in pairs:
                pairs.add((sku, to))
                frontier.append((sku, to))
    return pairs


def connect(raw: dict) -> UnionFind:
    """Join what shares stock, a resource, a capped lane or an order (see the module docstring)."""
    uf = UnionFind()
    locations = {row["code"] for row in raw["locations"]}
    pairs = holding_pairs(raw)
    by_location: dict[str, set[str]] = defaultdict(set)
    for sku, loc in pairs:
        uf.find(("pair", sku, loc))
        by_location[loc].add(sku)
    resource_at = {r["code"]: r["location"] for r in raw.get("resources") or []}
    for route in raw.get("routes") or []:
        loc = resource_at[route["resource"]]
        keys = [("pair", route["sku"], loc), ("resource", route["resource"])]
        keys += [("pair", c["sku"], loc) for c in route.get("components") or []]
        uf.union(*keys)
    orders_to: dict[str, list[dict]] = defaultdict(list)
    for order in raw["orders"]:
        orders_to[order["region"]].append(order)
        uf.find(("order", order["id"]))
    for lane in raw.get("lanes") or []:
        origin, to = lane["from"], lane["to"]
        capped = lane.get("capacity_per_day") is not None
        if to in locations:
            keys = [(("pair", sku, origin), ("pair", sku, to)) for sku in by_location.get(origin, ())]
            for a, b in keys:
                uf.union(a, b)
            if capped and keys:
                uf.union(*(a for a, _ in keys))
            continue
        served = []
        for order in orders_to.get(to, ()):
            for line in order["lines"]:
                if line["sku"] in by_location.get(origin, ()):
                    uf.union(("order", order["id"]), ("pair", line["sku"], origin))
                    served.append(("pair", line["sku"], origin))
        if capped and served:
            uf.union(*served)
    return uf


def split(raw: dict) -> list[dict]:
    """The snapshot's independent parts, as snapshots, largest first (one part: the snapshot itself)."""
    uf = connect(raw)
    resource_at = {r["code"]: r["location"] for r in raw.get("resources") or []}
    locations = {row["code"] for row in raw["locations"]}
    rows: dict[object, dict[str, list]] = defaultdict(lambda: {name: [] for name in SECTIONS})

    def put(key, section: str, row: dict) -> None:
        rows[uf.find(key)][section].append(row)

    for order in raw["orders"]:
        put(("order", order["id"]), "orders", order)
    for section in ("stock", "receipts", "supply_offers"):
        for row in raw.get(section) or []:
            put(("pair", row["sku"], row["location"]), section, row)
    for route in raw.get("routes") or []:
        put(("resource", route["resource"]), "routes", route)
    for resource in raw.get("resources") or []:
        if ("resource", resource["code"]) in uf.parent:
            put(("resource", resource["code"]), "resources", resource)
    _share_lanes(raw, uf, rows, locations)
    if len(rows) <= 1:
        return [raw]
    parts = [_part(raw, sections, resource_at) for sections in rows.values()]
    return sorted(parts, key=part_size, reverse=True)


def _share_lanes(raw: dict, uf: UnionFind, rows: dict, locations: set[str]) -> None:
    """Each transfer lane goes to every part that has goods at its origin (a capped one is in one part only:
    all goods at its origin are joined), each delivery lane to every part with an order to its region (a
    part that has no goods at its origin for the region's orders cannot use it: those were joined)."""
    holding: dict[str, set] = defaultdict(set)  # location -> parts with goods there
    for key in uf.parent:
        if key[0] == "pair":
            holding[key[2]].add(uf.find(key))
    ordering: dict[str, set] = defaultdict(set)  # region -> parts with orders to it
    for order in raw["orders"]:
        ordering[order["region"]].add(uf.find(("order", order["id"])))
    for lane in raw.get("lanes") or []:
        roots = holding[lane["from"]] if lane["to"] in locations else ordering[lane["to"]]
        for root in roots:
            if root in rows:
                rows[root]["lanes"].append(lane)


def _part(raw: dict, sections: dict[str, list], resource_at: dict[str, str]) -> dict:
    """A snapshot of one part: its rows, and the items, places and suppliers they name."""
    skus = {row["sku"] for name in ("stock", "receipts", "supply_offers", "routes") for row in sections[name]}
    skus |= {c["sku"] for route in sections["routes"] for c in route.get("components") or []}
    skus |= {line["sku"] for order in sections["orders"] for line in order["lines"]}
    places = {row["location"] for name in ("stock", "receipts", "supply_offers") for row in sections[name]}
    places |= {resource_at[route["resource"]] for route in sections["routes"]}
    places |= {lane["from"] for lane in sections["lanes"]}
    places |= {lane["to"] for lane in sections["lanes"]}
    places |= {resource["location"] for resource in sections["resources"]}
    locations = [row for row in raw["locations"] if row["code"] in places]
    regions = {row["region"] for row in locations} | {order["region"] for order in sections["orders"]}
    regions |= {lane["to"] for lane in sections["lanes"]}  # deliveries go to regions
    suppliers = {row["supplier"] for row in sections["supply_offers"]}
    part = {key: value for key, value in raw.items() if key not in SECTIONS}
    part.update(sections)
    part["items"] = [row for row in raw["items"] if row["sku"] in skus]
    part["locations"] = locations
    part["regions"] = [row for row in raw["regions"] if row["code"] in regions]
    part["suppliers"] = [row for row in raw.get("suppliers") or [] if row["code"] in suppliers]
    return part


def part_size(part: dict) -> int:
    """A rough measure of how hard a part is to plan: order lines times delivery lanes, plus supply rows."""
    lines = sum(len(order["lines"]) for order in part["orders"])
    return lines * max(1, len(part["lanes"])) + len(part["supply_offers"]) + len(part["routes"])


def prefixed(snap: dict, prefix: str) -> dict:
    """A copy of `snap` with every code prefixed: the same network, sharing nothing with the original."""
    out = copy.deepcopy(snap)

    def p(code: str) -> str:
        return f"{prefix}{code}"

    for row in out["items"]:
        row["sku"] = p(row["sku"])
    for row in out["regions"]:
        row["code"] = p(row["code"])
    for row in out["locations"]:
        row["code"], row["region"] = p(row["code"]), p(row["region"])
    for row in out.get("suppliers") or []:
        row["code"] = p(row["code"])
    for section in ("stock", "receipts", "supply_offers"):
        for row in out.get(section) or []:
            row["sku"], row["location"] = p(row["sku"]), p(row["location"])
            for key in ("supplier", "ref"):
                if key in row:
                    row[key] = p(row[key])
    for row in out.get("resources") or []:
        row["code"], row["location"] = p(row["code"]), p(row["location"])
    for row in out.get("routes") or []:
        row["sku"], row["resource"] = p(row["sku"]), p(row["resource"])
        for c in row.get("components") or []:
            c["sku"] = p(c["sku"])
    for row in out.get("lanes") or []:
        row["from"], row["to"] = p(row["from"]), p(row["to"])
    for row in out["orders"]:
        row["id"], row["region"] = p(row["id"]), p(row["region"])
        for line in row["lines"]:
            line["sku"] = p(line["sku"])
    return out


def combined(snapshots: list[dict]) -> dict:
    """One snapshot holding several that share no code (e.g. `prefixed` copies), with the first one's start,
    horizon and policy: a batch of independent networks."""
    batch = {key: value for key, value in snapshots[0].items() if key not in SECTIONS + LISTS}
    for section in SECTIONS + LISTS:
        batch[section] = [row for snap in snapshots for row in snap.get(section) or []]
    return batch


def plan_of_part(plan: dict, part: dict) -> dict:
    """What of `plan` concerns `part`: its orders' confirmations and the supply actions on its offers,
    routes and lanes."""
    orders = {order["id"] for order in part["orders"]}
    offers = {(o["supplier"], o["sku"], o["location"]) for o in part["supply_offers"]}
    routes = {(r["resource"], r["sku"]) for r in part["routes"]}
    lanes = {(lane["from"], lane["to"], lane["mode"]) for lane in part["lanes"]}
    skus = {item["sku"] for item in part["items"]}
    return {
        "contract": plan.get("contract"),
        "plan_start": plan.get("plan_start"),
        "confirmations": [c for c in plan.get("confirmations") or [] if c.get("order_id") in orders],
        "procurement": [
            p for p in plan.get("procurement") or [] if (p["supplier"], p["sku"], p["location"]) in offers
        ],
        "production": [m for m in plan.get("production") or [] if (m["resource"], m["sku"]) in routes],
        "transfers": [
            t
            for t in plan.get("transfers") or []
            if (t["from"], t["to"], t["mode"]) in lanes and t["sku"] in skus
        ],
    }


def merge(raw: dict, plans: list[dict]) -> dict:
    """One plan from the plans of the parts: confirmations in the snapshot's order of orders, supply
    actions numbered anew, KPIs added up."""
    by_order = {c["order_id"]: c for plan in plans for c in plan["confirmations"]}
    merged = {
        "contract": raw["contract"],
        "plan_start": raw["plan_start"],
        "confirmations": [by_order[order["id"]] for order in raw["orders"]],
    }
    for section, prefix in (("procurement", "PO-P"), ("production", "MO-P"), ("transfers", "TR-P")):
        rows = [dict(row) for plan in plans for row in plan[section]]
        for i, row in enumerate(rows):
            row["id"] = f"{prefix}{i + 1}"
        merged[section] = rows
    kpis: dict[str, float] = {}
    for plan in plans:
        for key, value in plan["kpis"].items():
            kpis[key] = kpis.get(key, 0) + value
    merged["kpis"] = kpis
    return merged
