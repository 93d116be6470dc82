"""Planning runs: publish in one transaction, fail cleanly, one at a time; the budget of the process that
executes them; progress that moves while the solver says nothing and ends as the solver's report."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core.db import db
from planning.runs import progress, service
from planning.runs.models import PlanningRun, PurchaseProposal
from planning.runs.publish import plan_document
from tests import planning_fakes as fakes


def _run(app, solve, **kwargs):
    with app.app_context():
        run = service.request_run(trigger="cli", **kwargs)
        db.session.commit()
        run = service.execute_run(run.id, build_snapshot=fakes.empty_snapshot, solve=solve)
        return run.id


def test_cycles_are_aligned_to_midnight_utc():
    now = datetime(2026, 11, 22, 9, 59, 59, tzinfo=UTC)
    assert service.cycle_start(now, 120) == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    assert service.cycle_start(now, 30) == datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def test_a_successful_run_publishes_its_plan_and_snapshot(app, committed_db):
    run_id = _run(app, fakes.plan_with_one_purchase)
    with app.app_context():
        run = db.session.get(PlanningRun, run_id)
        assert run.status == "succeeded" and run.published_at is not None
        assert service.published_run().id == run_id
        assert run.snapshot["contract"] == "supply-plan/1"
        assert run.solver_report["status"] == "optimal"
        document = plan_document(run)
        assert document["procurement"] == [
            {
                "id": "PO-P1",
                "supplier": "SUP-A",
                "sku": "NB-14",
                "location": "WH-N",
                "qty": 150,
                "order_at": run.snapshot["plan_start"],
                "receive_at": "2026-12-01T08:00:00Z",
            }
        ]


def test_a_solver_crash_fails_the_run_and_keeps_the_previous_plan(app, committed_db):
    published = _run(app, fakes.plan_with_one_purchase)
    failed = _run(app, fakes.failing_solver)
    with app.app_context():
        run = db.session.get(PlanningRun, failed)
        assert run.status == "failed" and "solver crashed mid-run" in run.error
        assert run.published_at is None
        assert service.published_run().id == published
        assert db.session.scalar(select(func.count()).where(PurchaseProposal.run_id == failed)) == 0


def test_a_plan_that_cannot_be_stored_leaves_no_partial_rows(app, committed_db):
    failed = _run(app, fakes.plan_with_bad_row)
    with app.app_context():
        assert db.session.get(PlanningRun, failed).status == "failed"
        assert db.session.scalar(select(func.count()).select_from(PurchaseProposal)) == 0
        assert service.published_run() is None


def test_a_run_over_its_budget_is_not_published(app, committed_db, monkeypatch):
    ticks = iter(range(0, 10_000, 100))
    monkeypatch.setattr(progress.time, "monotonic", lambda: float(next(ticks)))
    failed = _run(app, fakes.plan_with_one_purchase, time_budget_s=150)
    with app.app_context():
        run = db.session.get(PlanningRun, failed)
        assert run.status == "failed" and "budget" in run.error
        assert service.published_run() is None


def test_a_run_whose_publishing_overruns_its_budget_publishes_nothing_and_says_so(
    app, committed_db, monkeypatch
):
    clock = {"now": 0.0}  # a fake monotonic clock: only publishing takes time, so no machine speed matters
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock["now"])
    write_plan = service.write_plan

    def slow_write_plan(run, plan):
        write_plan(run, plan)
        clock["now"] += 31.0  # publishing a big plan: beyond the 30 s budget, though the solver was quick

    monkeypatch.setattr(service, "write_plan", slow_write_plan)
    published = _run(app, fakes.plan_with_one_purchase, time_budget_s=60)
    overrun = _run(app, fakes.plan_with_one_purchase, time_budget_s=30)
    with app.app_context():
        run = db.session.get(PlanningRun, overrun)
        assert run.status == "failed" and run.published_at is None
        assert "over budget: 31 s used of 30 s at publishing; nothing was published" in run.error
        assert run.progress["phase"] == "failed"
        assert service.published_run().id == published
        assert db.session.scalar(select(func.count()).where(PurchaseProposal.run_id == overrun)) == 0


def test_only_one_run_may_be_queued_or_running(app, committed_db):
    with app.app_context():
        first = service.request_run(trigger="api")
        db.session.commit()
        with pytest.raises(service.RunInProgress) as refused:
            service.request_run(trigger="api")
        assert refused.value.details["run_id"] == first.id


def test_runs_left_running_by_a_dead_process_are_failed_by_the_next(app, committed_db):
    with app.app_context():
        ghost = PlanningRun(trigger="schedule", status="running", time_budget_s=600)
        db.session.add(ghost)
        db.session.commit()
        ghost_id = ghost.id
    _run(app, fakes.plan_with_one_purchase)
    with app.app_context():
        ghost = db.session.get(PlanningRun, ghost_id)
        assert ghost.status == "failed" and ghost.error.startswith("abandoned")


def test_a_run_left_running_by_a_dead_process_does_not_block_a_new_request(app, committed_db):
    with app.app_context():
        db.session.add(PlanningRun(trigger="schedule", status="running", time_budget_s=600))
        db.session.commit()
        run = service.request_run(trigger="api")
        db.session.commit()
        assert run.status == "queued"
        assert db.session.scalar(select(func.count()).where(PlanningRun.status == "failed")) == 1


def test_a_run_queued_without_a_budget_gets_the_budget_of_the_process_executing_it(
    app, committed_db, monkeypatch
):
    with app.app_context():  # queued where the budget is 600 s (a web process's default) ...
        run = service.request_run(trigger="api")
        db.session.commit()
        assert run.requested_budget_s is None and run.time_budget_s is None
        run_id = run.id
    monkeypatch.setitem(app.config, "PLANNING_RUN_BUDGET_SECONDS", 40)  # ... executed where it is 40 s
    with app.app_context():
        done = service.execute_run(
            run_id, build_snapshot=fakes.empty_snapshot, solve=fakes.plan_reporting_its_limit
        )
        assert done.status == "succeeded" and done.time_budget_s == 40
        assert done.solver_report["time_limit_s"] <= 40 * service.SOLVER_SHARE


@pytest.mark.parametrize(("requested", "given"), [(900, 40), (20, 20)])
def test_a_requested_budget_is_capped_by_the_executing_process(
    app, committed_db, monkeypatch, requested, given
):
    monkeypatch.setitem(app.config, "PLANNING_RUN_BUDGET_SECONDS", 40)
    run_id = _run(app, fakes.plan_reporting_its_limit, time_budget_s=requested)
    with app.app_context():
        run = db.session.get(PlanningRun, run_id)
        assert (run.requested_budget_s, run.time_budget_s) == (requested, given)
        assert run.solver_report["time_limit_s"] <= given * service.SOLVER_SHARE


def _progress_of(app, run_id: int) -> tuple[str, dict]:
    """The run's status and progress as another session sees them (committed rows only)."""
    with app.app_context():
        run = db.session.get(PlanningRun, run_id)
        seen = run.status, dict(run.progress or {})
        db.session.remove()
    return seen


