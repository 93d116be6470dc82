"""A run's plan: KPI tiles and cost split, tables with CSV, an order's explanation and supply chain, the
changes since the previous plan, and release (its Gantt and projected stock: `chart_pages`)."""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core.auth import current_principal
from core.db import db
from orders.models import CustomerOrder
from planning.runs import release as release_service
from planning.runs import service as runs_service
from planning.runs.changes import moved_receipts, promise_move, relied_on
from planning.runs.costs import run_costs
from planning.runs.lists import (
    PlanTable,
    changed_promises,
    changed_proposals,
    confirmations_table,
    proposals_table,
)
from planning.runs.models import PlannedConfirmation, PlanningRun
from planning.runs.pegging import order_supply
from planning.runs.publish import plan_document
from planning.web import web
from planning.web.listing import Listing, arg, chosen_sort, csv_response, ordered, page_of, streamed
from planning.web.pages import act, read
from planning.web.tables import COLUMNS, TAB_TABLES, TABS


def _planned_run(run_id: int) -> PlanningRun:
    run = runs_service.get_run(run_id)
    if run.status != "succeeded":
        abort(404, f"planning run {run_id} is {run.status}: it has no plan")
    return run


def _context(run: PlanningRun, tab: str) -> dict:
    published = runs_service.published_run()
    return {
        "run": run,
        "tab": tab,
        "tabs": TABS,
        "superseded_by": published.id if published and published.id != run.id else None,
    }


def _plan_table(run_id: int, kind: str, prefix: str) -> PlanTable:
    """The table `kind` of the run's plan, filtered as the query string asks (under `prefix`)."""
    if kind == "confirmations":
        filters = {k: arg(k, prefix) for k in ("status", "late", "sku", "location")}
        return confirmations_table(run_id, **filters, q=arg("q", prefix))
    filters = {k: arg(k, prefix) for k in ("sku", "location", "released")}
    return proposals_table(run_id, kind, **filters, q=arg("q", prefix))


def _prefix(tab: str, kind: str) -> str:
    return f"{kind}." if len(TAB_TABLES[tab]) > 1 else ""


def _listed(run_id: int, tab: str, kind: str) -> Listing:
    prefix = _prefix(tab, kind)
    table = _plan_table(run_id, kind, prefix)
    filters = {k: arg(k, prefix) for k in ("status", "late", "sku", "location", "released")}
    return page_of(
        table.stmt,
        sorts=table.sorts,
        default=table.default,
        tiebreak=table.tiebreak,
        prefix=prefix,
        filters=filters,
        entities=False,
    )


@web.get("/runs/<id:run_id>")
@read
def plan(run_id: int):
    run = _planned_run(run_id)
    tab = request.args.get("tab", "confirmations")
    if tab not in TABS:
        abort(404)
    tables = [(kind, COLUMNS[kind], _listed(run.id, tab, kind)) for kind in TAB_TABLES[tab]]
    args = {k: v for k, v in request.args.items() if k != "tab"}
    csv_url = url_for("web.plan_csv", run_id=run.id, tab=tab, **args)
    return render_template(
        "plan.html", **_context(run, tab), costs=run_costs(run), tables=tables, csv_url=csv_url
    )


@web.get("/runs/<id:run_id>/<tab>.csv")
@read
def plan_csv(run_id: int, tab: str):
    """A tab's tables, filtered and sorted as on the page, every row (distribution: a `kind` column)."""
    if tab not in TABS:
        abort(404)
    run = _planned_run(run_id)
    kinds = TAB_TABLES[tab]
    keys = list(dict.fromkeys(key for kind in kinds for key, _ in COLUMNS[kind]))
    many = len(kinds) > 1

    def rows():
        for kind in kinds:
            prefix = _prefix(tab, kind)
            table = _plan_table(run.id, kind, prefix)
            sort = chosen_sort(table.sorts, table.default, prefix)
            stmt = ordered(table.stmt, table.sorts, sort, table.tiebreak)
            for row in streamed(stmt, entities=False):
                yield ([kind] if many else []) + [row.get(key) for key in keys]

    return csv_response(f"run-{run_id}-{tab}.csv", (["kind"] if many else []) + keys, rows)


