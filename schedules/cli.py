"""`flask schedules run`: the one scheduler process (APScheduler 3, never inside web workers)."""

import logging
import signal
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
        scheduler.shutdown(wait=False)


def _stop(signum, frame):
    raise SystemExit(0)


def _stop_on_signals() -> None:
    """Stop cleanly on SIGTERM (systemd, Kubernetes) and on SIGINT, even when started with SIGINT ignored
    (a background job of a non-interactive shell inherits that)."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _in_context(app, job):
    """A job that owns its app context and session: commits inside, always cleaned up."""

    def run():
        with app.app_context():
            try:
                job()
            except Exception:
                log.exception("scheduled job %s failed", job.__name__)
            finally:
                from core.db import db

                db.session.remove()

    run.__name__ = job.__name__
    return run
