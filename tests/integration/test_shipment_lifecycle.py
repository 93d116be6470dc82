"""Shipments move stock through the ledger exactly once per step of their lifecycle."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import db
from core.errors import Invalid
from inventory.models import StockMovement
from inventory.service import InsufficientStock
from logistics import service
from logistics.service import InvalidTransition
from orders import service as orders_service
from tests.logistics_factories import T0, balance, lane, make_order, make_transfer, make_user, make_world


@pytest.fixture
def user_id(app, db_session):
    with app.app_context():
        uid = make_user()
        make_world(user_id=uid)
        yield uid


def movements(number: str) -> list[tuple[str, str, Decimal]]:
    stmt = select(StockMovement).where(StockMovement.reference == number).order_by(StockMovement.id)
    return [(m.kind, (m.from_location or m.to_location).code, m.quantity) for m in db.session.scalars(stmt)]


def test_releasing_a_transfer_reserves_its_lines_at_the_origin(user_id):
    shipment = make_transfer(user_id=user_id, qty=30)
    service.release_shipment(number=shipment.number, user_id=user_id)
    assert shipment.status == "released"
    assert balance("NB", "WH-A") == (100, 30)
    assert movements(shipment.number) == []


def test_releasing_more_than_is_free_is_refused(user_id):
    shipment = make_transfer(user_id=user_id, qty=101)
    with pytest.raises(InsufficientStock):
        service.release_shipment(number=shipment.number, user_id=user_id)


def test_dispatch_turns_the_reservation_into_one_issue_at_the_origin(user_id):
    shipment = make_transfer(user_id=user_id, qty=30, status="released")
    service.dispatch_shipment(number=shipment.number, user_id=user_id, carrier_reference="SF-1")
    assert shipment.status == "in_transit"
    assert shipment.carrier_reference == "SF-1"
    assert balance("NB", "WH-A") == (70, 0)
    assert balance("NB", "WH-B") == (0, 0)
    assert movements(shipment.number) == [("issue", "WH-A", 30)]


def test_delivering_a_transfer_receives_it_at_the_destination_once(user_id):
    shipment = make_transfer(user_id=user_id, qty=30, status="released")
    service.dispatch_shipment(number=shipment.number, user_id=user_id)
    service.deliver_shipment(number=shipment.number, user_id=user_id)
    assert shipment.status == "delivered"
    assert balance("NB", "WH-B") == (30, 0)
    assert movements(shipment.number) == [("issue", "WH-A", 30), ("receipt", "WH-B", 30)]
    with pytest.raises(InvalidTransition):
        service.deliver_shipment(number=shipment.number, user_id=user_id)


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        ((), "dispatch"),
        ((), "deliver"),
        (("release",), "release"),
        (("release",), "deliver"),
        (("release", "dispatch"), "cancel"),
        (("release", "dispatch"), "dispatch"),
        (("cancel",), "release"),
    ],
)
def test_forbidden_transitions_are_conflicts(user_id, steps, action):
    shipment = make_transfer(user_id=user_id)

    def call(step):
        kwargs = {"number": shipment.number} | ({} if step == "cancel" else {"user_id": user_id})
        return getattr(service, f"{step}_shipment")(**kwargs)

    for step in steps:
        call(step)
    before = (shipment.status, balance("NB", "WH-A"), movements(shipment.number))
    with pytest.raises(InvalidTransition):
        call(action)
    assert (shipment.status, balance("NB", "WH-A"), movements(shipment.number)) == before


def test_cancelling_a_released_shipment_releases_its_reservation(user_id):
    shipment = make_transfer(user_id=user_id, qty=30, status="released")
    service.cancel_shipment(number=shipment.number)
    assert shipment.status == "cancelled"
    assert balance("NB", "WH-A") == (100, 0)


def test_a_plan_proposal_is_released_at_once_and_arrives_after_the_lane_transit(user_id):
    shipment = service.create_shipment(
        kind="transfer",
        lane=lane("WH-A", "WH-B"),
        lines=[{"sku": "NB", "quantity": Decimal(5)}],
        depart_at=T0,
        source="plan",
        plan_ref="RUN-7/TR-P1",
        user_id=user_id,
    )
    assert (shipment.status, shipment.source, shipment.plan_ref) == ("released", "plan", "RUN-7/TR-P1")
    assert shipment.number.startswith("SH-")
    assert shipment.arrive_at == T0 + timedelta(hours=24)
    assert balance("NB", "WH-A") == (100, 5)


def _delivery(order, qty, user_id, order_line=None):
    return service.create_shipment(
        kind="delivery",
        lane=lane("WH-A", "north"),
        order=order,
        lines=[{"sku": "NB", "quantity": Decimal(qty), "order_line": order_line}],
        depart_at=T0,
        user_id=user_id,
    )


def _ship(number, user_id):
    service.dispatch_shipment(number=number, user_id=user_id)
    service.deliver_shipment(number=number, user_id=user_id)


def test_an_order_is_shipped_when_all_its_deliveries_are_delivered(user_id):
    order = make_order(lines=(("NB", 5),))
    first, second = _delivery(order, 2, user_id, "1"), _delivery(order, 3, user_id)
    _ship(first.number, user_id)
    assert (order.status, order.lines[0].shipped_quantity) == ("accepted", 2)
    _ship(second.number, user_id)
    assert (order.status, order.lines[0].shipped_quantity) == ("shipped", 5)
    assert balance("NB", "WH-A") == (95, 0)
    orders_service.close_order(number=order.number)
    assert order.status == "closed"


def test_a_delivery_goes_to_its_orders_region(user_id):
    order = make_order(region_code="east")
    with pytest.raises(Exception, match="ships to east"):
        _delivery(order, 1, user_id)


def test_a_delivery_needs_an_accepted_order(user_id):
    order = make_order(accept=False)
    with pytest.raises(InvalidTransition):
        _delivery(order, 1, user_id)


def test_inbound_shipments_track_goods_but_move_no_stock(user_id):
    shipment = service.create_shipment(
        kind="inbound",
        purchase_order="PO-1001",
        supplier="SUP-SZ",
        to="WH-A",
        mode="sea",
        lines=[{"sku": "BOARD", "quantity": Decimal(500)}],
        depart_at=T0,
        arrive_at=T0 + timedelta(days=9),
        user_id=user_id,
    )
    _ship(shipment.number, user_id)
    assert shipment.status == "delivered"
    assert (shipment.from_code, shipment.to_code) == ("SUP-SZ", "WH-A")
    assert balance("BOARD", "WH-A") == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 1  # the opening receipt


def test_cancelling_an_order_cancels_its_released_deliveries(user_id):
    order = make_order()
    delivery = _delivery(order, 3, user_id)
    orders_service.cancel_order(number=order.number)
    assert (order.status, delivery.status) == ("cancelled", "cancelled")
    assert balance("NB", "WH-A") == (100, 0)


def test_an_order_with_goods_on_the_road_cannot_be_cancelled(user_id):
    order = make_order()
    delivery = _delivery(order, 3, user_id)
    service.dispatch_shipment(number=delivery.number, user_id=user_id)
    with pytest.raises(InvalidTransition, match="in transit"):
        orders_service.cancel_order(number=order.number)
    assert order.status == "accepted"


def test_tracking_events_are_listed_in_time_order(user_id):
    shipment = make_transfer(user_id=user_id)
    service.add_event(
        number=shipment.number, occurred_at=T0 + timedelta(hours=5), status="hub", user_id=user_id
    )
    service.add_event(
        number=shipment.number,
        occurred_at=T0,
        status="picked up",
        place="WH-A",
        carrier_reference="SF-9",
        user_id=user_id,
    )
    assert [e.status for e in service.list_events(number=shipment.number)] == ["picked up", "hub"]
    assert shipment.carrier_reference == "SF-9"


def test_two_concurrent_dispatches_of_one_shipment_issue_the_stock_once(app, committed_db):
    with app.app_context():
        uid = make_user()
        make_world(user_id=uid)
        number = make_transfer(user_id=uid, qty=10, status="released").number
        db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def dispatch():
        with app.app_context():
            barrier.wait()
            try:
                service.dispatch_shipment(number=number, user_id=uid)
                db.session.commit()
                outcomes.append("dispatched")
            except InvalidTransition:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["dispatched", "refused"]
    with app.app_context():
        assert balance("NB", "WH-A") == (90, 0)
        assert movements(number) == [("issue", "WH-A", 10)]


def test_an_order_with_delivered_goods_keeps_its_lines(user_id):
    order = make_order(lines=(("NB", 5),))
    _ship(_delivery(order, 2, user_id).number, user_id)
    with pytest.raises(orders_service.InvalidTransition, match="delivered goods"):
        orders_service.save_order(order.number, {"lines": [{"sku": "NB", "quantity": Decimal(9)}]})
    assert [(ol.quantity, ol.shipped_quantity) for ol in order.lines] == [(5, 2)]


def test_a_shipment_leaves_on_a_lane_valid_at_its_departure(user_id):
    rail = lane("PL-C", "WH-A", "rail")  # valid from T0 to 2027
    spec = {
        "kind": "transfer",
        "lane": rail,
        "lines": [{"sku": "NB", "quantity": Decimal(1)}],
        "user_id": user_id,
    }
    with pytest.raises(Invalid, match="not valid"):
        service.create_shipment(**spec, depart_at=T0 - timedelta(hours=1), status="planned")
    assert service.create_shipment(**spec, depart_at=T0, status="planned").arrive_at == T0 + timedelta(
        hours=36.5
    )
