"""Shell commands of planning: `flask planning snapshot [--at ISO] > s.json`."""

import json
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from core.db import utcnow
from planning.runs.cli import run_command
from planning.snapshot import build_snapshot

planning_cli = AppGroup("planning", help="Planning: the snapshot and planning runs.")


def _instant(_ctx, _param, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as e:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time") from e
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@planning_cli.command("snapshot")
@click.option("--at", callback=_instant, help="the plan's start, ISO 8601 (default: now; no offset: UTC)")
def snapshot_command(at):
    """Print the planner's input (contract supply-plan/1) built from the database, as JSON."""
    click.echo(json.dumps(build_snapshot(at=at or utcnow()), indent=2))


planning_cli.add_command(run_command)
