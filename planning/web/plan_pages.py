"""A run's plan: KPI tiles and cost split, tables with CSV, Gantt, projected stock, an order's
explanation and supply chain, the changes since the previous plan, and release."""

from datetime import UTC, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core.auth import current_principal
from core.db import db
from planning.runs import release as release_service
from planning.runs import service as runs_service
from planning.runs.changes import plan_changes, supply_chain
from planning.runs.costs import cost_split, stock_projection
from planning.runs.models import PlanningRun
from planning.runs.publish import plan_document
from planning.web import web
from planning.web.charts import Bar, calendar_shades, gantt_svg, stock_svg
from planning.web.pages import act, read
from planning.web.tables import COLUMNS, TAB_TABLES, TABS, table_csv, table_rows


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


@web.get("/runs/<id:run_id>")
@read
def plan(run_id: int):
    run = _planned_run(run_id)
    tab = request.args.get("tab", "confirmations")
    if tab not in TABS:
        abort(404)
    costs = cost_split(run.snapshot, plan_document(run)) if run.snapshot else None
    tables = [(kind, COLUMNS[kind], table_rows(run, kind)) for kind in TAB_TABLES[tab]]
    return render_template("plan.html", **_context(run, tab), costs=costs, tables=tables)


@web.get("/runs/<id:run_id>/<tab>.csv")
@read
def plan_csv(run_id: int, tab: str):
    if tab not in TABS:
        abort(404)
    filename = f"run-{run_id}-{tab}.csv"
    return Response(
        table_csv(_planned_run(run_id), tab),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@web.get("/runs/<id:run_id>/gantt")
@read
def gantt(run_id: int):
    run = _planned_run(run_id)
    production = [
        Bar(p.resource, p.start_at, p.end_at, f"{p.ref} {p.qty:g} {p.sku}", "production")
        for p in run.productions
    ]
    moves = [
        Bar(
            f"{p.supplier} → {p.location}", p.order_at, p.receive_at, f"{p.ref} {p.qty:g} {p.sku}", "purchase"
        )
        for p in run.purchases
    ] + [
        Bar(
            f"{t.from_location} → {t.to_location} ({t.mode})",
            t.depart_at,
            t.arrive_at,
            f"{t.ref} {t.qty:g} {t.sku}",
            "transfer",
        )
        for t in run.transfers
    ]
    charts = {
        "Production per resource": gantt_svg(
            sorted(production, key=lambda b: b.row),
            shades=calendar_shades((run.snapshot or {}).get("resources") or []),
        ),
        "Purchases and transfers": gantt_svg(moves),
    }
    return render_template("gantt.html", **_context(run, "gantt"), charts=charts)


@web.get("/runs/<id:run_id>/stock")
@read
def projected_stock(run_id: int):
    run = _planned_run(run_id)
    snapshot = run.snapshot or {}
    skus = [i["sku"] for i in snapshot.get("items") or []]
    locations = [loc["code"] for loc in snapshot.get("locations") or []]
    busy = _busiest_place(run)
    sku = request.args.get("sku") or busy[0] or (skus[0] if skus else "")
    location = request.args.get("location") or busy[1] or (locations[0] if locations else "")
    chart, points = None, []
    if sku and location and snapshot:
        raw = stock_projection(snapshot, plan_document(run), sku=sku, location=location)
        points = [(datetime.fromtimestamp(at, UTC), balance) for at, balance in raw]
        until = run.plan_start + timedelta(days=snapshot.get("horizon_days", 60))
        chart = stock_svg(points, until=until)
    return render_template(
        "stock_chart.html",
        **_context(run, "stock"),
        skus=skus,
        locations=locations,
        sku=sku,
        location=location,
        chart=chart,
        points=points,
    )


def _busiest_place(run: PlanningRun) -> tuple[str | None, str | None]:
    """The (sku, location) the plan moves most often: a telling default for the stock chart."""
    places = [(t.sku, t.to_location) for t in run.transfers] + [(p.sku, p.location) for p in run.purchases]
    places += [(d.sku, d.from_location) for c in run.confirmations for d in c.deliveries]
    return max(places, key=places.count) if places else (None, None)


@web.get("/runs/<id:run_id>/orders/<number>")
@read
def order_explanation(run_id: int, number: str):
    run = _planned_run(run_id)
    conf = next((c for c in run.confirmations if c.order_number == number), None)
    if conf is None:
        abort(404, f"order {number} is not in the plan of run {run_id}")
    chain = supply_chain(plan_document(run), run.snapshot or {}, number)
    order = next((o for o in (run.snapshot or {}).get("orders") or [] if o["id"] == number), None)
    return render_template(
        "order_plan.html", **_context(run, "confirmations"), conf=conf, chain=chain, order=order
    )


def _previous_published(run: PlanningRun) -> PlanningRun | None:
    stmt = (
        select(PlanningRun)
        .where(PlanningRun.published_at.is_not(None), PlanningRun.published_at < run.published_at)
        .order_by(PlanningRun.published_at.desc(), PlanningRun.id.desc())
    )
    return db.session.scalars(stmt).first()


@web.get("/runs/<id:run_id>/changes")
@read
def changes(run_id: int):
    run = _planned_run(run_id)
    previous = _previous_published(run)
    diff = plan_changes(plan_document(previous), plan_document(run)) if previous else None
    return render_template("changes.html", **_context(run, "changes"), previous=previous, diff=diff)


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
