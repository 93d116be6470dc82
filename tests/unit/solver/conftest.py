"""Fixtures for the planner's tests: takt's contract checker and takt's own scenario generator."""

from __future__ import annotations

import pytest

from planning import checker


@pytest.fixture(scope="session")
def verify():
    """takt's own checker of the contract (planning/checker.py)."""
    return checker.verify


@pytest.fixture(scope="session")
def generate():
    from planning.scenarios import generate

    return generate


def snapshot(**sections) -> dict:
    """A minimal snapshot: warehouse WH-N in region north, a 6 h truck lane, items NB-14 and PART."""
    base = {
        "contract": "supply-plan/1",
        "plan_start": "2026-11-23T00:00:00Z",
        "horizon_days": 30,
        "policy": {
            "priority_weights": {"1": 100, "2": 10, "3": 1},
            "lateness_cost_per_day": 50,
            "unserved_penalty": 100000,
            "broken_promise_penalty": 2000,
        },
        "items": [
            {"sku": "NB-14", "holding_cost_per_day": 0.01},
            {"sku": "PART", "holding_cost_per_day": 0.0},
        ],
        "regions": [{"code": "north"}, {"code": "east"}],
        "locations": [{"code": "WH-N", "kind": "warehouse", "region": "north"}],
        "stock": [],
        "receipts": [],
        "suppliers": [{"code": "SUP-A"}, {"code": "SUP-B"}],
        "supply_offers": [],
        "resources": [],
        "routes": [],
        "lanes": [{"from": "WH-N", "to": "north", "mode": "truck", "transit_hours": 6, "unit_cost": 1.0}],
        "orders": [],
    }
    base.update(sections)
    return base


def plant_snapshot(orders: list[dict], **route) -> dict:
    """Plant PL-E in region east (line L1, 8 h a day, 100 PART on hand) making NB-14 from one PART a unit on
    a 24 h route (`route` sets its other fields), with a 12 h truck lane to east."""
    return snapshot(
        locations=[{"code": "PL-E", "kind": "plant", "region": "east"}],
        stock=[{"sku": "PART", "location": "PL-E", "on_hand": 100}],
        resources=[{"code": "L1", "location": "PL-E", "hours_per_day": 8}],
        routes=[
            {
                "sku": "NB-14",
                "resource": "L1",
                "lead_time_hours": 24,
                "unit_cost": 1,
                "components": [{"sku": "PART", "qty_per": 1}],
                **route,
            }
        ],
        lanes=[{"from": "PL-E", "to": "east", "mode": "truck", "transit_hours": 12, "unit_cost": 1}],
        orders=orders,
    )


def order(
    order_id: str,
    qty: float = 10,
    *,
    priority: int = 2,
    requested: str = "2026-11-23T00:00:00Z",
    sku: str = "NB-14",
    region: str = "north",
    ship_complete: bool = True,
    promised: str | None = None,
    lines: list | None = None,
) -> dict:
    return {
        "id": order_id,
        "region": region,
        "requested_at": requested,
        "priority": priority,
        "ship_complete": ship_complete,
        "confirmed_promise_at": promised,
        "lines": lines or [{"line": "1", "sku": sku, "qty": qty}],
    }


def by_order(plan: dict) -> dict:
    return {c["order_id"]: c for c in plan["confirmations"]}
