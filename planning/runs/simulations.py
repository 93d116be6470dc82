"""What-if runs: a posted snapshot is queued here and planned by the scheduler process, never by a web worker.

The web request only checks the snapshot (422 naming each malformed field), the caller's share of the queue
(429 beyond `PLANNING_SIMULATIONS_PER_USER` queued or running) and stores it; it answers 202 with the job. The
scheduler claims queued jobs oldest first (one `UPDATE ... WHERE status = 'queued'`, so two schedulers never
plan one job twice) and plans each with the configured solver, whose parts go where `PLANNER_CLUSTER` says.
Nothing but the job's row is read or written. A job left `running` by a scheduler that died is failed once it
is well past its time limit, so it no longer counts against its user.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from core.db import db, utcnow
from core.errors import DomainError, Invalid, NotFound
from planning.checker import check_snapshot
from planning.contract import CONTRACT
from planning.runs.models import Simulation
from planning.runs.service import configured_solver

log = logging.getLogger(__name__)
WAITING = ("queued", "running")
ABANDONED_AFTER_S = 600  # beyond its time limit: a running job this late lost its scheduler


class TooManySimulations(DomainError):
    status = 429
    code = "too_many_simulations"


def check_simulated_snapshot(snapshot) -> None:
    """422 unless `snapshot` is a `supply-plan/1` snapshot, naming every malformed field."""
    if not isinstance(snapshot, dict) or snapshot.get("contract") != CONTRACT:
        raise Invalid("contract", f"the body must be a {CONTRACT} snapshot (JSON object)")
    errors = check_snapshot(snapshot)  # every malformed field named, not a crash inside the solver
    if errors:
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        raise Invalid("snapshot", "; ".join(errors[:10]) + more)


def queue_simulation(snapshot, *, time_limit_s: float, user_id: int) -> Simulation:
    """Queue a what-if for the scheduler; 422 if it is not a snapshot, 429 if the user has too many queued."""
    check_simulated_snapshot(snapshot)
    limit = current_app.config["PLANNING_SIMULATIONS_PER_USER"]
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Simulation)
        .where(Simulation.requested_by_id == user_id, Simulation.status.in_(WAITING))
    )
    if waiting >= limit:
        raise TooManySimulations(
            f"{waiting} of your simulations are queued or running (at most {limit}): wait for one to finish",
            limit=limit,
        )
    job = Simulation(requested_by_id=user_id, time_limit_s=time_limit_s, snapshot=snapshot)
    db.session.add(job)
    db.session.flush()
    return job


def get_simulation(job_id: int, *, user_id: int, sees_all: bool = False) -> Simulation:
    """A job of the user's (any job for `sees_all`); 404 otherwise: others' what-ifs are not listed."""
    job = db.session.get(Simulation, job_id)
    if job is None or not (sees_all or job.requested_by_id == user_id):
        raise NotFound(f"simulation {job_id} not found")
    return job


def execute_queued_simulations(*, solve: Callable | None = None) -> list[Simulation]:
    """In the scheduler: plan the queued what-ifs, oldest first, each committed when done."""
    _fail_abandoned()
    done = []
    while (job_id := _claim_oldest()) is not None:
        done.append(_execute(job_id, solve or configured_solver()))
    return done


def _claim_oldest() -> int | None:
    while True:
        job_id = db.session.scalar(
            select(Simulation.id).where(Simulation.status == "queued").order_by(Simulation.id).limit(1)
        )
        if job_id is None:
            return None
        claimed = db.session.execute(
            update(Simulation)
            .where(Simulation.id == job_id, Simulation.status == "queued")
            .values(status="running", started_at=utcnow())
        ).rowcount
        db.session.commit()
        if claimed:
            return job_id


def _execute(job_id: int, solve: Callable) -> Simulation:
    job = db.session.get(Simulation, job_id)
    try:
        plan = solve(job.snapshot, time_limit_s=job.time_limit_s)
    except Exception as error:  # a snapshot the solver cannot plan: the job says why, the scheduler goes on
        db.session.rollback()
        log.exception("simulation %s failed", job_id)
        job = db.session.get(Simulation, job_id)
        job.status, job.error = "failed", f"{type(error).__name__}: {error}"
    else:
        job.status, job.plan, job.solver_report = "succeeded", plan, plan.get("solver")
    job.finished_at = utcnow()
    db.session.commit()
    return job


def _fail_abandoned() -> None:
    now = utcnow()
    for job in db.session.scalars(select(Simulation).where(Simulation.status == "running")):
        if job.started_at + timedelta(seconds=job.time_limit_s + ABANDONED_AFTER_S) < now:
            job.status, job.finished_at = "failed", now
            job.error = "abandoned: the scheduler planning it stopped"
    db.session.commit()
