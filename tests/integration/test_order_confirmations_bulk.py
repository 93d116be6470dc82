"""Many orders' promises at once (`orders.confirmations`, what a plan's publish uses): the rules of one
order's confirmation, kept for every order of a chunk."""

from datetime import UTC, datetime

import pytest

from core.db import db
from core.errors import Invalid, NotFound
from orders import service as orders_service
from orders.confirmations import Promise, record_confirmations
from tests.logistics_factories import make_order, make_user, make_world

AT = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture
def ctx(app, db_session):
    with app.app_context():
        make_world(user_id=make_user())
        for number in ("SO-1", "SO-2", "SO-3"):
            make_order(number)
        yield


def confirmed(number: str, at: datetime = AT) -> Promise:
    deliveries = [{"qty": 3, "from": "WH-A", "mode": "truck", "depart_at": at, "arrive_at": at}]
    return Promise(number, "confirmed", at, [{"line": "1", "sku": "NB", "qty": 3, "deliveries": deliveries}])


def test_each_order_gets_its_promise_and_keeps_its_history(ctx):
    later = AT.replace(day=26)
    first = record_confirmations([confirmed("SO-1"), Promise("SO-2", "unconfirmed", None, [])], run_ref="7")
    assert [(p.number, p.before[0], p.after) for p in first] == [
        ("SO-1", "accepted", ("confirmed", AT)),
        ("SO-2", "accepted", ("unconfirmed", None)),
    ]
    second = record_confirmations([confirmed("SO-1", later)], run_ref="8")
    assert second[0].before == ("confirmed", AT) and second[0].customer == "C1"
    db.session.expire_all()
    order = orders_service.get_order("SO-1")
    assert (order.status, order.promised_at) == ("confirmed", later)
    assert [(c.sequence, c.run_ref, c.promised_at) for c in order.confirmations] == [
        (1, "7", AT),
        (2, "8", later),
    ]
    delivery = order.latest_confirmation.lines[0].deliveries[0]
    assert (delivery.from_code, delivery.quantity, delivery.arrive_at) == ("WH-A", 3, later)
    assert orders_service.get_order("SO-2").status == "unconfirmed"
    assert orders_service.get_order("SO-3").status == "accepted"


def test_an_order_no_longer_planned_is_left_alone(ctx):
    orders_service.cancel_order(number="SO-2")
    done = record_confirmations([confirmed("SO-1"), confirmed("SO-2")], run_ref="7")
    assert [p.number for p in done] == ["SO-1"]
    db.session.expire_all()
    cancelled = orders_service.get_order("SO-2")
    assert (cancelled.status, cancelled.confirmations) == ("cancelled", [])


@pytest.mark.parametrize(
    ("promise", "error", "field"),
    [
        (Promise("SO-9", "unconfirmed", None, []), NotFound, None),
        (Promise("SO-1", "confirmed", None, []), Invalid, "promised_at"),
        (Promise("SO-1", "unconfirmed", AT, []), Invalid, "promised_at"),
        (Promise("SO-1", "maybe", None, []), Invalid, "status"),
        (Promise("SO-1", "confirmed", AT, [{"line": "4", "sku": "NB", "qty": 3}]), Invalid, "lines[0].line"),
        (Promise("SO-1", "confirmed", AT, [{"line": "1", "sku": "XX", "qty": 3}]), Invalid, "lines[0].sku"),
    ],
)
def test_a_malformed_promise_is_refused_naming_what(ctx, promise, error, field):
    with pytest.raises(error) as refused:
        record_confirmations([confirmed("SO-3"), promise], run_ref="7")
    if field:
        assert field in refused.value.errors["json"]
