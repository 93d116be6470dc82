"""The supplier portal page (a supplier's session; made for a phone as much as a desk) and the planner's
suppliers page, in the workspace's stack: Jinja, htmx, the session sign-in and CSRF of `planning.web`."""

from datetime import UTC, datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from core.auth import current_user_id, require_roles
from core.db import db
from core.errors import Invalid
from planning.web import serve_pages
from suppliers import acknowledge, forecast, impact, offers, portal
from suppliers.access import caller_supplier

pages = Blueprint(
    "suppliers_web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/portal-assets",
)
serve_pages(pages)
supplier_page = require_roles("supplier", sessions=True)
planner_reads = require_roles("planner", sessions=True)


@pages.get("/portal")
@supplier_page
def portal_page():
    supplier = caller_supplier()
    return render_template(
        "portal.html",
        supplier=supplier,
        orders=portal.open_orders(supplier),
        pending=portal.pending_proposals(supplier_id=supplier.id),
        shipments=portal.shipments_underway(supplier),
        forecast=forecast.supplier_forecast(supplier),
    )


@pages.post("/portal/orders/<number>")
@supplier_page
def acknowledge_order(number: str):
    """Accept, reject (a reason) or propose one new date (and quantity) for every line of an order."""
    decision = request.form.get("decision", "")
    if decision not in acknowledge.ANSWERS:
        raise Invalid("decision", "accept, reject or propose")
    supplier = caller_supplier()
    deliveries = _proposed_deliveries(number, supplier) if decision == "propose" else None
    acknowledge.acknowledge(
        number=number,
        supplier=supplier,
        decision=decision,
        user_id=current_user_id(),
        reason=request.form.get("reason") or None,
        deliveries=deliveries,
    )
    db.session.commit()
    flash(f"{number}: {decision} sent.", "ok")
    return redirect(url_for("suppliers_web.portal_page"))


def _proposed_deliveries(number: str, supplier) -> list[dict]:
    order = acknowledge.supplier_order(number, supplier)
    try:
        day = datetime.fromisoformat(request.form.get("arrive_on", "")).replace(tzinfo=UTC)
    except ValueError:
        raise Invalid("arrive_on", "a date (YYYY-MM-DD)") from None
    share = request.form.get("qty_percent") or "100"
    if not share.isdigit() or not 0 < int(share) <= 100:
        raise Invalid("qty_percent", "a whole percentage from 1 to 100")
    return [
        {"line": line.line_no, "qty": line.qty * int(share) / 100, "arrive_at": day} for line in order.lines
    ]


@pages.get("/portal/forecast.csv")
@supplier_page
def forecast_csv():
    text = forecast.forecast_csv(forecast.supplier_forecast(caller_supplier()))
    return Response(
        text, mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=forecast.csv"}
    )


@pages.get("/purchasing/suppliers")
@planner_reads
def planner_page():
    moved = impact.moved_purchase_orders()
    return render_template(
        "planner_suppliers.html",
        pending=portal.pending_proposals(),
        moved=moved,
        at_risk=impact.orders_at_risk(moved),
    )


@pages.post("/purchasing/responses/<id:response_id>")
@planner_reads
def decide_response(response_id: int):
    accept = request.form.get("decision") == "accept"
    acknowledge.decide_proposal(
        response_id=response_id,
        accept=accept,
        user_id=current_user_id(),
        note=request.form.get("note") or None,
    )
    db.session.commit()
    flash(f"Proposal {response_id} {'accepted' if accept else 'refused'}.", "ok")
    return redirect(url_for("suppliers_web.planner_page"))


@pages.post("/purchasing/offer-proposals/<id:proposal_id>")
@planner_reads
def decide_offer(proposal_id: int):
    approve = request.form.get("decision") == "approve"
    offers.decide_offer_proposal(
        proposal_id=proposal_id,
        approve=approve,
        user_id=current_user_id(),
        note=request.form.get("note") or None,
    )
    db.session.commit()
    flash(f"Offer proposal {proposal_id} {'approved' if approve else 'refused'}.", "ok")
    return redirect(url_for("suppliers_web.planner_page"))
