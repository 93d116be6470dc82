"""Customer orders: their lifecycle, and the history of promises given for them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.errors import Invalid
from orders import service
from orders.service import InvalidTransition
from tests.logistics_factories import T0, make_order, make_user, make_world

PROMISE = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(app, db_session):
    with app.app_context():
        make_world(user_id=make_user())
        yield


def confirmed_lines(qty=3):
    delivery = {"qty": qty, "from": "WH-A", "mode": "truck", "depart_at": PROMISE - timedelta(hours=6)}
    return [{"line": "1", "sku": "NB", "qty": qty, "deliveries": [delivery | {"arrive_at": PROMISE}]}]


def test_an_order_takes_its_channel_and_region_from_the_customer_unless_given(world):
    order = make_order(accept=False)
    assert (order.status, order.channel, order.region.code, order.ship_complete) == (
        "pending",
        "b2b",
        "north",
        True,
    )
    other = make_order("SO-2", channel="b2c", region_code="east", accept=False)
    assert (other.channel, other.region.code) == ("b2c", "east")


def test_orders_are_numbered_when_no_number_is_given(world):
    order = service.create_order(
        customer_code="C1", requested_at=T0, lines=[{"sku": "NB", "quantity": Decimal(1)}]
    )
    assert order.number.startswith("SO-") and [ol.line for ol in order.lines] == ["1"]


def test_a_priority_outside_the_policy_is_invalid(world):
    with pytest.raises(Invalid, match="priority"):
        make_order(priority=4)


def test_lines_are_numbered_in_order_and_their_ids_are_unique(world):
    order = make_order(lines=(("NB", 1), ("BOARD", 2)))
    assert [(ol.line, ol.sku) for ol in order.lines] == [("1", "NB"), ("2", "BOARD")]
    with pytest.raises(Invalid, match="more than once"):
        service.save_order("SO-1", {"lines": [{"line": "a", "sku": "NB", "quantity": 1}] * 2})


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("pending", "close"),
        ("accepted", "accept"),
        ("accepted", "close"),
        ("cancelled", "accept"),
        ("cancelled", "cancel"),
    ],
)
def test_forbidden_order_transitions_are_conflicts(world, status, action):
    order = make_order(accept=status != "pending")
    if status == "cancelled":
        service.cancel_order(number=order.number)
    with pytest.raises(InvalidTransition):
        getattr(service, f"{action}_order")(number=order.number)
    assert order.status == status


def test_only_pending_and_accepted_orders_can_be_edited(world):
    order = make_order()
    service.save_order(order.number, {"priority": 1})
    service.record_confirmation(order=order, status="unconfirmed", promised_at=None, lines=[])
    with pytest.raises(InvalidTransition):
        service.save_order(order.number, {"priority": 3})
    assert order.priority == 1


def test_recording_a_confirmation_sets_the_latest_promise_and_keeps_the_history(world):
    order = make_order()
    first = service.record_confirmation(
        order=order,
        status="confirmed",
        promised_at=PROMISE,
        lines=confirmed_lines(),
        reason="stock",
        explanation="3 NB on hand at WH-A",
        run_ref="RUN-1",
    )
    assert (order.status, order.promised_at, order.latest_confirmation) == ("confirmed", PROMISE, first)
    delivery = first.lines[0].deliveries[0]
    assert (delivery.from_location.code, delivery.mode, delivery.arrive_at) == ("WH-A", "truck", PROMISE)
    second = service.record_confirmation(
        order="SO-1", status="unconfirmed", promised_at=None, lines=[], reason="", run_ref="RUN-2"
    )
    assert (order.status, order.promised_at) == ("unconfirmed", None)
    assert [c.sequence for c in order.confirmations] == [1, 2]
    assert service.latest_confirmation(number="SO-1") is second


def test_a_pending_order_is_not_promised(world):
    order = make_order(accept=False)
    with pytest.raises(InvalidTransition):
        service.record_confirmation(
            order=order, status="confirmed", promised_at=PROMISE, lines=confirmed_lines()
        )
    assert order.confirmations == []


@pytest.mark.parametrize(
    ("status", "promised_at", "lines"),
    [("confirmed", None, "lines"), ("unconfirmed", PROMISE, None), ("maybe", None, None)],
)
def test_a_confirmation_must_be_consistent(world, status, promised_at, lines):
    order = make_order()
    with pytest.raises(Invalid):
        service.record_confirmation(
            order=order, status=status, promised_at=promised_at, lines=confirmed_lines() if lines else []
        )
    assert order.status == "accepted"


def test_a_confirmation_names_the_orders_own_lines(world):
    order = make_order()
    lines = confirmed_lines()
    lines[0]["line"] = "9"
    with pytest.raises(Invalid, match="no line"):
        service.record_confirmation(order=order, status="confirmed", promised_at=PROMISE, lines=lines)
