"""takt's referee for contract `supply-plan/1` (docs/contract.md): is a snapshot well formed, does a plan keep
the six rules, and what does it cost. Pure Python, and on purpose independent of the solver: it shares no
code with `planning/solver/`, so a mistake in the planner's accounting shows up here as a disagreement."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

from planning.checker_costs import Charges
from planning.checker_network import (
    DAY,
    DELIVERY_FIELDS,
    HOUR,
    PROCUREMENT_FIELDS,
    PRODUCTION_FIELDS,
    QTY_TOLERANCE,
    RULE_MOVEMENT,
    RULE_ORDERS,
    RULE_PRODUCTION,
    RULE_PURCHASING,
    RULE_REFERENCES,
    RULE_STOCK,
    TIME_TOLERANCE,
    TRANSFER_FIELDS,
    Network,
    over,
    record_ident,
    same_qty,
    text_of,
    utc_day,
)
from planning.checker_snapshot import SnapshotError, check_snapshot, instant
from planning.contract import CONTRACT

__all__ = ["SnapshotError", "check_snapshot", "verify"]


def verify(snapshot: dict, plan: dict) -> dict:
    """Check `plan` against `snapshot` and recompute its cost; a malformed snapshot raises SnapshotError."""
    errors = check_snapshot(snapshot)
    if errors:
        raise SnapshotError(errors)
    return _Referee(Network(snapshot), plan).report()


class _Referee(Charges):
    """One plan judged against one network: violations found, flows of stock and cost gathered on the way."""

    def __init__(self, network: Network, plan: dict):
        self.net = network
        self.plan = plan if isinstance(plan, dict) else {}
        self.violations: list[dict] = []
        self.flows: list[
            tuple[float, int, str, str, float, str]
        ] = []  # (time, 0 in / 1 out, sku, loc, qty, what)
        self.cost = defaultdict(float)
        self.departures: dict[tuple, float] = defaultdict(float)  # ((from, to, mode), UTC date) -> qty
        self.kpis = {"orders": len(network.orders), "confirmed": 0, "unconfirmed": 0, "on_time": 0, "late": 0}
        self.kpis |= {"broken_promises": 0}
        self.late_days: list[float] = []
        if not isinstance(plan, dict):
            self.flag(RULE_REFERENCES, "plan", "the plan is not a JSON object")

    def flag(self, rule: int, ident, message: str) -> None:
        self.violations.append({"rule": rule, "id": ident, "message": message})

    def report(self) -> dict:
        self.check_header()
        self.check_orders()
        self.check_procurement()
        self.check_production()
        self.check_transfers()
        self.check_stock()
        return {
            "valid": not self.violations,
            "violations": sorted(self.violations, key=lambda v: v["rule"]),
            "cost": self.cost_summary(),
            "kpis": self.kpi_summary(),
        }

    # -- rule 1: references ----------------------------------------------------------------------------------

    def check_header(self) -> None:
        if self.plan.get("contract") != CONTRACT:
            self.flag(
                RULE_REFERENCES, "contract", f"contract {self.plan.get('contract')!r}, expected {CONTRACT!r}"
            )
        start = instant(self.plan.get("plan_start"))
        if start is None or abs(start - self.net.start) > TIME_TOLERANCE:
            given, wanted = self.plan.get("plan_start"), self.net.raw["plan_start"]
            message = f"plan_start {given!r} is not the snapshot's {wanted!r}"
            self.flag(RULE_REFERENCES, "plan_start", message)

    def records(self, section: str) -> list:
        rows = self.plan.get(section, [])
        if isinstance(rows, list):
            return rows
        self.flag(RULE_REFERENCES, section, f"{section} is not a list")
        return []

    def parse(self, row, fields: dict[str, str], ident) -> dict | None:
        """The record with its times in seconds, or None (flagged under rule 1) when a field is unusable."""
        if not isinstance(row, dict):
            self.flag(RULE_REFERENCES, ident, "not a JSON object")
            return None
        parsed, sound = dict(row), True
        for field, kind in fields.items():
            value, problem = self.read(row.get(field), kind)
            if problem:
                self.flag(RULE_REFERENCES, ident, f"{field} {row.get(field)!r} {problem}")
                sound = False
            parsed[field] = value
        return parsed if sound else None

    def read(self, value, kind: str) -> tuple[object, str | None]:
        if kind == "qty":
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value > 0
            )
            return value, None if ok else "is not a finite quantity > 0"
        if kind == "time":
            seconds = instant(value)
            if seconds is None:
                return None, "is not an ISO 8601 time with an offset"
            if not self.net.start - TIME_TOLERANCE <= seconds <= self.net.end + TIME_TOLERANCE:
                return seconds, "is outside the horizon [plan_start, plan_start + horizon_days]"
            return seconds, None
        if kind == "text":
            return value, None if isinstance(value, str) and value else "is not a code"
        known = {
            "suppliers": self.net.suppliers,
            "items": self.net.holding,
            "locations": self.net.locations,
            "resources": self.net.resources,
        }[kind]
        return value, None if isinstance(value, str) and value in known else f"names nothing in {kind}"

    # -- rule 2: orders (and rule 5 for deliveries) ----------------------------------------------------------

    def check_orders(self) -> None:
        seen: dict[str, int] = defaultdict(int)
        for index, row in enumerate(self.records("confirmations")):
            ident = row.get("order_id") if isinstance(row, dict) else None
            order = self.net.orders.get(ident) if isinstance(ident, str) else None
            if order is None:
                self.flag(RULE_REFERENCES, ident or f"confirmations[{index}]", "order_id names no order")
                continue
            seen[ident] += 1
            if seen[ident] == 2:
                self.flag(RULE_ORDERS, ident, "the order appears in more than one confirmation")
            if seen[ident] == 1:
                self.judge_confirmation(order, row)
        for ident, order in self.net.orders.items():
            if not seen[ident]:
                self.flag(RULE_ORDERS, ident, "the order has no confirmation")
                self.charge_unserved(order)

    def judge_confirmation(self, order: dict, row: dict) -> None:
        status = row.get("status")
        if status == "unconfirmed":
            if row.get("promised_at") is not None or any(
                isinstance(line, dict) and line.get("deliveries") for line in row.get("lines") or []
            ):
                self.flag(RULE_ORDERS, order["id"], "an unconfirmed order has deliveries or a promised_at")
            self.charge_unserved(order)
            return
        if status != "confirmed":
            self.flag(RULE_ORDERS, order["id"], f"status {status!r} is neither 'confirmed' nor 'unconfirmed'")
            self.charge_unserved(order)
            return
        deliveries = self.judge_lines(order, row)
        promised = instant(row.get("promised_at"))
        self.judge_promise(order, row, promised, deliveries)
        self.charge_confirmed(order, promised, deliveries)

    def judge_lines(self, order: dict, row: dict) -> list[dict]:
        """Every line of the order once with its sku and qty, deliveries adding up; the usable deliveries."""
        wanted = {line["line"]: line for line in order["lines"]}
        listed: set[str] = set()
        deliveries: list[dict] = []
        lines = row.get("lines") if isinstance(row.get("lines"), list) else []
        for line in lines:
            key = line.get("line") if isinstance(line, dict) else None
            if key not in wanted or key in listed:
                self.flag(
                    RULE_ORDERS, order["id"], f"line {key!r} is not a line of the order or is listed twice"
                )
                continue
            listed.add(key)
            ordered = wanted[key]
            if line.get("sku") != ordered["sku"] or not same_qty(line.get("qty"), ordered["qty"]):
                message = (
                    f"line {key!r} lists {line.get('qty')!r} {line.get('sku')!r}, "
                    f"the order wants {ordered['qty']} {ordered['sku']}"
                )
                self.flag(RULE_ORDERS, order["id"], message)
            deliveries += self.judge_deliveries(order, ordered, line.get("deliveries"))
        for key in wanted.keys() - listed:
            self.flag(RULE_ORDERS, order["id"], f"line {key!r} of the order is missing")
        return deliveries

    def judge_deliveries(self, order: dict, ordered: dict, rows) -> list[dict]:
        rows = rows if isinstance(rows, list) else []
        usable = [d for d in (self.parse(r, DELIVERY_FIELDS, order["id"]) for r in rows) if d is not None]
        total = sum(
            float(r.get("qty") or 0)
            for r in rows
            if isinstance(r, dict) and isinstance(r.get("qty"), int | float)
        )
        if abs(total - ordered["qty"]) > QTY_TOLERANCE:
            message = f"line {ordered['line']!r}: {total:g} delivered for {ordered['qty']:g} ordered"
            self.flag(RULE_ORDERS, order["id"], message)
        for delivery in usable:
            delivery["sku"], delivery["to"] = ordered["sku"], order["region"]
            self.judge_movement(delivery, order["id"], "delivery")
        return usable

    def judge_promise(self, order: dict, row: dict, promised: float | None, deliveries: list[dict]) -> None:
        ident, requested = order["id"], instant(order["requested_at"])
        if promised is None:
            self.flag(RULE_ORDERS, ident, f"promised_at {row.get('promised_at')!r} is not an ISO 8601 time")
            return
        for d in deliveries:
            if d["arrive_at"] < requested - TIME_TOLERANCE:
                self.flag(
                    RULE_ORDERS,
                    ident,
                    f"a delivery arrives at {text_of(d['arrive_at'])}, before requested_at",
                )
            if order.get("ship_complete") is not False and abs(d["arrive_at"] - promised) > TIME_TOLERANCE:
                self.flag(
                    RULE_ORDERS, ident, f"ship-complete, but a delivery arrives at {text_of(d['arrive_at'])}"
                )
        if deliveries and abs(max(d["arrive_at"] for d in deliveries) - promised) > TIME_TOLERANCE:
            self.flag(RULE_ORDERS, ident, "promised_at is not the latest arrival of its deliveries")

    # -- rule 3: purchasing ----------------------------------------------------------------------------------

    def check_procurement(self) -> None:
        received: dict[tuple, float] = defaultdict(float)
        for index, row in enumerate(self.records("procurement")):
            ident = record_ident(row, "procurement", index)
            po = self.parse(row, PROCUREMENT_FIELDS, ident)
            if po is None:
                continue
            offer = self.net.offers.get((po["supplier"], po["sku"], po["location"]))
            if offer is None:
                self.flag(
                    RULE_PURCHASING, ident, f"no offer of {po['sku']} at {po['location']} by {po['supplier']}"
                )
                continue
            self.judge_purchase(ident, po, offer)
            received[(po["supplier"], po["sku"], po["location"], utc_day(po["receive_at"]))] += po["qty"]
            self.cost["purchasing"] += po["qty"] * float(offer["unit_cost"]) + float(
                offer.get("order_cost") or 0
            )
            self.flows.append(
                (po["receive_at"], 0, po["sku"], po["location"], po["qty"], f"purchase {ident}")
            )
        for (supplier, sku, location, day), qty in received.items():
            capacity = self.net.offers[(supplier, sku, location)].get("capacity_per_day")
            if capacity is not None and over(qty, capacity):
                message = f"{qty:g} of {sku} received at {location} on {day} exceeds {capacity:g} per day"
                self.flag(RULE_PURCHASING, supplier, message)

    def judge_purchase(self, ident, po: dict, offer: dict) -> None:
        waited = po["receive_at"] - po["order_at"]
        if waited < float(offer["lead_time_hours"]) * HOUR - TIME_TOLERANCE:
            message = (
                f"received {waited / HOUR:g} h after ordering, the lead time is {offer['lead_time_hours']} h"
            )
            self.flag(RULE_PURCHASING, ident, message)
        minimum = float(offer.get("min_qty") or 0)
        if po["qty"] < minimum - QTY_TOLERANCE:
            self.flag(RULE_PURCHASING, ident, f"qty {po['qty']:g} is below the minimum of {minimum:g}")
        multiple = offer.get("multiple")
        if multiple and abs(po["qty"] - round(po["qty"] / multiple) * multiple) > QTY_TOLERANCE:
            self.flag(RULE_PURCHASING, ident, f"qty {po['qty']:g} is not a whole multiple of {multiple:g}")

    # -- rule 4: production ----------------------------------------------------------------------------------

    def check_production(self) -> None:
        load: dict[tuple[str, date], float] = defaultdict(float)  # (resource, UTC date started) -> hours
        for index, row in enumerate(self.records("production")):
            ident = record_ident(row, "production", index)
            mo = self.parse(row, PRODUCTION_FIELDS, ident)
            route = None if mo is None else self.net.routes.get((mo["sku"], mo["resource"]))
            if mo is not None and route is None:
                self.flag(RULE_PRODUCTION, ident, f"no route makes {mo['sku']} on {mo['resource']}")
            if route is not None:
                load[(mo["resource"], utc_day(mo["start_at"]))] += self.judge_production(ident, mo, route)
        for (code, day), hours in load.items():
            available = self.net.hours_on(self.net.resources[code], day)
            if over(hours, available):
                message = (
                    f"{hours:g} h of work and setups start on {day}, the line has {available:g} h that day"
                )
                self.flag(RULE_PRODUCTION, code, message)

    def judge_production(self, ident, mo: dict, route: dict) -> float:
        """A production order lasting its route's lead time; records its flows and cost, returns its hours."""
        lasts = mo["end_at"] - mo["start_at"]
        if abs(lasts - float(route["lead_time_hours"]) * HOUR) > TIME_TOLERANCE:
            message = f"lasts {lasts / HOUR:g} h, its route takes {route['lead_time_hours']} h"
            self.flag(RULE_PRODUCTION, ident, message)
        self.cost["production"] += mo["qty"] * float(route["unit_cost"]) + float(route.get("setup_cost") or 0)
        self.record_production_flows(ident, mo, route)
        return mo["qty"] * float(route["hours_per_unit"]) + float(route.get("setup_hours") or 0)

    def record_production_flows(self, ident, mo: dict, route: dict) -> None:
        location = self.net.resources[mo["resource"]]["location"]
        self.flows.append((mo["end_at"], 0, mo["sku"], location, mo["qty"], f"output of {ident}"))
        for component in route.get("components") or []:
            used = mo["qty"] * float(component["qty_per"])
            self.flows.append((mo["start_at"], 1, component["sku"], location, used, f"components of {ident}"))

    # -- rule 5: movement ------------------------------------------------------------------------------------

    def check_transfers(self) -> None:
        for index, row in enumerate(self.records("transfers")):
            ident = record_ident(row, "transfers", index)
            transfer = self.parse(row, TRANSFER_FIELDS, ident)
            if transfer is not None and self.judge_movement(transfer, ident, "transfer"):
                self.flows.append(
                    (
                        transfer["arrive_at"],
                        0,
                        transfer["sku"],
                        transfer["to"],
                        transfer["qty"],
                        f"transfer {ident} in",
                    )
                )
        self.check_lane_capacity()

    def judge_movement(self, move: dict, ident, kind: str) -> bool:
        """A transfer or delivery on a lane for exactly its transit time; records outflow and freight."""
        key = (move["from"], move["to"], move["mode"])
        lane = self.net.lanes.get(key)
        if lane is None:
            self.flag(RULE_MOVEMENT, ident, f"{kind}: no lane from {key[0]} to {key[1]} by {key[2]}")
            return False
        on_road = move["arrive_at"] - move["depart_at"]
        if abs(on_road - float(lane["transit_hours"]) * HOUR) > TIME_TOLERANCE:
            self.flag(
                RULE_MOVEMENT,
                ident,
                f"{kind} takes {on_road / HOUR:g} h, the lane's transit is {lane['transit_hours']} h",
            )
        self.departures[(key, utc_day(move["depart_at"]))] += move["qty"]
        self.cost["freight"] += move["qty"] * float(lane["unit_cost"])
        self.flows.append(
            (move["depart_at"], 1, move["sku"], move["from"], move["qty"], f"{kind} {ident} out")
        )
        return True

    def check_lane_capacity(self) -> None:
        for (key, day), qty in self.departures.items():
            capacity = self.net.lanes[key].get("capacity_per_day")
            if capacity is not None and over(qty, capacity):
                message = (
                    f"{qty:g} leave {key[0]} for {key[1]} by {key[2]} on {day}, over {capacity:g} per day"
                )
                self.flag(RULE_MOVEMENT, f"{key[0]}->{key[1]}", message)

    # -- rule 6: stock, and holding --------------------------------------------------------------------------

    def check_stock(self) -> None:
        """Replay each (sku, location) in time order, arrivals before departures at one instant."""
        flows = [
            (t, 0, sku, loc, qty, what) for t, sku, loc, qty, what in self.net.opening_flows()
        ] + self.flows
        by_place: dict[tuple[str, str], list] = defaultdict(list)
        for t, direction, sku, location, qty, what in flows:
            by_place[(sku, location)].append((t, direction, qty if direction == 0 else -qty, what))
        for (sku, location), events in by_place.items():
            events.sort(key=lambda e: (e[0], e[1]))
            balance = 0.0
            for t, _, change, what in events:
                balance += change
                if balance < -QTY_TOLERANCE:
                    self.flag(
                        RULE_STOCK,
                        f"{sku} at {location}",
                        f"balance {balance:g} at {text_of(t)}, once {what} ({change:+g}) is counted",
                    )
                    break
            held = sum(change * (self.net.end - t) for t, _, change, _ in events) / DAY
            self.cost["holding"] += self.net.holding.get(sku, 0.0) * held
