"""Planning runs: queue one, execute it under the planning lock, publish its plan in one transaction.

A run is `queued`, then `running` (its snapshot stored, progress updated while the solver works),
then `succeeded` with its plan published, or `failed` with the error. Publishing writes the plan
tables and every order's confirmation in a single transaction: a run that fails, is killed or
overruns its time budget leaves the previous published plan in force and nothing half-written.
A run found `running` by a process that holds the lock was abandoned by a dead process: it is failed. Its
publish is fenced: in the publish transaction the run's row is locked and the run must still be `running`
and still hold the planning lock, else it publishes nothing (so two runs never both publish).

A run's time budget is decided where it executes: the executing process's `PLANNING_RUN_BUDGET_SECONDS`
(`SCM_PLANNING_RUN_BUDGET_SECONDS` of the scheduler, not of the web process that queued it), or less if the
request asked for less (`requested_budget_s`); the run records the budget it was given (`time_budget_s`).
The budget covers the whole run, publishing included: it is checked once more inside the publish transaction,
just before the commit, and a run over it fails ("over budget: ...") with nothing published.
Its progress is written about once a second by a heartbeat (`planning.runs.progress`), whatever the solver
is doing, and the published run's final progress is the solver's report (objective and bound).
"""

import functools
import importlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from flask import current_app
from sqlalchemy import func, select, text, update

from core.db import db, utcnow
from core.errors import Conflict, NotFound
from planning.runs.costs import cost_split
from planning.runs.lock import ADVISORY_KEY, PlanningLock, planning_lock
from planning.runs.models import ACTIVE_STATUSES, PlanningRun
from planning.runs.progress import LiveProgress
from planning.runs.publish import peg_inputs, plan_document, write_plan

log = logging.getLogger(__name__)
DEFAULT_SOLVER = "planning.solver:solve"
SOLVER_SHARE = 0.75  # the rest of the budget is for the snapshot, publishing and solver overrun


class RunInProgress(Conflict):
    code = "run_in_progress"


def get_run(run_id: int) -> PlanningRun:
    run = db.session.get(PlanningRun, run_id)
    if run is None:
        raise NotFound(f"no planning run {run_id}")
    return run


def planned_run(run_id: int) -> PlanningRun:
    """A run that has a plan (404 for one that does not exist or has not succeeded)."""
    run = get_run(run_id)
    if run.status != "succeeded":
        raise NotFound(f"planning run {run_id} is {run.status}: it has no plan")
    return run


def previous_published(run: PlanningRun) -> PlanningRun | None:
    """The run published last before `run` was (None for a run never published, or the first)."""
    if run.published_at is None:
        return None
    stmt = (
        select(PlanningRun)
        .where(PlanningRun.published_at.is_not(None), PlanningRun.published_at < run.published_at)
        .order_by(PlanningRun.published_at.desc(), PlanningRun.id.desc())
    )
    return db.session.scalars(stmt).first()


def promise_changes(
    run_id: int, *, direction: str = "", q: str = "", first: int = 0, size: int = 50
) -> tuple[list[dict], int]:
    """One page of the orders whose promise the run moved from the one they had (`direction`: later,
    earlier or status; `q`: words of the order number), by order number, and how many there are. Each
    names the purchase order lines its previous promise relied on that the supplier has moved since."""
    from planning.runs.changes import moved_receipts, promise_move, relied_on
    from planning.runs.lists import changed_promises

    run = planned_run(run_id)
    previous = previous_published(run)
    if previous is None:
        return [], 0
    table = changed_promises(run.id, direction=direction, q=q)
    total = db.session.scalar(select(func.count()).select_from(table.stmt.order_by(None).subquery()))
    stmt = table.stmt.order_by(table.sorts[table.default], table.tiebreak).limit(size).offset(first)
    rows = [dict(row) for row in db.session.execute(stmt).mappings()]
    receipts = moved_receipts(previous.snapshot or {}, run.snapshot or {})
    because = {}
    if receipts and rows:
        orders = [row["order"] for row in rows]
        because = relied_on(plan_document(previous), previous.snapshot or {}, orders, receipts)
    for row in rows:
        row["direction"], row["broken"] = promise_move(row["was_status"], row["now"], row["hours"])
        row["because"] = because.get(row["order"], [])
    return rows, total


