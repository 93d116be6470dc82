"""The supply side of a made-up network (`planning.scenarios`): plant lines with their calendars, routes
with their bills of material, and suppliers with their offers, each sized to the demand already drawn.

A mixin of `scenarios._Network`: its steps read the network's map, items and demand and add the
`resources`, `routes`, `suppliers` and `offers` sections, drawing from the same `random.Random` in the
same order as ever, so a seed still gives the same snapshot.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

PLAN_START = datetime(2026, 11, 23, 6, tzinfo=UTC)  # a Monday, as the early shift starts
VENDORS = ("Brno Castings", "Lodz Plastics", "Porto Motors", "Graz Electronics", "Lyon Cables", "Turku Glass")


def money(value: float) -> float:
    return round(value, 2)


class SupplySide:
    """Making and buying: the steps of `_Network` that equip its plants and find its suppliers."""

    # -- making -------------------------------------------------------------------------------------------
    def equip_plants(self) -> None:
        """Lines at each plant with their calendars, and the routes of made goods and subassemblies."""
        rng = self.rng
        self.resources = []
        self.lines_at = {}
        self.line_plant: dict[str, str] = {}
        for code, _, _, _ in self.plants:
            self.lines_at[code] = []
            for letter in "AB"[: rng.choice((1, 1, 2))]:
                hours = rng.choice((8, 16, 16, 24)) if not self.tight else rng.choice((8, 8, 16))
                line = {"code": f"{code}-{letter}", "location": code, "hours_per_day": hours}
                calendar = self._calendar(hours)
                if calendar:
                    line["calendar"] = calendar
                self.resources.append(line)
                self.line_plant[line["code"]] = code
                self.lines_at[code].append(line)
        self.routes = []
        self._units: dict[int, float] = {}  # route (by id) -> units of the demand it is meant to make
        made = [s for s in self.role if self.role[s] == "made"]
        subs = [s for s in self.role if self.role[s] == "sub"]
        parts = [s for s in self.role if self.role[s] == "part"]
        plant_codes = [p[0] for p in self.plants]
        self.needed_at = {}  # component or subassembly -> plants that use it, with the units they use
        sub_plants: dict[str, set[str]] = {s: set() for s in subs}
        # a subassembly's bill first: the goods made from it may use the same parts directly too
        sub_recipe = {
            sub: [
                {"sku": p, "qty_per": rng.choice((1, 2))}
                for p in rng.sample(parts, min(len(parts), rng.randint(1, 2)))
            ]
            for sub in subs
        }
        for sku in made:
            where = rng.sample(plant_codes, 2 if len(plant_codes) > 1 and rng.random() < 0.3 else 1)
            sub = rng.choice(subs) if subs and rng.random() < 0.5 else None
            recipe = [
                {"sku": p, "qty_per": rng.choice((1, 1, 2, 4))}
                for p in rng.sample(parts, min(len(parts), rng.randint(1, 3)))
            ]
            if sub:
                recipe.append({"sku": sub, "qty_per": 1})
                sub_plants[sub].update(where)
            for plant in where:
                self._routes(sku, plant, recipe, self.demand[sku] / len(where))
        for sub in subs:
            where = sorted(sub_plants[sub]) or [rng.choice(plant_codes)]
            need = self.used.get(sub, 0.0)
            recipe = sub_recipe[sub]
            for plant in where:
                self._routes(sub, plant, recipe, max(need, 1.0) / len(where))
        self._size_lines()

    @property
    def used(self) -> dict[str, float]:
        """Units of each component or subassembly the routes so far would use to make the demand."""
        return {sku: sum(plants.values()) for sku, plants in self.needed_at.items()}

    def _routes(self, sku: str, plant: str, recipe: list[dict], units: float) -> None:
        rng = self.rng
        lines = self.lines_at[plant]
        chosen = rng.sample(lines, 2 if len(lines) > 1 and rng.random() < 0.3 else 1)
        for line in chosen:
            setup = rng.choice((0, 0.5, 1, 2))
            route = {
                "sku": sku,
                "resource": line["code"],
                "hours_per_unit": 0.0,  # set by _size_lines once every route of the line is known
                "lead_time_hours": rng.choice((8, 12, 24, 24, 36, 48)),
                "unit_cost": money(self.value[sku] * rng.uniform(0.08, 0.25)),
                "setup_hours": setup,
                "setup_cost": rng.choice((40, 90, 180)) if setup else 0,
                "components": [dict(c) for c in recipe],
            }
            self.routes.append(route)
            self._units[id(route)] = units / len(chosen) * rng.uniform(0.6, 1.6)
        for c in recipe:
            at = self.needed_at.setdefault(c["sku"], {})
            at[plant] = at.get(plant, 0.0) + units * c["qty_per"]

    def _size_lines(self) -> None:
        """Hours a unit so that each line, over the horizon's weekdays, is loaded by the demand to a share of
        its hours (a quarter to a half; tight: 90 % to 140 %), no unit needing more than a quarter day."""
        rng = self.rng
        by_line: dict[str, list[dict]] = {}
        for route in self.routes:
            by_line.setdefault(route["resource"], []).append(route)
        for line in self.resources:
            routes = by_line.get(line["code"], [])
            units = sum(self._units[id(r)] for r in routes) or 1.0
            load = rng.uniform(0.9, 1.4) if self.tight else rng.uniform(0.25, 0.5)
            per_unit = line["hours_per_day"] * self.horizon_days * 5 / 7 * load / units
            for route in routes:
                most = (line["hours_per_day"] - route["setup_hours"]) / 4
                route["hours_per_unit"] = max(0.002, round(min(per_unit * rng.uniform(0.7, 1.3), most), 4))

    def _calendar(self, hours: float) -> list[dict]:
        """Some Sundays closed (lines not running round the clock), a maintenance day, an extra Saturday shift
        and a short day, all inside the horizon."""
        rng = self.rng
        days: dict[str, float] = {}

        def date(offset: int) -> str:
            return (PLAN_START + timedelta(days=offset)).strftime("%Y-%m-%d")

        if hours < 24 and rng.random() < 0.6:
            for week in range(self.horizon_days // 7):
                days[date(6 + 7 * week)] = 0  # Sundays (the start is a Monday)
        if rng.random() < 0.5:
            days[date(rng.randint(1, self.horizon_days - 1))] = 0  # maintenance
        if hours < 24 and rng.random() < 0.5:
            days[date(5 + 7 * rng.randint(0, 3))] = min(24, hours + 8)  # an extra Saturday shift
        if rng.random() < 0.3:
            days.setdefault(date(rng.randint(1, self.horizon_days - 1)), hours / 2)  # a short day
        return [{"date": d, "hours": h} for d, h in sorted(days.items())]

    # -- buying -------------------------------------------------------------------------------------------
    def find_suppliers(self, count: int) -> None:
        """Offers: components at the plants that use them, traded goods at one or two warehouses, some made
        goods bought in at a warehouse (dearer than making them)."""
        rng = self.rng
        self.suppliers = [
            {
                "code": f"VND-{i + 1:02d}",
                "name": VENDORS[i % len(VENDORS)] + ("" if i < len(VENDORS) else f" {i}"),
            }
            for i in range(count)
        ]
        self.offers = []
        if not self.suppliers:
            return
        codes = [s["code"] for s in self.suppliers]
        warehouses = [w[0] for w in self.warehouses]
        for sku, role in self.role.items():
            if role == "part":
                places = sorted(self.needed_at.get(sku, {})) or [rng.choice(warehouses)]
                markup = 1.0
            elif role == "traded":
                places = rng.sample(warehouses, min(len(warehouses), rng.choice((1, 1, 2))))
                markup = 0.7
            elif role == "made" and rng.random() < 0.2:
                places = [rng.choice(warehouses)]
                markup = 1.3
            else:
                continue
            for place in places:
                for supplier in rng.sample(codes, min(len(codes), rng.choice((1, 1, 2)))):
                    self.offers.append(self._offer(supplier, sku, place, markup))

    def _offer(self, supplier: str, sku: str, place: str, markup: float) -> dict:
        rng = self.rng
        days = rng.choice((2, 3, 4, 5, 7, 10, 14)) + (rng.choice((0, 7, 14)) if self.tight else 0)
        row = {
            "supplier": supplier,
            "sku": sku,
            "location": place,
            "lead_time_hours": days * 24 + rng.choice((0, 0, 6, 12)),
            "unit_cost": money(self.value[sku] * markup * rng.uniform(0.9, 1.1)),
            "order_cost": rng.choice((0, 25, 60, 150, 400)),
        }
        multiple = rng.choice((None, None, 5, 10, 12, 25, 50))
        if multiple:
            row["multiple"] = multiple
        if rng.random() < 0.4:
            row["min_qty"] = (multiple or 10) * rng.choice((1, 2, 4))
        if rng.random() < 0.3:
            floor = max(row.get("min_qty", 0), multiple or 1)
            daily = self.demand.get(sku, 0) + self.used.get(sku, 0)
            daily = daily / self.horizon_days * (rng.uniform(0.5, 1.0) if self.tight else rng.uniform(2, 5))
            cap = floor * max(1, math.ceil(daily / floor))
            row["capacity_per_day"] = cap
        return row
