"""`flask planning run`: plan now from the shell."""

import json

import click
from flask.cli import with_appcontext

from core.db import db
from planning.runs import service


@click.command("run")
@click.option("--wait/--no-wait", default=True, help="execute here and wait (default), or only queue it")
@click.option(
    "--budget",
    type=float,
    default=None,
    help="time budget in seconds (default and cap: SCM_PLANNING_RUN_BUDGET_SECONDS where it executes)",
)
@with_appcontext
def run_command(wait, budget):
    """Run the planner over every open accepted order and publish the plan."""
    try:
        run = service.request_run(trigger="cli", time_budget_s=budget)
        db.session.commit()
    except service.RunInProgress as error:
        raise click.ClickException(error.message) from error
    if not wait:
        click.echo(f"run {run.id} queued")
        return
    run = service.execute_run(run.id)
    outcome = {"run": run.id, "status": run.status, "time_budget_s": run.time_budget_s, "kpis": run.kpis}
    click.echo(json.dumps({**outcome, "error": run.error}))
    if run.status != "succeeded":
        raise SystemExit(1)
