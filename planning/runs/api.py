"""Planning runs over HTTP: trigger (for an external scheduler), list, inspect, download, simulate."""

from flask import request
from flask.views import MethodView

from core.api import Blueprint, SelectPage
from core.auth import current_principal, current_user_id
from core.errors import NotFound
from core.guards import body_limit
from planning.runs import release, service, simulations
from planning.runs.publish import plan_document
from planning.runs.schemas import (
    ChangesQueryArgsSchema,
    ProgressSchema,
    PromiseChangeSchema,
    ReleaseSchema,
    RunQueryArgsSchema,
    RunRequestSchema,
    RunSchema,
    SimulateQueryArgsSchema,
    SimulationResultSchema,
    SimulationSchema,
)

blp = Blueprint(
    "planning_runs", __name__, url_prefix="/api/v1/planning", description="Planning runs and plans"
)

TRIGGERERS = ("scheduler", "planner")


@blp.route("/runs")
class Runs(MethodView):
    @blp.requires()
    @blp.arguments(RunQueryArgsSchema, location="query")
    @blp.response(200, RunSchema(many=True))
    @blp.paginate(SelectPage, page_size=20, max_page_size=200)
    def get(self, args):
        """Planning runs, newest first."""
        return service.runs_query(**args)

    @blp.requires(*TRIGGERERS)
    @blp.writes(idempotent=True)
    @blp.arguments(RunRequestSchema, required=False)
    @blp.response(202, RunSchema)
    @blp.errors(409)
    def post(self, args):
        """Queue a planning run (the scheduler process executes it); 409 naming the run in progress."""
        return service.request_run(trigger="api", user_id=current_user_id(), **(args or {}))


@blp.route("/runs/<id:run_id>")
class RunById(MethodView):
    @blp.requires()
    @blp.response(200, RunSchema)
    @blp.errors(404)
    def get(self, run_id):
        return service.get_run(run_id)


@blp.route("/runs/<id:run_id>/progress")
class RunProgress(MethodView):
    @blp.requires()
    @blp.response(200, ProgressSchema)
    @blp.errors(404)
    def get(self, run_id):
        """Phase, best cost so far and elapsed seconds of a run."""
        return service.get_run(run_id)


@blp.route("/runs/<id:run_id>/changes")
class RunChanges(MethodView):
    @blp.requires()
    @blp.arguments(ChangesQueryArgsSchema, location="query")
    @blp.response(200, PromiseChangeSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=500)
    @blp.errors(404)
    def get(self, args, run_id, pagination_parameters):
        """The orders whose promise this run's plan moved from the one they had in the plan published
        before it (later, earlier, or confirmed <-> unconfirmed), by order number; each names the purchase
        order lines its old promise relied on that their supplier has moved since (`because`). Empty for a
        run not published or the first one; 404 until the run succeeded."""
        rows, total = service.promise_changes(
            run_id,
            direction=args.get("direction", ""),
            q=args.get("q", ""),
            first=pagination_parameters.first_item,
            size=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return rows


@blp.route("/runs/<id:run_id>/plan")
class RunPlan(MethodView):
    @blp.requires()
    @blp.response(200)
    @blp.errors(404)
    def get(self, run_id):
        """The run's plan in the `supply-plan/1` contract's JSON (404 until the run succeeded)."""
        return plan_document(service.planned_run(run_id))


@blp.route("/runs/<id:run_id>/release")
class RunRelease(MethodView):
    @blp.requires("planner")
    @blp.writes(idempotent=True)
    @blp.arguments(ReleaseSchema)
    @blp.response(200)
    @blp.errors(404, 409)
    def post(self, args, run_id):
        """Release a selection of the plan's proposals as purchase orders, production orders and shipments.

        Already released proposals are skipped (listed under `skipped`); 409 `already_released` when
        nothing is left, 409 `plan_superseded` when a newer run's plan is in force.
        """
        return release.release_plan(run_id=run_id, selection=args, user_id=current_user_id())


@blp.route("/runs/<id:run_id>/snapshot")
class RunSnapshot(MethodView):
    @blp.requires()
    @blp.response(200)
    @blp.errors(404)
    def get(self, run_id):
        """The snapshot the run planned from."""
        run = service.get_run(run_id)
        if run.snapshot is None:
            raise NotFound(f"planning run {run_id} has no snapshot yet")
        return run.snapshot


SIMULATORS = ("planner", "scheduler")


@blp.route("/simulate")
class Simulate(MethodView):
    @blp.requires(*SIMULATORS)
    @blp.writes()
    @blp.arguments(SimulateQueryArgsSchema, location="query")
    @blp.response(202, SimulationSchema)
    @blp.errors(413, 422, 429)
    @body_limit("PLANNING_SIMULATE_MAX_BYTES")  # also when the body is sent chunked, without a length
    def post(self, args):
        """Queue a what-if: a posted `supply-plan/1` snapshot, planned by the scheduler process (poll
        `GET simulations/{id}`); 429 while the caller has `SCM_PLANNING_SIMULATIONS_PER_USER` waiting."""
        return simulations.queue_simulation(
            request.get_json(silent=True), time_limit_s=args["time_limit_s"], user_id=current_user_id()
        )


@blp.route("/simulations/<id:job_id>")
class SimulationById(MethodView):
    @blp.requires(*SIMULATORS)
    @blp.response(200, SimulationResultSchema)
    @blp.errors(404)
    def get(self, job_id):
        """A what-if of the caller's (an admin's: anyone's): its status, and its plan once succeeded."""
        principal = current_principal()
        return simulations.get_simulation(job_id, user_id=principal.id, sees_all="admin" in principal.roles)
