"""Demo data and a published plan over it, for release and workspace tests."""

from flask import current_app

from core.db import db
from planning.runs import service as runs_service
from tests import planning_fakes as fakes
from tests.factories import make_user


def load_demo() -> int:
    """Load every domain's demo data; return the id of the planner who loaded it."""
    planner = make_user("planner")
    for load in current_app.extensions["takt_demo_loaders"]:
        load(user_id=planner.id)
    db.session.flush()
    return planner.id


def publish_greedy_run(*, user_id: int | None = None) -> int:
    """Queue and execute a run planned by the greedy fake over the database's snapshot; its id."""
    from planning.snapshot import build_snapshot

    run = runs_service.request_run(trigger="api", user_id=user_id)
    db.session.commit()
    return runs_service.execute_run(run.id, build_snapshot=build_snapshot, solve=fakes.greedy_plan).id
