"""What the scheduler does each time it wakes: plan the current cycle once, execute queued runs,
checkpoint the stock ledger when it has grown enough, resume stalled count jobs.

Cycles are aligned to midnight UTC (every 120 minutes by default: 00:00, 02:00, ...). A cycle's run
carries the cycle's start as its unique `cycle_key`, so with several scheduler processes the cycle
is planned once: the others' inserts fail on the unique key and they skip it.
"""

import logging
import time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import db, utcnow
from core.formats import iso
from inventory import checkpoints, count_jobs
from planning.runs import service as runs_service
from planning.runs import simulations
from planning.runs.models import PlanningRun
from schedules import metrics

log = logging.getLogger(__name__)


def cycle_key(now=None) -> str:
    start = runs_service.cycle_start(now or utcnow(), current_app.config["PLANNING_INTERVAL_MINUTES"])
    return iso(start)


def plan_current_cycle() -> PlanningRun | None:
    """Queue and execute the current cycle's run unless it exists already or a run is in progress."""
    key = cycle_key()
    if db.session.scalar(select(PlanningRun.id).where(PlanningRun.cycle_key == key)):
        return None
    try:
        run = runs_service.request_run(trigger="schedule", cycle_key=key)
        db.session.commit()
    except (IntegrityError, runs_service.RunInProgress) as error:
        db.session.rollback()
        log.info(
            "cycle %s not planned here: %s", key, getattr(error, "message", "taken by another scheduler")
        )
        return None
    return _execute(run.id)


def deliver_webhooks(*, within_s: float = 50.0) -> dict:
    """Send confirmation events that are due (first attempts and retries), a hundred at a time until none is
    due or `within_s` has passed (a plan of 100,000 orders announces as many: a hundred a poll would take
    hours)."""
    from planning.webhooks import service as webhooks

    totals = {"delivered": 0, "retrying": 0, "failed": 0}
    deadline = time.monotonic() + within_s
    while True:
        counts = webhooks.deliver_due()
        totals = {key: totals[key] + counts[key] for key in totals}
        if sum(counts.values()) < 100 or time.monotonic() > deadline:
            return totals


def checkpoint_stock() -> None:
    """Checkpoint every balance when enough ledger entries came since the last checkpoint."""
    checkpoint = checkpoints.checkpoint_if_due(
        every_entries=current_app.config["STOCK_CHECKPOINT_EVERY_ENTRIES"]
    )
    if checkpoint is not None:
        log.info("stock checkpoint %s at %s", checkpoint.id, checkpoint.taken_at.isoformat())


def resume_count_jobs() -> None:
    """Run count jobs that no web process is running (it stopped, or never started them)."""
    for job_id in count_jobs.resume_stalled_count_jobs():
        log.info("count job %s resumed", job_id)


def execute_queued_runs() -> list[PlanningRun]:
    """Execute runs queued over HTTP, oldest first; then plan the current cycle if it was missed."""
    done = []
    while (run := _oldest_queued()) is not None:
        executed = _execute(run.id)
        if executed is None:
            break
        done.append(executed)
    caught_up = plan_current_cycle()
    return [*done, caught_up] if caught_up else done


def execute_queued_simulations() -> list:
    """Plan the what-ifs queued over HTTP (`POST planning/simulate`), oldest first."""
    return simulations.execute_queued_simulations()


def _oldest_queued() -> PlanningRun | None:
    stmt = select(PlanningRun).where(PlanningRun.status == "queued").order_by(PlanningRun.id)
    return db.session.scalars(stmt).first()


def _execute(run_id: int) -> PlanningRun | None:
    try:
        run = runs_service.execute_run(run_id)
    except runs_service.RunInProgress as error:
        db.session.rollback()
        log.info("run %s waits: %s", run_id, error.message)
        return None
    metrics.observe_run(run)
    log.info("run %s %s", run.id, run.status, extra={"kpis": run.kpis})
    return run
