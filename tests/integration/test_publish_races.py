"""Publishing a plan while the world moves: an order cancelled during the run is never left confirmed, and
one cancelled while the plan is being written neither fails the run nor is confirmed over its cancellation."""

import threading

from core.db import db
from planning import service as orders_service
from planning.runs import service
from planning.runs.models import PlanningRun
from tests import planning_fakes as fakes
from tests.logistics_factories import make_order, make_user, make_world


def _world(app) -> None:
    with app.app_context():
        make_world(user_id=make_user())
        make_order("SO-1")
        make_order("SO-2")
        db.session.commit()


def _cancel(app, number: str) -> None:
    with app.app_context():
        orders_service.cancel_order(number=number)
        db.session.commit()
        db.session.remove()


def _execute(app, solve) -> int:
    with app.app_context():
        run_id = service.request_run(trigger="cli").id
        db.session.commit()
        return service.execute_run(run_id, solve=solve).id


def _status(app, number: str) -> str:
    with app.app_context():
        status = orders_service.get_order(number).status
        db.session.remove()
        return status


def test_an_order_cancelled_after_the_snapshot_is_not_confirmed(app, committed_db):
    _world(app)

    def cancel_then_plan(snapshot, **kwargs):
        assert "SO-1" in [o["id"] for o in snapshot["orders"]]
        _cancel(app, "SO-1")  # after the snapshot, before the publish
        return fakes.greedy_plan(snapshot, **kwargs)

    run_id = _execute(app, cancel_then_plan)
    with app.app_context():
        assert db.session.get(PlanningRun, run_id).status == "succeeded"
    assert _status(app, "SO-1") == "cancelled"
    assert _status(app, "SO-2") == "confirmed"


def test_an_order_cancelled_while_the_plan_is_written_is_not_confirmed_over_its_cancellation(
    app, committed_db, monkeypatch
):
    _world(app)
    record = orders_service.record_confirmation
    canceller = threading.Thread(target=_cancel, args=(app, "SO-1"))

    def cancel_meanwhile(*, order, **kwargs):
        number = order if isinstance(order, str) else order.number
        if number == "SO-1" and not canceller.is_alive() and canceller.ident is None:
            canceller.start()  # the publish has read SO-1: a planner cancels it now
            canceller.join(2)  # it commits at once unless the publish holds the order's row (then it waits)
        return record(order=order, **kwargs)

    monkeypatch.setattr(orders_service, "record_confirmation", cancel_meanwhile)
    run_id = _execute(app, fakes.greedy_plan)
    canceller.join(30)
    with app.app_context():
        run = db.session.get(PlanningRun, run_id)
        assert run.status == "succeeded", run.error  # one cancellation does not throw the whole plan away
    assert _status(app, "SO-1") == "cancelled"  # either skipped by the publish or cancelled after it
    assert _status(app, "SO-2") == "confirmed"
