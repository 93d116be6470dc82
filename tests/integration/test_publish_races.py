"""Publishing a plan while the world moves: an order cancelled during the run is never left confirmed (nor
does its cancellation fail the run); a run that is no longer the planning lock's holder publishes nothing
(fencing), so two runs never both publish."""

import threading

import pytest
from sqlalchemy import func, select, text

from core.db import db
from orders import confirmations as order_confirmations
from orders import service as orders_service
from planning.runs import service
from planning.runs.lock import ADVISORY_KEY
from planning.runs.models import PlanningRun, PurchaseProposal
from tests import planning_fakes as fakes
from tests.logistics_factories import make_order, make_user, make_world

# pg_locks lists every database's locks: the lock holder is looked for in this test's database only (a
# test suite running beside this one on the same server holds the same key in its own)
THIS_DATABASE = "database = (SELECT oid FROM pg_database WHERE datname = current_database())"


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
    locked_orders = order_confirmations._locked_orders
    canceller = threading.Thread(target=_cancel, args=(app, "SO-1"))

    def cancel_meanwhile(numbers):
        found = locked_orders(numbers)
        if "SO-1" in numbers and canceller.ident is None:
            canceller.start()  # the publish has read SO-1: a planner cancels it now
            canceller.join(2)  # it commits at once unless the publish holds the order's row (then it waits)
        return found

    monkeypatch.setattr(order_confirmations, "_locked_orders", cancel_meanwhile)
    run_id = _execute(app, fakes.greedy_plan)
    canceller.join(30)
    with app.app_context():
        run = db.session.get(PlanningRun, run_id)
        assert run.status == "succeeded", run.error  # one cancellation does not throw the whole plan away
    assert _status(app, "SO-1") == "cancelled"  # either skipped by the publish or cancelled after it
    assert _status(app, "SO-2") == "confirmed"


def _start_blocked_run(app, solver) -> tuple[int, threading.Thread]:
    """A run executing in a thread (as a scheduler would), its solver blocked until `solver.release`."""
    with app.app_context():
        run_id = service.request_run(trigger="schedule").id
        db.session.commit()

    def execute():
        with app.app_context():
            service.execute_run(run_id, build_snapshot=fakes.empty_snapshot, solve=solver)
            db.session.remove()

    executor = threading.Thread(target=execute)
    executor.start()
    assert solver.entered.wait(30), "the solver was not reached"
    return run_id, executor


def _finish(solver, executor) -> None:
    solver.release.set()
    executor.join(60)
    assert not executor.is_alive()


def test_a_run_failed_as_abandoned_meanwhile_publishes_nothing(app, committed_db):
    solver = fakes.BlockingSolver()
    run_id, executor = _start_blocked_run(app, solver)
    try:
        with app.app_context():  # another process judged it abandoned (it saw the planning lock free)
            service.fail_abandoned_runs()
            db.session.commit()
    finally:
        _finish(solver, executor)
    with app.app_context():
        run = db.session.get(PlanningRun, run_id)
        assert run.status == "failed" and run.published_at is None
        assert "fenced: the run was marked failed by another process" in run.error
        assert service.published_run() is None
        assert db.session.scalar(select(func.count()).select_from(PurchaseProposal)) == 0


def test_a_run_whose_lock_connection_dies_does_not_publish_and_the_next_run_does(
    app, committed_db, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("the planning lock is a PostgreSQL connection only on PostgreSQL")
    solver = fakes.BlockingSolver()
    first, executor = _start_blocked_run(app, solver)
    try:
        with app.app_context():
            lock_pid = db.session.scalar(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid::bigint = :k AND granted"
                    f" AND {THIS_DATABASE}"
                ),
                {"k": ADVISORY_KEY},
            )
            assert db.session.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": lock_pid})
            db.session.commit()
        for _ in range(100):  # the server releases the lock once the backend has gone
            with app.app_context():
                if service._lock_is_free():
                    break
            threading.Event().wait(0.1)
        second = _run_now(
            app
        )  # another scheduler sees the lock free: fails the first run, plans and publishes
    finally:
        _finish(solver, executor)
    with app.app_context():
        run = db.session.get(PlanningRun, first)
        assert (
            run.status == "failed" and run.published_at is None and run.error.startswith("LostLock: fenced")
        )
        assert db.session.get(PlanningRun, second).status == "succeeded"
        assert service.published_run().id == second
        published = select(func.count()).where(PlanningRun.published_at.is_not(None))
        assert db.session.scalar(published) == 1


def test_a_run_that_loses_its_lock_connection_unnoticed_does_not_publish(app, committed_db, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the planning lock is a PostgreSQL connection only on PostgreSQL")
    solver = fakes.BlockingSolver()
    run_id, executor = _start_blocked_run(app, solver)
    try:
        with app.app_context():
            db.session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    f" WHERE locktype = 'advisory' AND objid::bigint = :k AND granted AND {THIS_DATABASE}"
                ),
                {"k": ADVISORY_KEY},
            )
            db.session.commit()
    finally:
        _finish(solver, executor)
    with app.app_context():
        run = db.session.get(PlanningRun, run_id)
        assert run.status == "failed" and run.published_at is None
        assert "fenced: the planning lock was lost" in run.error
        assert service.published_run() is None


def _run_now(app) -> int:
    with app.app_context():
        run_id = service.request_run(trigger="api").id
        db.session.commit()
        service.execute_run(run_id, build_snapshot=fakes.empty_snapshot, solve=fakes.plan_with_one_purchase)
        db.session.remove()
        return run_id
