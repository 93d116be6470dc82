"""Planning events: a plan was published, for the domains above that keep something derived from it.

Published through `core.events` inside the publish transaction (`publish.write_plan`): a handler that
raises fails the publish, and nothing of it is kept.
"""

from dataclasses import dataclass

from planning.runs.models import PlanningRun


@dataclass(frozen=True)
class PlanPublished:
    """`run`'s plan (contract JSON, its snapshot in `run.snapshot`) is being published: it is in force
    from the commit."""

    run: PlanningRun
    plan: dict
