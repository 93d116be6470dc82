"""`flask schedules run`: the one scheduler process (APScheduler 3, never inside web workers)."""

import logging
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from flask.cli import AppGroup

from core.config import MissingSecretKey, require_secret_key
from core.observability import configure_logging
from schedules import metrics, service

schedules_cli = AppGroup("schedules", help="The planning scheduler.")
log = logging.getLogger(__name__)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # cycles are aligned to midnight UTC
# APScheduler logs every job's start and finish at INFO (two lines per job every few seconds)
APSCHEDULER_JOB_LOG = "apscheduler.executors.default"


@schedules_cli.command("run")
@click.option(
    "--plan-at-start/--no-plan-at-start",
    default=True,
    help="plan the current cycle at once if it has no run yet (catch-up)",
)
@click.option("--metrics-port", type=int, default=9102, help="serve Prometheus metrics here (0: off)")
def run_scheduler(plan_at_start, metrics_port):
    """Plan every cycle (SCM_PLANNING_INTERVAL_MINUTES, default 120) and execute queued runs."""
    app = current_app._get_current_object()
    try:
        require_secret_key(app.config)
    except MissingSecretKey as missing:
        raise click.ClickException(str(missing)) from missing
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    logging.getLogger(APSCHEDULER_JOB_LOG).setLevel(logging.WARNING)  # our jobs say when they did work
    _stop_on_signals()
    if metrics_port:
        metrics.serve(metrics_port)
    interval = app.config["PLANNING_INTERVAL_MINUTES"]
    period = max(1, round(interval * 60))
    scheduler = BlockingScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": max(1, period // 2)},
    )
    # catch-up runs as the job's first turn, not in this thread: the main thread only ever waits in the
    # scheduler's loop, where a signal stops it cleanly
    first = {"next_run_time": datetime.now(UTC)} if plan_at_start else {}
    scheduler.add_job(
        _in_context(app, service.plan_current_cycle),
        IntervalTrigger(seconds=period, start_date=EPOCH, timezone=UTC),
        id="plan-cycle",
        **first,
    )
    scheduler.add_job(
        _in_context(app, service.execute_queued_runs),
        IntervalTrigger(seconds=app.config["PLANNING_QUEUE_POLL_SECONDS"], timezone=UTC),
        id="queued-runs",
    )
    scheduler.add_job(  # what-ifs beside the runs: a long run does not hold them up
        _in_context(app, service.execute_queued_simulations),
        IntervalTrigger(seconds=app.config["PLANNING_QUEUE_POLL_SECONDS"], timezone=UTC),
        id="simulations",
    )
    scheduler.add_job(
        _in_context(app, service.deliver_webhooks),
        IntervalTrigger(seconds=app.config["WEBHOOK_POLL_SECONDS"], timezone=UTC),
        id="webhooks",
    )
    scheduler.add_job(
        _in_context(app, service.checkpoint_stock),
        IntervalTrigger(seconds=app.config["STOCK_CHECKPOINT_POLL_SECONDS"], timezone=UTC),
        id="stock-checkpoints",
    )
    scheduler.add_job(
        _in_context(app, service.resume_count_jobs),
        IntervalTrigger(seconds=60, timezone=UTC),
        id="count-jobs",
    )
    click.echo(f"scheduler: planning every {interval} min (aligned to 00:00 UTC); Ctrl-C stops")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        _stop_now(scheduler, float(app.config["SCHEDULER_STOP_GRACE_SECONDS"]))


def _stop_now(scheduler, grace_s: float) -> None:
    """Stop the scheduler: start no job, give a job still working (a run planning or publishing) `grace_s`
    to finish, then leave it behind and exit at once.

    Python's own exit would wait for that job however long it takes, and a second signal (make's `kill 0`
    after Ctrl-C) would then tear the interpreter down under OR-Tools' native threads: the `Segmentation
    fault` that ended `make run`. Further signals are ignored while waiting. Leaving is safe: the run's
    transaction is rolled back and its planning lock released with the connection, the solver's worker
    processes die with this one, and the next run marks the run left behind failed (`fail_abandoned_runs`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second signal must not interrupt the stop
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    scheduler.shutdown(wait=False)
    busy = [
        t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]
    if busy:
        click.echo(f"scheduler stopping: waiting up to {grace_s:g} s for {len(busy)} job(s) to finish")
        deadline = time.monotonic() + grace_s
        for thread in busy:
            thread.join(max(0.0, deadline - time.monotonic()))
        busy = [t for t in busy if t.is_alive()]
    if not busy:
        click.echo("scheduler stopped")
        return
    click.echo(
        f"scheduler stopped; {len(busy)} job(s) left unfinished (a run left planning is marked failed)"
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _stop(signum, frame):
    raise SystemExit(0)


def _stop_on_signals() -> None:
    """Stop cleanly on SIGTERM (systemd, Kubernetes) and on SIGINT, even when started with SIGINT ignored
    (a background job of a non-interactive shell inherits that)."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def did_work(result) -> bool:
    """Whether a job's result says it did something: a run, a list of them, a count above zero."""
    if isinstance(result, dict):
        return any(result.values())
    return bool(result)


def _in_context(app, job):
    """A job that owns its app context and session: commits inside, always cleaned up; logged at INFO
    when it did work (with its result and seconds), at DEBUG when it found nothing to do."""

    def run():
        started = time.monotonic()
        with app.app_context():
            try:
                result = job()
            except Exception:
                log.exception("scheduled job %s failed", job.__name__)
            else:
                level = logging.INFO if did_work(result) else logging.DEBUG
                seconds = round(time.monotonic() - started, 3)
                log.log(
                    level, "job %s done in %s s", job.__name__, seconds, extra={"result": _summary(result)}
                )
            finally:
                from core.db import db

                db.session.remove()

    run.__name__ = job.__name__
    return run


def _summary(result):
    if isinstance(result, dict):
        return result
    if isinstance(result, list):
        return len(result)
    return getattr(result, "id", None)
