"""Planning across processes: a killed run, several schedulers planning each cycle once, and a run queued
by one process (the web's budget) executed by the scheduler with the scheduler's budget."""

import itertools
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from core.db import db
from planning.runs import service
from planning.runs.models import PlanningRun, PurchaseProposal
from tests import planning_fakes as fakes

ROOT = Path(__file__).resolve().parents[2]
KILLED_RUN = """
import sys
from app import create_app
from core.db import db
from planning.runs import service
from tests import planning_fakes as fakes
app = create_app({"DATABASE_URL": sys.argv[1]})
with app.app_context():
    run = service.request_run(trigger="cli")
    db.session.commit()
    service.execute_run(run.id, build_snapshot=fakes.empty_snapshot, solve=fakes.slow_solver)
"""


def _wait_for(app, predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            value = predicate()
            db.session.remove()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def _request_once_the_lock_is_released():
    """A new run, once PostgreSQL has noticed the killed process and released its lock (a moment later)."""
    try:
        run = service.request_run(trigger="cli")
    except service.RunInProgress:
        db.session.rollback()
        return None
    db.session.commit()
    return run.id


def _solving_run_id():
    run = db.session.scalars(select(PlanningRun).where(PlanningRun.status == "running")).first()
    return run.id if run and (run.progress or {}).get("phase") == "solving" else None


def test_a_killed_run_releases_the_lock_and_leaves_nothing_half_written(app, committed_db, database_url):
    process = subprocess.Popen([sys.executable, "-c", KILLED_RUN, database_url], cwd=ROOT)
    try:
        killed = _wait_for(app, _solving_run_id)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    with app.app_context():
        run_id = _wait_for(app, _request_once_the_lock_is_released)
        done = service.execute_run(
            run_id, build_snapshot=fakes.empty_snapshot, solve=fakes.plan_with_one_purchase
        )
        assert done.status == "succeeded"
        dead = db.session.get(PlanningRun, killed)
        assert dead.status == "failed" and dead.error.startswith("abandoned")
        assert db.session.scalar(select(func.count()).where(PurchaseProposal.run_id == killed)) == 0
        assert service.published_run().id == done.id


def _scheduler(database_url: str, seconds_per_cycle: float, *args: str, **settings: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        **settings,
        SCM_DATABASE_URL=database_url,
        SCM_SECRET_KEY=secrets.token_hex(32),
        FLASK_APP="wsgi",
        SCM_PLANNING_INTERVAL_MINUTES=str(seconds_per_cycle / 60),
        SCM_PLANNING_QUEUE_POLL_SECONDS="1",
        SCM_METRICS_ENABLED="false",
    )
    env.setdefault("SCM_PLANNING_SOLVER", "tests.planning_fakes:plan_with_one_purchase")
    command = [sys.executable, "-m", "flask", "schedules", "run", "--metrics-port", "0", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_two_schedulers_plan_each_cycle_exactly_once(app, committed_db, database_url):
    if not database_url.startswith("postgresql"):
        return  # several schedulers on several hosts is the PostgreSQL deployment
    schedulers = [_scheduler(database_url, seconds_per_cycle=4) for _ in range(2)]
    try:  # four cycles planned (on a loaded machine the processes take seconds to start)
        _wait_for(app, lambda: db.session.scalar(select(func.count()).select_from(PlanningRun)) >= 4, 90)
        time.sleep(4)  # one more cycle: both schedulers are up and competing for it
    finally:
        for process in schedulers:
            process.send_signal(signal.SIGINT)
        try:
            for process in schedulers:
                process.wait(timeout=20)
        finally:  # one that does not stop still fails the test, without outliving it
            for process in schedulers:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    with app.app_context():
        runs = db.session.scalars(select(PlanningRun).order_by(PlanningRun.id)).all()
    keys = [r.cycle_key for r in runs]
    assert len(runs) >= 4, keys
    assert len(set(keys)) == len(keys)
    assert all(r.status == "succeeded" and r.trigger == "schedule" for r in runs), [
        (r.cycle_key, r.trigger, r.status, r.error) for r in runs
    ]
    starts = sorted(datetime.fromisoformat(k.replace("Z", "+00:00")) for k in keys)
    assert all((b - a).total_seconds() == 4 for a, b in itertools.pairwise(starts)), keys
    spans = sorted((r.started_at, r.finished_at) for r in runs)
    assert all(prev[1] <= nxt[0] for prev, nxt in itertools.pairwise(spans)), "runs overlapped"


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_scheduler_runs_a_queued_run_with_its_own_budget(app, committed_db, database_url):
    with app.app_context():  # queued here, where the budget is the default 600 s
        run = service.request_run(trigger="api", user_id=None)
        db.session.commit()
        run_id = run.id
    scheduler = _scheduler(
        database_url,
        3600,
        "--no-plan-at-start",
        SCM_PLANNING_RUN_BUDGET_SECONDS="30",
        SCM_PLANNING_SOLVER="tests.planning_fakes:plan_reporting_its_limit",
    )
    try:
        finished = _wait_for(app, lambda: _finished(run_id), timeout=60)
    finally:
        _stop(scheduler)
    assert finished.status == "succeeded" and finished.time_budget_s == 30
    assert finished.solver_report["time_limit_s"] <= 30 * service.SOLVER_SHARE


def _finished(run_id: int) -> PlanningRun | None:
    run = db.session.get(PlanningRun, run_id)
    if run.status in ("succeeded", "failed"):
        db.session.expunge(run)
        return run
    return None
