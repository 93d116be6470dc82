"""Receiving a purchase order in the warehouse: scan the order's number, the sku, the quantity.

The page receives through `procurement.service.receive_purchase_order_line` (the API's way: a ledger
receipt, the order's status, the over-receipt check), on the first line of that sku still open.
"""

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from core.auth import current_user_id, require_roles
from core.db import db
from core.pages import FormField, load_form, page_blueprint, page_write, refusal
from procurement import service
from procurement.models import PurchaseOrder
from procurement.schemas import PurchaseReceiptSchema, RefField

receiving = page_blueprint("receiving", __name__, url_prefix="/warehouse/purchase-orders")
read = require_roles(sessions=True)
receive_stock = require_roles("warehouse", sessions=True)


FIELDS = (
    FormField("number", "Purchase order"),
    FormField("sku", "SKU"),
    FormField("quantity", "Quantity", "quantity"),
)


class ReceiptFormSchema(PurchaseReceiptSchema):
    """The API's receipt (its quantity and rules) plus the order and the sku scanned."""

    number = RefField(required=True)
    sku = RefField(required=True)


def _quantity_key() -> str:
    """The receipt schema's quantity field as the API names it in a request."""
    (name, field), *_ = PurchaseReceiptSchema().load_fields.items()
    return field.data_key or name


def _order(number: str) -> PurchaseOrder | None:
    return db.session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == number)) if number else None


def _page(values: dict, status: int = 200, **shown):
    order = _order(values.get("number", ""))
    page = render_template("receive_po.html", fields=FIELDS, values=values, order=order, **shown)
    return page, status


@receiving.get("/receive")
@read
def receive():
    """The form; after a receipt, what was received (the order kept: scan the next sku)."""
    values = {"number": request.args.get("number", "")}
    received = (
        {k: request.args.get(k) for k in ("sku", "quantity", "line")} if request.args.get("line") else None
    )
    return _page(values, received=received)


@receiving.get("/lines")
@read
def lines():
    """The open order's lines, shown as soon as its number is scanned (htmx)."""
    return render_template("_po_lines.html", order=_order(request.args.get("number", "").strip()))


def _refused(error, status):
    message, fields = refusal(error)
    fields = {("quantity" if k == _quantity_key() else k): v for k, v in fields.items()}
    return _page(request.form.to_dict(), status, error=message, field_errors=fields)


@receiving.post("/receive")
@receive_stock
@page_write(_refused)
def receive_post():
    form = request.form.to_dict()
    form[_quantity_key()] = form.pop("quantity", "")
    data = load_form(ReceiptFormSchema(), form, numbers=(_quantity_key(),))
    quantity = data.pop(next(iter(PurchaseReceiptSchema().load_fields)))
    line_no = service.line_to_receive(data["number"], data["sku"])
    service.receive_purchase_order_line(
        number=data["number"], line_no=line_no, qty=quantity, user_id=current_user_id()
    )
    shown = {"number": data["number"], "sku": data["sku"], "quantity": f"{quantity:f}", "line": line_no}
    return redirect(url_for("receiving.receive", **shown), 303)