@web.get("/runs/<id:run_id>/orders/<number>")
@read
def order_explanation(run_id: int, number: str):
    run = _planned_run(run_id)
    conf = db.session.scalar(
        select(PlannedConfirmation).where(
            PlannedConfirmation.run_id == run.id, PlannedConfirmation.order_number == number
        )
    )
    if conf is None:
        abort(404, f"order {number} is not in the plan of run {run_id}")
    chain, hidden = order_supply(run, conf)
    order = db.session.scalar(select(CustomerOrder).where(CustomerOrder.number == number))
    return render_template(
        "order_plan.html",
        **_context(run, "confirmations"),
        conf=conf,
        chain=chain,
        hidden=hidden,
        order=order,
    )


CHANGED_PROPOSALS = {
    "purchases-new": ("purchases", "new", "Purchase proposals new"),
    "purchases-removed": ("purchases", "removed", "Purchase proposals removed"),
    "productions-new": ("productions", "new", "Production proposals new"),
    "productions-removed": ("productions", "removed", "Production proposals removed"),
}


@web.get("/runs/<id:run_id>/changes")
@read
def changes(run_id: int):
    """Orders whose promise moved (`show` absent) or one kind of proposal new or removed (`show`), paged."""
    run = _planned_run(run_id)
    previous = runs_service.previous_published(run)
    show = arg("show") if arg("show") in CHANGED_PROPOSALS else ""
    listing, keys = None, []
    if previous and show:
        kind, change, _ = CHANGED_PROPOSALS[show]
        table = changed_proposals(run.id, previous.id, kind, change)
        keys = list(table.sorts)
    elif previous:
        table = changed_promises(run.id, direction=arg("direction"), q=arg("q"))
    if previous:
        listing = page_of(
            table.stmt,
            sorts=table.sorts,
            default=table.default,
            tiebreak=table.tiebreak,
            entities=False,
            filters={"direction": arg("direction")},
        )
    receipts, because = [], {}
    if previous and not show:
        # receipts a supplier moved since the previous plan, and the orders on this page that relied on them
        receipts = moved_receipts(previous.snapshot or {}, run.snapshot or {})
        if receipts and listing.rows:
            orders = [row["order"] for row in listing.rows]
            because = relied_on(plan_document(previous), previous.snapshot or {}, orders, receipts)
    return render_template(
        "changes.html",
        receipts=receipts,
        because=because,
        **_context(run, "changes"),
        previous=previous,
        lst=listing,
        show=show,
        views=CHANGED_PROPOSALS,
        keys=keys,
        promise_move=promise_move,
    )


@web.post("/runs/<id:run_id>/release")
@act
def release(run_id: int):
    """Release the whole plan (`all`) or the refs ticked in one table (`kind` and `ref`s)."""
    if request.form.get("all"):
        selection = "all"
    else:
        kind = request.form.get("kind", "")
        refs = request.form.getlist("ref")
        if kind not in release_service.KINDS or not refs:
            flash("Tick at least one proposal to release.", "error")
            return redirect(request.referrer or url_for("web.plan", run_id=run_id))
        selection = {kind: refs}
    result = release_service.release_plan(run_id=run_id, selection=selection, user_id=current_principal().id)
    db.session.commit()
    flash(_released_message(result), "ok")
    return redirect(request.referrer or url_for("web.plan", run_id=run_id))


def _released_message(result: dict) -> str:
    created = [c for rows in result["created"].values() for c in rows]
    planned = [c["number"] for c in created if c["status"] == "planned"]
    skipped = sum(len(rows) for rows in result["skipped"].values())
    numbers = ", ".join(c["number"] for c in created[:12]) + (" …" if len(created) > 12 else "")
    text = f"Released {len(created)}: {numbers}."
    if planned:
        text += f" {len(planned)} shipment(s) wait for stock and stay planned (release them when it arrives)."
    if skipped:
        text += f" {skipped} already released, skipped."
    return text
