"""The planning snapshot: the planner's input built from the database, as the contract defines it."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.db import utcnow
from logistics import lanes as lane_service
from logistics import service as logistics_service
from orders import service as orders_service
from planning.checker import check_snapshot
from planning.snapshot import build_snapshot
from procurement import service as procurement_service
from procurement.production import service as production_service
from tests.logistics_factories import (
    T0,
    lane,
    make_order,
    make_transfer,
    make_user,
    make_world,
)

PROMISE = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def ctx(app, db_session):
    with app.app_context():
        yield make_user()


def hand_made_company(user_id: int) -> str:
    """The factories' world with a supplier, a production line, documents under way and four orders;
    return the number of its purchase order."""
    make_world(user_id=user_id)
    procurement_service.save_supplier("SUP-SZ", {"name": "Shenzhen Boards"})
    offer = {"lead_time_hours": 168, "unit_cost": 40, "order_cost": 200, "min_qty": 100, "multiple": 50}
    procurement_service.save_offer(
        supplier="SUP-SZ", sku="BOARD", location="PL-C", fields={k: Decimal(v) for k, v in offer.items()}
    )
    line = {"name": "line 1", "location_code": "PL-C", "hours_per_day": Decimal(16)}
    production_service.save_resource("PL-C-L1", line)
    route = {"hours_per_unit": Decimal("0.02"), "lead_time_hours": 24, "unit_cost": 15, "setup_hours": 1}
    production_service.save_route(
        sku="NB", resource="PL-C-L1", fields=route | {"components": [{"sku": "BOARD", "qty_per": Decimal(1)}]}
    )
    purchase_order = procurement_service.create_purchase_order(
        supplier="SUP-SZ",
        location="PL-C",
        lines=[{"sku": "BOARD", "qty": Decimal(500)}],
        receive_at=datetime(2026, 11, 24, tzinfo=UTC),
        user_id=user_id,
    )
    lane_service.save_lane(
        from_code="WH-B",
        to_code="east",
        mode="courier",
        fields={"transit_hours": Decimal(4), "valid_from": T0 + timedelta(days=1)},
    )
    make_transfer(user_id=user_id, qty=10, status="released", number="SH-7")
    confirmed = make_order("SO-1")
    delivery = {"qty": 3, "from": "WH-A", "mode": "truck", "depart_at": PROMISE - timedelta(hours=6)}
    orders_service.record_confirmation(
        order=confirmed,
        status="confirmed",
        promised_at=PROMISE,
        lines=[{"line": "1", "sku": "NB", "qty": 3, "deliveries": [delivery | {"arrive_at": PROMISE}]}],
        reason="stock",
    )
    make_order("SO-2", accept=False)
    unconfirmed = make_order("SO-3", lines=(("NB", 2), ("BOARD", 1.5)), priority=1, ship_complete=False)
    orders_service.record_confirmation(order=unconfirmed, status="unconfirmed", promised_at=None, lines=[])
    make_order("SO-4")
    orders_service.cancel_order(number="SO-4")
    return purchase_order.number


EXPECTED = {
    "contract": "supply-plan/1",
    "plan_start": "2026-11-22T08:00:00Z",
    "horizon_days": 60,
    "policy": {
        "priority_weights": {"1": 100, "2": 10, "3": 1},
        "lateness_cost_per_day": 50,
        "unserved_penalty": 100000,
        "broken_promise_penalty": 2000,
    },
    "items": [
        {"sku": "BOARD", "name": "mainboard", "holding_cost_per_day": 0},
        {"sku": "NB", "name": "notebook", "holding_cost_per_day": 0.02},
    ],
    "regions": [{"code": "east"}, {"code": "north"}],
    "locations": [
        {"code": "PL-C", "kind": "plant", "region": "east"},
        {"code": "WH-A", "kind": "warehouse", "region": "north"},
        {"code": "WH-B", "kind": "warehouse", "region": "east"},
    ],
    "stock": [{"sku": "NB", "location": "WH-A", "on_hand": 90}],
    "receipts": [
        {"ref": "SH-7/1", "sku": "NB", "location": "WH-B", "qty": 10, "arrive_at": "2026-11-23T08:00:00Z"},
        # its supplier has not confirmed the order: its own date, flagged
        {
            "ref": "PO/1",
            "sku": "BOARD",
            "location": "PL-C",
            "qty": 500,
            "arrive_at": "2026-11-24T00:00:00Z",
            "unconfirmed": True,
        },
    ],
    "suppliers": [{"code": "SUP-SZ", "name": "Shenzhen Boards"}],
    "supply_offers": [
        {
            "supplier": "SUP-SZ",
            "sku": "BOARD",
            "location": "PL-C",
            "lead_time_hours": 168,
            "unit_cost": 40,
            "order_cost": 200,
            "min_qty": 100,
            "multiple": 50,
            "capacity_per_day": None,
        }
    ],
    "resources": [{"code": "PL-C-L1", "location": "PL-C", "hours_per_day": 16, "calendar": []}],
    "routes": [
        {
            "sku": "NB",
            "resource": "PL-C-L1",
            "hours_per_unit": 0.02,
            "lead_time_hours": 24,
            "unit_cost": 15,
            "setup_hours": 1,
            "setup_cost": 0,
            "components": [{"sku": "BOARD", "qty_per": 1}],
        }
    ],
    "lanes": [
        {"from": "PL-C", "to": "WH-A", "mode": "rail", "transit_hours": 36.5, "unit_cost": 0.5},
        {"from": "WH-A", "to": "WH-B", "mode": "truck", "transit_hours": 24, "unit_cost": 0.5},
        {
            "from": "WH-A",
            "to": "north",
            "mode": "truck",
            "transit_hours": 6,
            "unit_cost": 1,
            "capacity_per_day": 500,
        },
    ],
    "orders": [
        {
            "id": "SO-1",
            "region": "north",
            "created_at": "2026-11-22T07:10:00Z",
            "requested_at": "2026-11-23T12:00:00Z",
            "priority": 2,
            "ship_complete": True,
            "confirmed_promise_at": "2026-11-24T12:00:00Z",
            "lines": [{"line": "1", "sku": "NB", "qty": 3}],
        },
        {
            "id": "SO-3",
            "region": "north",
            "created_at": "2026-11-22T07:10:00Z",
            "requested_at": "2026-11-23T12:00:00Z",
            "priority": 1,
            "ship_complete": False,
            "confirmed_promise_at": None,
            "lines": [{"line": "1", "sku": "NB", "qty": 2}, {"line": "2", "sku": "BOARD", "qty": 1.5}],
        },
    ],
}


def test_the_snapshot_of_a_hand_made_company_is_exactly_the_expected_json(ctx):
    purchase_order = hand_made_company(ctx)
    snapshot = build_snapshot(at=T0 + timedelta(microseconds=250))
    receipts = EXPECTED["receipts"]
    expected = EXPECTED | {"receipts": [receipts[0], receipts[1] | {"ref": f"{purchase_order}/1"}]}
    for section in expected:
        assert snapshot[section] == expected[section], section
    assert snapshot == expected
    assert check_snapshot(snapshot) == []


def test_lanes_enter_and_leave_the_snapshot_with_their_validity(ctx):
    hand_made_company(ctx)
    later = build_snapshot(at=datetime(2027, 1, 1, tzinfo=UTC))
    assert {(lane["from"], lane["to"]) for lane in later["lanes"]} == {
        ("WH-A", "WH-B"),
        ("WH-A", "north"),
        ("WH-B", "east"),
    }


def test_dispatched_transfers_stay_receipts_and_delivered_ones_become_stock(ctx):
    hand_made_company(ctx)
    logistics_service.dispatch_shipment(number="SH-7", user_id=ctx)
    in_transit = build_snapshot(at=T0)
    assert in_transit["stock"] == [{"sku": "NB", "location": "WH-A", "on_hand": 90}]
    assert [r["ref"] for r in in_transit["receipts"] if r["ref"].startswith("SH")] == ["SH-7/1"]
    logistics_service.deliver_shipment(number="SH-7", user_id=ctx)
    delivered = build_snapshot(at=T0)
    assert [r["ref"] for r in delivered["receipts"] if r["ref"].startswith("SH")] == []
    assert {(s["location"], s["on_hand"]) for s in delivered["stock"]} == {("WH-A", 90), ("WH-B", 10)}


def test_the_policy_and_horizon_come_from_the_app_config(app, ctx):
    hand_made_company(ctx)
    app.config["PLANNING_HORIZON_DAYS"] = 14
    app.config["PLANNING_LATENESS_COST_PER_DAY"] = 7
    try:
        snapshot = build_snapshot(at=T0)
    finally:
        del app.config["PLANNING_HORIZON_DAYS"], app.config["PLANNING_LATENESS_COST_PER_DAY"]
    assert (snapshot["horizon_days"], snapshot["policy"]["lateness_cost_per_day"]) == (14, 7)


def test_the_demo_company_snapshot_passes_the_contract_check(app, ctx):
    for load in app.extensions["takt_demo_loaders"]:
        load(user_id=ctx)
    snapshot = build_snapshot(at=utcnow())
    assert check_snapshot(snapshot) == []
    assert len(snapshot["orders"]) >= 40
    transfers = {r["location"] for r in snapshot["receipts"] if r["ref"].startswith("SH-")}
    assert transfers == {"WH-BJ", "WH-CD"}
    assert {lane["to"] for lane in snapshot["lanes"]} >= {"north", "east", "south", "west"}
    for section in ("suppliers", "supply_offers", "resources", "routes"):
        assert snapshot[section], section


def test_goods_on_deliveries_under_way_are_no_longer_to_be_promised(ctx):
    hand_made_company(ctx)
    for number, qty, order_line in (("SO-3", 2, None), ("SO-1", 1, "1")):
        logistics_service.create_shipment(
            kind="delivery",
            lane=lane("WH-A", "north"),
            order=number,
            lines=[{"sku": "NB", "quantity": Decimal(qty), "order_line": order_line}],
            depart_at=T0,
            user_id=ctx,
        )
    snapshot = build_snapshot(at=T0)
    assert {o["id"]: o["lines"] for o in snapshot["orders"]} == {
        "SO-1": [{"line": "1", "sku": "NB", "qty": 2}],
        "SO-3": [{"line": "2", "sku": "BOARD", "qty": 1.5}],
    }
    assert snapshot["stock"] == [{"sku": "NB", "location": "WH-A", "on_hand": 87}]
