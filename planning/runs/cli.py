"""`flask planning run`: plan now from the shell."""

import json

import click
from flask.cli import with_appcontext

from core.db import db
from planning.runs import service


@click.command("run")
@click.option("--wait/--no-wait", default=True, help="execute here and wait (default), or only queue it")
@click.option("--budget", type=float, default=None, help="time budget in seconds (default 600)")
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
    click.echo(json.dumps({"run": run.id, "status": run.status, "kpis": run.kpis, "error": run.error}))
    if run.status != "succeeded":
        raise SystemExit(1)
