"""Releasing a published plan: its proposals become real purchase orders, production orders and shipments.

Each proposal is released once: the document made from it is recorded in its `released_ref`, under a
row lock on the run and its proposals, so two planners releasing at once create nothing twice.
Only the plan in force (`published_run()`) can be released: a superseded plan is 409 `plan_superseded`.
A proposal that is already released is skipped and reported; a selection with nothing left to
release is 409 `already_released` (`nothing_to_release` if it selects nothing at all).

What each kind of proposal becomes is its row of `planning.runs.proposals.KINDS`. Transfers and
deliveries reserve stock when released. A shipment whose stock is not there yet (the
plan expects it to arrive first) is created `planned` instead, to be released by hand later.
Deliveries are selected by order number: all of an order's planned deliveries go together.
"""

from sqlalchemy import select

from core.db import db
from core.errors import Conflict, Invalid
from planning.runs import service as runs_service
from planning.runs.models import PlanningRun
from planning.runs.proposals import KINDS


class PlanSuperseded(Conflict):
    code = "plan_superseded"


class AlreadyReleased(Conflict):
    code = "already_released"


def release_plan(*, run_id: int, selection: dict | str, user_id: int) -> dict:
    """Release the selected proposals of a run (`"all"`, or per kind a list of refs or `"all"`)."""
    run = _lock_run(run_id)
    _check_in_force(run)
    selection = {kind: "all" for kind in KINDS} if selection == "all" else selection
    picked = {kind: _pick(run, kind, selection.get(kind) or []) for kind in KINDS}
    created = {kind: [] for kind in KINDS}
    skipped = {kind: [] for kind in KINDS}
    for kind, rows in picked.items():
        for ref, row in rows:
            if row.released_ref:
                skipped[kind].append({"ref": ref, "released_ref": row.released_ref})
            else:
                created[kind].append(_release_one(kind, run, ref, row, user_id))
    if not any(created.values()):
        if not any(skipped.values()):
            raise Conflict(
                f"nothing to release: run {run.id} has no such proposals", code="nothing_to_release"
            )
        raise AlreadyReleased(
            "nothing to release: every selected proposal is already released", skipped=skipped
        )
    db.session.flush()
    return {"run": run.id, "created": created, "skipped": skipped}


def _lock_run(run_id: int) -> PlanningRun:
    runs_service.get_run(run_id)
    stmt = select(PlanningRun).where(PlanningRun.id == run_id).with_for_update()
    return db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one()


def _check_in_force(run: PlanningRun) -> None:
    if run.status != "succeeded":
        raise Conflict(f"planning run {run.id} is {run.status}: it has no plan", code="run_not_succeeded")
    current = runs_service.published_run()
    if current is not None and current.id != run.id:
        raise PlanSuperseded(
            f"the plan of run {run.id} is superseded by run {current.id}: release that plan instead",
            current_run=current.id,
        )


def _pick(run: PlanningRun, kind: str, refs) -> list[tuple[str, object]]:
    """The selected rows of one kind, locked, as (ref, row); 422 naming a ref the plan does not have."""
    rows = KINDS[kind].locked_rows(run.id)
    if refs == "all":
        return rows
    if not isinstance(refs, list):
        raise Invalid(kind, 'a list of refs or "all"')
    by_ref: dict[str, list] = {}
    for ref, row in rows:
        by_ref.setdefault(ref, []).append(row)
    unknown = sorted(set(refs) - set(by_ref))
    if unknown:
        raise Invalid(kind, f"run {run.id} has no {kind} {', '.join(unknown)}")
    return [(ref, row) for ref in dict.fromkeys(refs) for row in by_ref[ref]]


def _release_one(kind: str, run: PlanningRun, ref: str, row, user_id: int) -> dict:
    plan_ref = KINDS[kind].plan_ref(run.id, ref, row)
    document = KINDS[kind].release(row, ref=ref, plan_ref=plan_ref, user_id=user_id)
    row.released_ref = document.number
    return {"ref": ref, "number": document.number, "status": document.status}