def active_run() -> PlanningRun | None:
    stmt = select(PlanningRun).where(PlanningRun.status.in_(ACTIVE_STATUSES)).order_by(PlanningRun.id)
    return db.session.scalars(stmt).first()


def published_run() -> PlanningRun | None:
    """The run whose plan is in force: the latest one published."""
    stmt = (
        select(PlanningRun)
        .where(PlanningRun.published_at.is_not(None))
        .order_by(PlanningRun.published_at.desc(), PlanningRun.id.desc())
    )
    return db.session.scalars(stmt).first()


def cycle_start(now: datetime, interval_minutes: float) -> datetime:
    """The start of the planning cycle containing `now` (cycles are aligned to midnight UTC)."""
    seconds, period = int(now.astimezone(UTC).timestamp()), max(1, round(interval_minutes * 60))
    return datetime.fromtimestamp(seconds - seconds % period, UTC)


def request_run(
    *,
    trigger: str,
    user_id: int | None = None,
    cycle_key: str | None = None,
    time_budget_s: float | None = None,
) -> PlanningRun:
    """Queue a run; 409 (naming the run) if one is already queued or running. `time_budget_s` is what the
    requester asks for (none: the executing process's budget; more than that: capped there)."""
    if db.engine.dialect.name == "postgresql":  # serialise concurrent requests (SQLite writers already are)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_KEY + 1})
    active = active_run()
    if active is not None and active.status == "running" and _lock_is_free():
        fail_abandoned_runs()
        active = active_run()
    if active is not None:
        raise RunInProgress(f"planning run {active.id} is {active.status}", run_id=active.id)
    run = PlanningRun(
        trigger=trigger, cycle_key=cycle_key, requested_by_id=user_id, requested_budget_s=time_budget_s
    )
    db.session.add(run)
    db.session.flush()
    return run


def run_budget(requested: float | None) -> float:
    """The budget of a run executed by this process: its configured budget, or the one requested if less."""
    configured = float(current_app.config["PLANNING_RUN_BUDGET_SECONDS"])
    return min(float(requested), configured) if requested else configured


def execute_run(
    run_id: int, *, build_snapshot: Callable | None = None, solve: Callable | None = None
) -> PlanningRun:
    """Run a queued planning run to the end under the planning lock; commits as it goes."""
    build_snapshot, solve = build_snapshot or _default_snapshot(), solve or configured_solver()
    with structlog.contextvars.bound_contextvars(run_id=run_id), planning_lock() as lock:
        if not lock:
            raise RunInProgress("another process is planning (the planning lock is held)")
        fail_abandoned_runs(keep=run_id)
        db.session.commit()
        run = _start(run_id)
        log.info("planning run started with a budget of %.0f s", run.time_budget_s)
        live = LiveProgress(db.engine, run_id).start()
        try:
            _plan_and_publish(run, live, build_snapshot, solve, lock)
            log.info("planning run published")
        except Exception as error:
            db.session.rollback()  # first: on SQLite a heartbeat may be waiting for this session's lock
            live.stop()
            log.exception("planning run failed")
            live.set("failed")
            _finish_failed(run_id, f"{type(error).__name__}: {error}", progress=live.current())
        finally:
            live.stop()
    return get_run(run_id)


def _start(run_id: int) -> PlanningRun:
    run = get_run(run_id)
    if run.status != "queued":
        raise Conflict(f"planning run {run_id} is {run.status}, not queued", code="run_not_queued")
    run.status, run.started_at = "running", utcnow()
    run.time_budget_s = run_budget(run.requested_budget_s)
    run.plan_start = run.started_at.replace(microsecond=0)
    run.progress = {"phase": "snapshot", "elapsed_s": 0.0}
    db.session.commit()
    return run


