"""Warehouse staff's pages: receive, issue, transfer and count, one form each, made for a barcode
scanner (it types a code and Enter: the focus moves on, Enter on the last field submits) and a phone.

Every form posts through `inventory.service.post_movements` — the one way stock changes — with the
API's own schema (`MovementInSchema`), so a page refuses exactly what the API refuses, and it carries an
idempotency key drawn with the form: a double submit or a retry books once.
"""

from dataclasses import dataclass

from flask import redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound

from core.auth import current_user_id, require_roles
from core.db import db
from core.pages import FormField, load_form, page_blueprint, page_write, refusal
from inventory import service
from inventory.models import StockMovement
from inventory.schemas import MovementInSchema

warehouse = page_blueprint("warehouse", __name__, url_prefix="/warehouse")
read = require_roles(sessions=True)
book = require_roles("warehouse", sessions=True)


@dataclass(frozen=True)
class Task:
    """One form: a movement kind and its fields in scanning order."""

    kind: str
    title: str
    verb: str
    fields: tuple[FormField, ...]

    @property
    def places(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.name.endswith("location"))


SKU, QUANTITY, REASON = (
    FormField("sku", "SKU"),
    FormField("quantity", "Quantity", "quantity"),
    FormField("reason", "Note", "text"),
)
TASKS = {
    task.kind: task
    for task in (
        Task(
            "receipt", "Receive", "Received", (SKU, FormField("location", "Into location"), QUANTITY, REASON)
        ),
        Task("issue", "Issue", "Issued", (SKU, FormField("location", "From location"), QUANTITY, REASON)),
        Task(
            "transfer",
            "Transfer",
            "Moved",
            (
                SKU,
                FormField("from_location", "From location"),
                FormField("to_location", "To location"),
                QUANTITY,
                REASON,
            ),
        ),
        Task(
            "count",
            "Count",
            "Counted",
            (SKU, FormField("location", "At location"), FormField("quantity", "Counted", "quantity"), REASON),
        ),
    )
}


@warehouse.app_context_processor
def _warehouse_tasks():
    return {"warehouse_tasks": TASKS.values()}


def _task(kind: str) -> Task:
    if kind not in TASKS:
        raise NotFound(f"no warehouse task {kind!r}")
    return TASKS[kind]


@warehouse.get("/")
@read
def home():
    return render_template("warehouse.html")


@warehouse.get("/<kind>")
@read
def task(kind: str):
    """The form, focused on its first field; after a booking, what was booked (its locations kept)."""
    done = request.args.get("done", type=int)
    booked = db.session.get(StockMovement, done) if done else None
    kept = {name: request.args.get(name, "") for name in _task(kind).places}
    return render_template("warehouse_task.html", task=_task(kind), values=kept, booked=booked)


def _refused(error, status):
    message, fields = refusal(error)
    task = _task(request.view_args["kind"])
    values = request.form.to_dict()
    page = render_template(
        "warehouse_task.html", task=task, values=values, error=message, field_errors=fields
    )
    return page, status


@warehouse.post("/<kind>")
@book
@page_write(_refused)
def post_task(kind: str):
    """Book the form's movement; 303 to the form again showing it (a replay answers the same 303)."""
    task = _task(kind)
    form = {**request.form.to_dict(), "kind": task.kind}
    movement = load_form(MovementInSchema(), form, numbers=("quantity",))
    posted = service.post_movement(user_id=current_user_id(), **movement)
    kept = {name: form.get(name, "") for name in task.places}
    return redirect(url_for("warehouse.task", kind=kind, done=posted.id, **kept), 303)
