"""Customer and order request and response schemas, and the promises given for orders."""

from marshmallow import Schema, fields, validate

from core.fields import Quantity, QuantityNames, Time
from inventory.schemas import Code
from orders.models import CHANNELS, ORDER_STATUSES

CodeRef = validate.Length(min=1, max=64)
Positive = validate.Range(min=0, min_inclusive=False)


class CustomerSchema(Schema):
    code = fields.String(required=True, validate=Code)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    channel = fields.String(load_default="b2b", validate=validate.OneOf(CHANNELS))
    region = fields.String(
        attribute="region_code",
        load_default=None,
        allow_none=True,
        validate=CodeRef,
        metadata={"description": "default ship-to region of its orders"},
    )
    active = fields.Boolean(load_default=True)
    created_at = Time(dump_only=True)
    updated_at = Time(dump_only=True)


class CustomerUpdateSchema(CustomerSchema):
    class Meta:
        exclude = ("code",)


class CustomerQueryArgsSchema(Schema):
    q = fields.String(metadata={"description": "substring of code or name"})
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    active = fields.Boolean()


class OrderLineSchema(QuantityNames):
    line = fields.String(
        validate=validate.Length(min=1, max=16), metadata={"description": "default: its position, 1, 2, …"}
    )
    sku = fields.String(required=True, validate=CodeRef)
    quantity = Quantity(required=True, validate=Positive)
    shipped_quantity = Quantity(dump_only=True)


class OrderUpdateSchema(Schema):
    customer = fields.String(attribute="customer_code", validate=CodeRef)
    channel = fields.String(
        validate=validate.OneOf(CHANNELS), metadata={"description": "default: customer's"}
    )
    region = fields.String(
        attribute="region_code", validate=CodeRef, metadata={"description": "ship-to; default: customer's"}
    )
    requested_at = Time(metadata={"description": "earliest delivery the customer takes"})
    priority = fields.Integer(
        strict=True, metadata={"description": "1 (highest), 2 or 3: the policy's weights"}
    )
    ship_complete = fields.Boolean()
    lines = fields.List(fields.Nested(OrderLineSchema), validate=validate.Length(min=1, max=500))


class OrderInSchema(OrderUpdateSchema):
    number = fields.String(validate=Code, metadata={"description": "default: the next SO-… number"})
    customer = fields.String(attribute="customer_code", required=True, validate=CodeRef)
    requested_at = Time(required=True)
    priority = fields.Integer(strict=True, load_default=2)
    ship_complete = fields.Boolean(load_default=True)
    lines = fields.List(
        fields.Nested(OrderLineSchema), required=True, validate=validate.Length(min=1, max=500)
    )
    created_at = Time(metadata={"description": "when the customer ordered (default: now)"})


class OrderUpsertSchema(OrderInSchema):
    number = fields.String(required=True, validate=Code)


class OrderSchema(OrderInSchema):
    status = fields.String()
    promised_at = Time(allow_none=True, metadata={"description": "the current promise, if confirmed"})
    updated_at = Time()


class OrderQueryArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))
    planned = fields.Boolean(metadata={"description": "accepted, confirmed or unconfirmed (planned) or not"})
    customer = fields.String()
    region = fields.String()
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    requested_from = Time()
    requested_to = Time()
    late = fields.Boolean(metadata={"description": "promised after requested (or not)"})
    sku = fields.String(metadata={"description": "orders with a line of this item"})
    q = fields.String(
        validate=validate.Length(max=200), metadata={"description": "words of the number or customer code"}
    )


class ConfirmationDeliverySchema(QuantityNames):
    quantity = Quantity()
    from_code = fields.String(data_key="from")
    mode = fields.String()
    depart_at = Time()
    arrive_at = Time()


class ConfirmationLineSchema(QuantityNames):
    line = fields.String()
    sku = fields.String()
    quantity = Quantity()
    deliveries = fields.List(fields.Nested(ConfirmationDeliverySchema))


class ConfirmationSchema(Schema):
    order = fields.Function(lambda c: c.order.number)
    sequence = fields.Integer()
    status = fields.String()
    promised_at = Time(allow_none=True)
    reason = fields.String()
    explanation = fields.String()
    run_ref = fields.String(allow_none=True)
    created_at = Time()
    lines = fields.List(fields.Nested(ConfirmationLineSchema))