def _plan_and_publish(
    run: PlanningRun, live: LiveProgress, build_snapshot: Callable, solve: Callable, lock: PlanningLock
) -> None:
    run_id, budget = run.id, run.time_budget_s
    snapshot = build_snapshot(at=run.plan_start)
    in_force = published_run()
    warm_start = None if in_force is None else plan_document(in_force)  # the solver starts from it
    live.set("solving")
    run.snapshot, run.progress = snapshot, live.current()
    db.session.commit()  # no transaction is open while the solver works (SQLite: the heartbeat may write)
    limit = max(1.0, budget * SOLVER_SHARE - live.elapsed())
    plan = solve(snapshot, time_limit_s=limit, progress=live.report, warm_start=warm_start)
    _within_budget(live, budget)
    live.set("publishing")
    run = _fence(run_id, lock)
    write_plan(run, plan)
    _within_budget(live, budget)  # the budget covers publishing too: checked before the commit
    run.status, run.finished_at = "succeeded", utcnow()
    run.published_at = run.finished_at
    run.kpis, run.solver_report = plan.get("kpis"), plan.get("solver")
    run.costs, run.peg_inputs = cost_split(snapshot, plan), peg_inputs(snapshot)
    run.progress = _final_progress(live, plan.get("solver") or {})
    db.session.commit()


class LostLock(Conflict):
    code = "planning_lock_lost"


def _fence(run_id: int, lock: PlanningLock) -> PlanningRun:
    """The run, its row locked for the publish, once sure it is still this process's to publish: still
    `running` (not failed as abandoned by another process) and the planning lock still held. Another process
    that would fail it as abandoned now waits for the row until this publish ends."""
    stmt = select(PlanningRun).where(PlanningRun.id == run_id).with_for_update()
    run = db.session.scalar(stmt.execution_options(populate_existing=True))
    if run.status != "running":
        raise LostLock(f"fenced: the run was marked {run.status} by another process; nothing was published")
    if not lock.still_held():
        raise LostLock("fenced: the planning lock was lost (its connection died); nothing was published")
    return run


class OverBudget(TimeoutError):
    """The run used up its time budget: it publishes nothing."""


def _within_budget(live: LiveProgress, budget: float) -> None:
    elapsed = live.elapsed()
    if elapsed > budget:
        raise OverBudget(
            f"over budget: {elapsed:.0f} s used of {budget:.0f} s at {live.current()['phase']}; "
            "nothing was published, the previous plan stays in force"
        )


def _final_progress(live: LiveProgress, report: dict) -> dict:
    """The published run's progress: the solver's report (objective as best cost, its bound, every part)."""
    parts = report.get("parts")
    live.set(
        "published",
        best_cost=report.get("objective"),
        bound=report.get("bound"),
        parts_done=parts,
        parts_total=parts,
    )
    return live.current()


def _finish_failed(run_id: int, error: str, *, progress: dict | None = None) -> None:
    values = {"status": "failed", "finished_at": utcnow(), "error": error[:4000]}
    db.session.execute(
        update(PlanningRun)
        .where(PlanningRun.id == run_id)
        .values(**values, **({"progress": progress} if progress else {}))
    )
    db.session.commit()


def fail_abandoned_runs(*, keep: int | None = None) -> int:
    """Fail runs left `running` by a dead process (only when the planning lock is free or held here)."""
    stmt = update(PlanningRun).where(PlanningRun.status == "running")
    if keep is not None:
        stmt = stmt.where(PlanningRun.id != keep)
    result = db.session.execute(
        stmt.values(status="failed", finished_at=utcnow(), error="abandoned: the process running it stopped")
    )
    return result.rowcount


def _lock_is_free() -> bool:
    """Whether no process is planning now (a `running` run is then abandoned)."""
    with planning_lock() as lock:
        return bool(lock)


def runs_query(*, status: str | None = None, trigger: str | None = None):
    stmt = select(PlanningRun).order_by(PlanningRun.id.desc())
    if status:
        stmt = stmt.where(PlanningRun.status == status)
    if trigger:
        stmt = stmt.where(PlanningRun.trigger == trigger)
    return stmt


def count_runs(**filters) -> int:
    return db.session.scalar(select(func.count()).select_from(runs_query(**filters).subquery()))


def _default_snapshot() -> Callable:
    from planning.snapshot import build_snapshot

    return build_snapshot


def configured_solver() -> Callable:
    """The configured solver (`PLANNING_SOLVER`, an import path `module:function`); takt's own plans its parts
    where `PLANNER_CLUSTER` says (this machine by default, or a Dask cluster)."""
    path = current_app.config["PLANNING_SOLVER"]
    module, _, name = path.partition(":")
    solve = getattr(importlib.import_module(module), name)
    if path != DEFAULT_SOLVER:
        return solve
    from planning.executor import executor_for  # here: web workers never load the solver

    return functools.partial(solve, executor=executor_for(current_app.config.get("PLANNER_CLUSTER")))
