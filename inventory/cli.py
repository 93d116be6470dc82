"""`flask stock ...`: the stock ledger's shell commands."""

import click
from flask.cli import AppGroup

from inventory import checkpoints

stock_cli = AppGroup("stock", help="The stock ledger.")


@stock_cli.command("checkpoint")
def checkpoint_command():
    """Checkpoint every balance's on hand now (stock as of a later instant starts from it)."""
    checkpoint = checkpoints.checkpoint_now()
    if checkpoint is None:
        click.echo("the latest checkpoint is already this recent; none taken")
        return
    click.echo(
        f"checkpoint {checkpoint.id} at {checkpoint.taken_at.isoformat()}: "
        f"{checkpoint.entries_since_previous} ledger entries since the previous one"
    )
