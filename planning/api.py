"""The planning snapshot over HTTP: the planner's input built from the database.

Its view joins the orders' blueprint (`orders/api.py`): one OpenAPI tag, `planning`, since v1.
"""

from flask.views import MethodView

from core.db import utcnow
from orders.api import blp
from planning.schemas import SnapshotQueryArgsSchema
from planning.snapshot import build_snapshot

SNAPSHOT_READERS = ("planner", "scheduler")


@blp.route("/planning/snapshot")
class Snapshot(MethodView):
    @blp.requires(*SNAPSHOT_READERS)
    @blp.arguments(SnapshotQueryArgsSchema, location="query")
    @blp.response(200)
    def get(self, args):
        """The planner's input (contract `supply-plan/1`) built from the database at `at` (default now)."""
        return build_snapshot(at=args.get("at") or utcnow())
