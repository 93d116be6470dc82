"""Production services on SQLite and PostgreSQL: orders, calendars and the snapshot's production rows."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from core.errors import Invalid
from procurement.production import service
from tests.procurement_factories import build_world, on_hand, route_terms

AT = datetime(2026, 11, 22, 8, tzinfo=UTC)


@pytest.fixture
def world(app, db_session):
    with app.app_context():
        yield build_world(stock={("BRD", "PL-T"): 10, ("CPU", "PL-T"): 10, ("SUB", "PL-T"): 5})


def test_a_production_order_ends_the_route_lead_time_after_it_starts(world):
    order = service.create_production_order(
        sku="NB", resource="L1", qty=Decimal(3), start_at=AT, user_id=world
    )
    assert order.number == f"MO-{order.id:06d}"
    assert (order.status, order.end_at) == ("released", datetime(2026, 11, 23, 8, tzinfo=UTC))


def test_a_production_order_needs_a_route_for_the_sku_on_the_resource(world):
    with pytest.raises(Invalid, match="no route makes CPU on L1"):
        service.create_production_order(sku="CPU", resource="L1", qty=Decimal(1), start_at=AT, user_id=world)


def test_a_multi_level_bill_is_a_route_for_a_component(world):
    sub = service.create_production_order(
        sku="SUB", resource="L1", qty=Decimal(4), start_at=AT, user_id=world
    )
    service.start_production_order(number=sub.number, user_id=world)
    service.complete_production_order(number=sub.number, user_id=world)
    nb = service.create_production_order(sku="NB", resource="L1", qty=Decimal(5), start_at=AT, user_id=world)
    service.start_production_order(number=nb.number, user_id=world)
    assert [on_hand(sku, "PL-T") for sku in ("BRD", "SUB", "CPU")] == [Decimal(6), Decimal(4), Decimal(0)]


def test_a_route_cannot_list_its_own_item_or_a_component_twice(world):
    with pytest.raises(Invalid, match="component of itself"):
        service.save_route(sku="CPU", resource="L1", fields=route_terms(CPU=1))
    with pytest.raises(Invalid, match="listed more than once: BRD"):
        twice = [{"sku": "BRD", "qty_per": 1}, {"sku": "BRD", "qty_per": 2}]
        service.update_route(service.find_route(sku="SUB", resource="L1"), {"components": twice})


def test_a_calendar_exception_overrides_the_usual_hours_of_its_day(world):
    service.replace_calendar(
        code="L1", days=[{"day": date(2026, 11, 24), "hours": Decimal(0), "note": "closed"}]
    )
    resource = service.get_resource("L1")
    assert service.hours_on(resource, date(2026, 11, 24)) == 0
    assert service.hours_on(resource, date(2026, 11, 25)) == 16


def test_snapshot_resources_are_contract_rows_with_their_coming_calendar(world):
    days = [
        {"day": date(2026, 11, 21), "hours": Decimal(0)},
        {"day": date(2026, 11, 23), "hours": Decimal(20)},
    ]
    service.replace_calendar(code="L1", days=days)
    assert service.snapshot_resources(at=AT) == [
        {
            "code": "L1",
            "location": "PL-T",
            "hours_per_day": 16,
            "calendar": [{"date": "2026-11-23", "hours": 20}],
        }
    ]


def test_snapshot_calendars_take_utc_days_from_the_plan_start_to_the_horizon(world):
    days = [{"day": date(2026, 11, d), "hours": Decimal(0)} for d in (21, 22, 23, 30)]
    service.replace_calendar(code="L1", days=days)
    # 02:00 on the 23rd in UTC+8 is still the 22nd in UTC
    at = datetime(2026, 11, 23, 2, tzinfo=timezone(timedelta(hours=8)))
    rows = service.snapshot_resources(at=at, until=datetime(2026, 11, 29, 18, tzinfo=UTC))
    assert rows[0]["calendar"] == [{"date": "2026-11-22", "hours": 0}, {"date": "2026-11-23", "hours": 0}]


def test_snapshot_routes_are_contract_rows_with_components(world):
    assert service.snapshot_routes() == [
        {
            "sku": "NB",
            "resource": "L1",
            "hours_per_unit": 0.25,
            "lead_time_hours": 24,
            "unit_cost": 15,
            "setup_hours": 1,
            "setup_cost": 80,
            "components": [{"sku": "SUB", "qty_per": 1}, {"sku": "CPU", "qty_per": 2}],
        },
        {
            "sku": "SUB",
            "resource": "L1",
            "hours_per_unit": 0.25,
            "lead_time_hours": 24,
            "unit_cost": 15,
            "setup_hours": 1,
            "setup_cost": 80,
            "components": [{"sku": "BRD", "qty_per": 1}],
        },
    ]


def test_snapshot_receipts_are_the_work_in_progress_due_at_the_planned_end(world):
    running = service.create_production_order(
        sku="SUB", resource="L1", qty=Decimal(2), start_at=AT, user_id=world
    )
    service.start_production_order(number=running.number, user_id=world)
    service.create_production_order(sku="SUB", resource="L1", qty=Decimal(2), start_at=AT, user_id=world)
    assert service.snapshot_receipts(at=AT) == [
        {
            "ref": running.number,
            "sku": "SUB",
            "location": "PL-T",
            "qty": 2,
            "arrive_at": "2026-11-23T08:00:00Z",
        }
    ]
