"""Purchasing services on SQLite and PostgreSQL: purchase orders and the snapshot's purchasing rows."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.errors import Invalid
from core.lifecycle import InvalidTransition
from procurement import service
from tests.procurement_factories import build_world, offer_terms, on_hand

AT = datetime(2026, 11, 22, 8, tzinfo=UTC)


@pytest.fixture
def world(app, db_session):
    with app.app_context():
        yield build_world()


def test_a_purchase_order_is_numbered_and_prices_lines_from_the_valid_offer(world):
    order = service.create_purchase_order(
        supplier="SUP",
        location="PL-T",
        lines=[{"sku": "BRD", "qty": Decimal(100)}],
        receive_at=AT,
        user_id=world,
    )
    assert order.number == f"PO-{order.id:06d}"
    assert (order.status, order.source, order.released_at is not None) == ("released", "manual", True)
    assert [(li.line_no, li.sku, li.qty, li.unit_cost) for li in order.lines] == [
        (1, "BRD", Decimal(100), Decimal("10.5"))
    ]


def test_a_plan_purchase_order_keeps_its_plan_reference(world):
    order = service.create_purchase_order(
        supplier="SUP",
        location="PL-T",
        lines=[{"sku": "BRD", "qty": Decimal(5), "unit_cost": Decimal(9)}],
        receive_at=AT,
        user_id=world,
        source="plan",
        plan_ref="run-7/PO-P1",
        status="proposed",
    )
    assert (order.source, order.plan_ref, order.status, order.released_at) == (
        "plan",
        "run-7/PO-P1",
        "proposed",
        None,
    )


def test_a_line_without_an_offer_needs_a_unit_cost(world):
    with pytest.raises(Invalid, match=r"lines\[0\].unit_cost"):
        service.create_purchase_order(
            supplier="SUP",
            location="WH-T",
            lines=[{"sku": "BRD", "qty": Decimal(5)}],
            receive_at=AT,
            user_id=world,
        )


def test_receiving_within_the_tolerance_is_accepted_and_beyond_it_refused(app, world):
    app.config["PO_OVER_RECEIPT_TOLERANCE"] = 0.1
    try:
        order = service.create_purchase_order(
            supplier="SUP",
            location="PL-T",
            lines=[{"sku": "BRD", "qty": Decimal(100)}],
            receive_at=AT,
            user_id=world,
        )
        service.receive_purchase_order_line(number=order.number, line_no=1, qty=Decimal(110), user_id=world)
        assert (order.status, on_hand("BRD", "PL-T")) == ("received", Decimal(110))
        with pytest.raises(InvalidTransition, match="it is received"):
            service.receive_purchase_order_line(number=order.number, line_no=1, qty=Decimal(1), user_id=world)
    finally:
        app.config["PO_OVER_RECEIPT_TOLERANCE"] = 0.0


def test_snapshot_suppliers_lists_active_suppliers(world):
    service.save_supplier("OLD", {"name": "Gone", "active": False})
    assert service.snapshot_suppliers() == [{"code": "SUP", "name": "Supplier"}]


def test_snapshot_offers_are_contract_rows_with_numbers_and_nulls(world):
    assert service.snapshot_offers(at=AT) == [
        {
            "supplier": "SUP",
            "sku": "BRD",
            "location": "PL-T",
            "lead_time_hours": 48,
            "unit_cost": 10.5,
            "order_cost": 20,
            "min_qty": 10,
            "multiple": 5,
            "capacity_per_day": None,
        }
    ]


def test_snapshot_offers_leave_out_offers_not_valid_at_the_instant(world):
    later = offer_terms(valid_from=AT + timedelta(days=1))
    service.save_offer(supplier="SUP", sku="CPU", location="PL-T", fields=later)
    expired = offer_terms(valid_to=AT)
    service.save_offer(supplier="SUP", sku="BRD", location="WH-T", fields=expired)
    assert [(o["sku"], o["location"]) for o in service.snapshot_offers(at=AT)] == [("BRD", "PL-T")]
    assert ("CPU", "PL-T") in [
        (o["sku"], o["location"]) for o in service.snapshot_offers(at=AT + timedelta(days=2))
    ]


def test_snapshot_receipts_list_what_is_still_to_come_on_open_orders(world):
    lines = [
        {"sku": "BRD", "qty": Decimal(100)},
        {"sku": "CPU", "qty": Decimal("2.5"), "unit_cost": Decimal(1)},
    ]
    receive_at = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    order = service.create_purchase_order(
        supplier="SUP", location="PL-T", lines=lines, receive_at=receive_at, user_id=world
    )
    service.create_purchase_order(
        supplier="SUP", location="PL-T", lines=lines, receive_at=AT, user_id=world, status="proposed"
    )
    service.receive_purchase_order_line(number=order.number, line_no=1, qty=Decimal(40), user_id=world)
    assert service.snapshot_receipts(at=AT) == [
        {
            "ref": f"{order.number}/1",
            "sku": "BRD",
            "location": "PL-T",
            "qty": 60,
            "arrive_at": "2026-11-24T09:30:00Z",
        },
        {
            "ref": f"{order.number}/2",
            "sku": "CPU",
            "location": "PL-T",
            "qty": 2.5,
            "arrive_at": "2026-11-24T09:30:00Z",
        },
    ]