def test_progress_moves_while_the_solver_is_blocked_and_ends_as_its_report(app, committed_db):
    solver = fakes.BlockingSolver()
    with app.app_context():
        run_id = service.request_run(trigger="api").id
        db.session.commit()

    def execute():
        with app.app_context():
            service.execute_run(run_id, build_snapshot=fakes.empty_snapshot, solve=solver)
            db.session.remove()

    executor = threading.Thread(target=execute)
    executor.start()
    try:
        assert solver.entered.wait(30), "the solver was not reached"
        seen = []  # the elapsed seconds written while the solver is blocked, as read from this thread
        for _ in range(300):
            status, current = _progress_of(app, run_id)
            assert status == "running"
            if current.get("phase") == "batch model" and current["elapsed_s"] not in seen:
                seen.append(current["elapsed_s"])
            if len(seen) >= 3:
                break
            threading.Event().wait(0.1)
        assert len(seen) >= 3 and seen == sorted(seen), seen  # elapsed moves with no callback from the solver
        assert (current["best_cost"], current["bound"]) == (7000.0, 5000.0)  # what the solver last said
        assert (current["parts_done"], current["parts_total"]) == (0, 1)
    finally:
        solver.release.set()
        executor.join(60)
    with app.app_context():
        run = db.session.get(PlanningRun, run_id)
        assert run.status == "succeeded"
        final = run.progress
        assert final["phase"] == "published"
        assert final["best_cost"] == run.solver_report["objective"] == 6100.0
        assert final["bound"] == run.solver_report["bound"] == 5900.0
        assert (final["parts_done"], final["parts_total"]) == (1, 1)
        assert final["elapsed_s"] >= seen[-1]


def test_a_failed_run_keeps_its_last_progress_and_says_it_failed(app, committed_db):
    failed = _run(app, fakes.failing_solver)
    with app.app_context():
        run = db.session.get(PlanningRun, failed)
        assert run.status == "failed"
        assert run.progress["phase"] == "failed" and run.progress["best_cost"] == 99.0
