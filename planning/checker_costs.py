"""What takt's referee (`planning.checker`) charges for service: lateness, unserved orders and broken
promises, weighted by priority, and the cost and KPI summaries of a judged plan."""

from __future__ import annotations

from planning.checker_network import DAY, TIME_TOLERANCE
from planning.checker_snapshot import instant


class Charges:
    """The referee's accounts (a mixin of `checker._Referee`: it reads `net` and adds to `cost`, `kpis`
    and `late_days`)."""

    def weight(self, order: dict) -> float:
        return self.net.weights[str(order["priority"])]

    def charge_unserved(self, order: dict) -> None:
        self.kpis["unconfirmed"] += 1
        self.cost["unserved"] += self.weight(order) * self.net.unserved_penalty
        if order.get("confirmed_promise_at") is not None:
            self.charge_broken_promise(order)

    def charge_broken_promise(self, order: dict) -> None:
        self.kpis["broken_promises"] += 1
        self.cost["broken_promises"] += self.weight(order) * self.net.broken_promise_penalty

    def charge_confirmed(self, order: dict, promised: float | None, deliveries: list[dict]) -> None:
        requested = instant(order["requested_at"])
        if promised is None and deliveries:
            promised = max(d["arrive_at"] for d in deliveries)
        if order.get("ship_complete") is False and deliveries:
            total = sum(d["qty"] for d in deliveries)
            late = sum(d["qty"] * max(0.0, d["arrive_at"] - requested) for d in deliveries) / total
        else:
            late = max(0.0, (promised if promised is not None else requested) - requested)
        self.kpis["confirmed"] += 1
        self.kpis["late" if late > TIME_TOLERANCE else "on_time"] += 1
        self.late_days.append(late / DAY)
        self.cost["lateness"] += self.weight(order) * self.net.lateness_cost * late / DAY
        earlier = instant(order.get("confirmed_promise_at"))
        if earlier is not None and (promised is None or promised > earlier + TIME_TOLERANCE):
            self.charge_broken_promise(order)

    def cost_summary(self) -> dict:
        parts = {name: self.cost[name] for name in ("lateness", "unserved", "broken_promises")}
        parts |= {name: self.cost[name] for name in ("purchasing", "production", "freight")}
        service = parts["lateness"] + parts["unserved"] + parts["broken_promises"]
        supply = parts["purchasing"] + parts["production"] + parts["freight"]
        holding = self.cost["holding"]
        return {
            "total": service + supply + holding,
            "service": service,
            **parts,
            "supply": supply,
            "holding": holding,
        }

    def kpi_summary(self) -> dict:
        mean = sum(self.late_days) / len(self.late_days) if self.late_days else 0.0
        return {**self.kpis, "mean_late_days": round(mean, 6)}
