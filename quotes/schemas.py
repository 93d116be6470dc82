"""Quote request and answer schemas."""

from marshmallow import Schema, fields, validate

from core.fields import Quantity, QuantityNames, Time
from orders.schemas import CodeRef, Positive


class QuoteLineSchema(QuantityNames):
    line = fields.String(
        validate=validate.Length(min=1, max=16), metadata={"description": "default: its position, 1, 2, …"}
    )
    sku = fields.String(required=True, validate=CodeRef)
    quantity = Quantity(required=True, validate=Positive)


class QuoteInSchema(Schema):
    customer = fields.String(
        validate=CodeRef, metadata={"description": "required to hold; its default region is the ship-to"}
    )
    region = fields.String(validate=CodeRef, metadata={"description": "ship-to; default: the customer's"})
    requested_at = Time(metadata={"description": "earliest delivery the customer takes (default: now)"})
    priority = fields.Integer(strict=True, load_default=2, metadata={"description": "1 (highest), 2 or 3"})
    ship_complete = fields.Boolean(load_default=True)
    lines = fields.List(
        fields.Nested(QuoteLineSchema), required=True, validate=validate.Length(min=1, max=100)
    )
    hold = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: accept the order with this promise and reserve what it uses until the next "
            "run plans it (send an Idempotency-Key)"
        },
    )


class QuotedDeliverySchema(QuantityNames):
    quantity = fields.Float(attribute="qty")
    from_ = fields.String(data_key="from", attribute="from")
    mode = fields.String()
    depart_at = fields.String()
    arrive_at = fields.String()


class QuotedLineSchema(QuantityNames):
    line = fields.String()
    sku = fields.String()
    quantity = fields.Float(attribute="qty")
    promised_at = fields.String(metadata={"description": "when the line's last delivery arrives"})
    from_ = fields.String(
        data_key="from", attribute="from", metadata={"description": "the location it ships from"}
    )
    mode = fields.String(metadata={"description": "transport mode of the delivery"})
    reason = fields.String(metadata={"description": "stock, receipt, transfer, production or procurement"})
    supply = fields.String(metadata={"description": "what the line waits for, in the run's words"})
    deliveries = fields.List(fields.Nested(QuotedDeliverySchema))


class QuotedPurchaseSchema(QuantityNames):
    supplier = fields.String()
    sku = fields.String()
    location = fields.String()
    quantity = fields.Float(attribute="qty")
    order_at = fields.String()
    receive_at = fields.String()


class QuotedProductionSchema(QuantityNames):
    resource = fields.String()
    sku = fields.String()
    quantity = fields.Float(attribute="qty")
    start_at = fields.String()
    end_at = fields.String()


class QuotedTransferSchema(QuantityNames):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    mode = fields.String()
    sku = fields.String()
    quantity = fields.Float(attribute="qty")
    depart_at = fields.String()
    arrive_at = fields.String()


class QuoteUsesSchema(Schema):
    purchases = fields.List(fields.Nested(QuotedPurchaseSchema))
    production = fields.List(fields.Nested(QuotedProductionSchema))
    transfers = fields.List(fields.Nested(QuotedTransferSchema))


class QuoteSchema(Schema):
    quotable = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), metadata={"description": "why not, when not quotable"})
    promised_at = fields.String(metadata={"description": "the order's promise (its latest line)"})
    reason = fields.String(metadata={"description": "what the promise waits for last"})
    explanation = fields.String(metadata={"description": "in the words of a run's confirmation"})
    lines = fields.List(fields.Nested(QuotedLineSchema))
    uses = fields.Nested(QuoteUsesSchema, metadata={"description": "supply the quote adds beside the plan"})
    held = fields.Boolean(required=True)
    order = fields.String(allow_none=True, metadata={"description": "the accepted order, when held"})
    run = fields.Integer(metadata={"description": "the planning run whose residual was quoted against"})
