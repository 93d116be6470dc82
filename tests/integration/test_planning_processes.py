"""Planning across processes: a killed run, and several schedulers planning each cycle once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from core.db import db
from planning.runs import service
from planning.runs.models import PlanningRun, PurchaseProposal
from tests import planning_fakes as fakes

ROOT = Path(__file__).resolve().parents[2]
KILLED_RUN = """
import sys
from core import create_app
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
        run = service.request_run(trigger="cli")
        db.session.commit()
        done = service.execute_run(
            run.id, build_snapshot=fakes.empty_snapshot, solve=fakes.plan_with_one_purchase
        )
        assert done.status == "succeeded"
        dead = db.session.get(PlanningRun, killed)
        assert dead.status == "failed" and dead.error.startswith("abandoned")
        assert db.session.scalar(select(func.count()).where(PurchaseProposal.run_id == killed)) == 0
        assert service.published_run().id == done.id
