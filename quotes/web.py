"""The quote form in the workspace: sales staff (and planners) ask for a promise and may hold it."""

from datetime import UTC, datetime

from flask import jsonify, render_template, request
from marshmallow import ValidationError

from core.auth import current_principal, require_roles
from core.db import db
from core.errors import DomainError
from core.pages import KEY_FIELD
from core.transaction import transactional
from planning.web import web
from quotes import service
from quotes.schemas import QuoteInSchema, QuoteSchema

sell = require_roles("sales", "planner", sessions=True)


@web.get("/quote")
@sell
def quote_form():
    return render_template("quote.html", form={"priority": "2", "ship_complete": True})


@web.post("/quote")
@sell
def quote_post():
    """The answer as a fragment (htmx) or the page with it; a refusal names the field and the reason. A
    hold creates an order: once per the form's idempotency key (a double submit or a retry shows the same
    order again), and the answer brings the form a fresh key for the next one."""
    form = request.form
    fragment = bool(request.headers.get("HX-Request"))
    template = "_quote.html" if fragment else "quote.html"
    try:
        data = QuoteInSchema().load(_payload(form))
        if data.get("hold"):
            answer = _held(data).get_json()
        else:
            answer = service.quote(data, user_id=current_principal().id)
            db.session.rollback()  # a quote without a hold changes nothing
    except (ValidationError, DomainError) as error:
        db.session.rollback()
        return render_template(template, form=form, error=_message(error)), getattr(error, "status", 422)
    return render_template(template, form=form, answer=answer, fresh_key=fragment)


@transactional(key_required=True, form_field=KEY_FIELD)
def _held(data: dict):
    """The held quote's answer as the API gives it, stored under the form's key (a replay answers it)."""
    return jsonify(QuoteSchema().dump(service.quote(data, user_id=current_principal().id)))


def _payload(form) -> dict:
    """The form as the API's quote body (`lines`: one `SKU QTY` a line)."""
    lines = []
    for number, text in enumerate(form.get("lines", "").splitlines(), start=1):
        parts = text.split()
        if parts:
            try:
                qty = float(parts[1]) if len(parts) > 1 else 0.0
            except ValueError:
                raise ValidationError({"lines": [f"line {number}: each line is 'SKU QUANTITY'"]}) from None
            lines.append({"sku": parts[0], "quantity": int(qty) if qty.is_integer() else qty})
    body = {
        "priority": int(form.get("priority") or 2),
        "ship_complete": form.get("ship_complete") == "on",
        "hold": form.get("hold") == "on",
        "lines": lines,
    }
    for name in ("customer", "region"):
        if form.get(name, "").strip():
            body[name] = form[name].strip()
    if form.get("requested_at"):
        moment = datetime.fromisoformat(form["requested_at"]).replace(tzinfo=UTC)
        body["requested_at"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return body


def _message(error: ValidationError | DomainError) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{field}: {reasons}" for field, reasons in error.messages.items())
    return error.message
