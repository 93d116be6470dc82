"""The supplier portal's request and response schemas."""

from marshmallow import Schema, fields, validate

from core.fields import Quantity, QuantityNames, Time
from inventory.schemas import NonNegative
from procurement.schemas import Hours, Instant, Positive, RefField
from suppliers.models import PROPOSAL_STATUSES, RESPONSE_KINDS, RESPONSE_STATUSES, SHIPMENT_STATUSES


class SupplierUserInSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(load_default=None, validate=validate.Length(min=8, max=200), load_only=True)


class SupplierUserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    roles = fields.List(fields.String(), attribute="role_set")


class ProposedDeliveryInSchema(QuantityNames):
    line = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    quantity = Positive(required=True, attribute="qty")
    arrive_at = Instant(required=True)


class AcknowledgementInSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(RESPONSE_KINDS))
    reason = fields.String(validate=validate.Length(max=2000), load_default=None, allow_none=True)
    deliveries = fields.List(
        fields.Nested(ProposedDeliveryInSchema),
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "propose: the deliveries (a line may be split), dates and quantities"},
    )


class ConfirmedDeliverySchema(QuantityNames):
    line = fields.Integer()
    quantity = Quantity(attribute="qty")
    arrive_at = Time()


class ProposedDeliverySchema(QuantityNames):
    line = fields.Integer()
    quantity = fields.Float(attribute="qty")
    arrive_at = fields.String()


class SupplierResponseSchema(Schema):
    id = fields.Integer()
    purchase_order = fields.String(attribute="purchase_order.number")
    supplier = fields.String(attribute="purchase_order.supplier.code")
    kind = fields.String(validate=validate.OneOf(RESPONSE_KINDS))
    status = fields.String(validate=validate.OneOf(RESPONSE_STATUSES))
    reason = fields.String(allow_none=True)
    deliveries = fields.List(fields.Nested(ProposedDeliverySchema), allow_none=True)
    created_at = Time()
    decided_at = Time(allow_none=True)
    note = fields.String(allow_none=True)


class ProposalDecisionInSchema(Schema):
    note = fields.String(validate=validate.Length(max=2000), load_default=None, allow_none=True)


class SupplierOrderLineSchema(QuantityNames):
    line = fields.Integer()
    sku = fields.String()
    quantity = Quantity(attribute="qty")
    received_quantity = Quantity(attribute="qty_received")


class SupplierPurchaseOrderSchema(Schema):
    number = fields.String()
    location = fields.String()
    status = fields.String()
    receive_at = Time(metadata={"description": "the date the order asks for"})
    released_at = Time(allow_none=True)
    supplier_status = fields.String(
        metadata={"description": "awaiting, accepted, rejected, proposed, confirmed"}
    )
    reason = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(SupplierOrderLineSchema))
    confirmed_deliveries = fields.List(fields.Nested(ConfirmedDeliverySchema))


class InboundLineInSchema(QuantityNames):
    line = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    quantity = Positive(required=True, attribute="qty")


class InboundShipmentInSchema(Schema):
    purchase_order = RefField(required=True)
    carrier = fields.String(required=True, validate=validate.Length(min=1, max=120))
    tracking_ref = fields.String(required=True, validate=validate.Length(min=1, max=120))
    shipped_at = Instant(load_default=None)
    arrive_at = Instant(required=True)
    lines = fields.List(
        fields.Nested(InboundLineInSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class InboundShipmentLineSchema(QuantityNames):
    line = fields.Integer(attribute="line_no")
    quantity = Quantity(attribute="qty")


class InboundShipmentSchema(Schema):
    number = fields.String()
    purchase_order = fields.String(attribute="purchase_order.number")
    location = fields.String(attribute="purchase_order.location.code")
    status = fields.String(validate=validate.OneOf(SHIPMENT_STATUSES))
    carrier = fields.String()
    tracking_ref = fields.String()
    shipped_at = Time()
    arrive_at = Time()
    received_at = Time(allow_none=True)
    lines = fields.List(fields.Nested(InboundShipmentLineSchema))


class InboundShipmentQueryArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(SHIPMENT_STATUSES))


class ReceiveShipmentInSchema(Schema):
    lines = fields.List(
        fields.Nested(InboundLineInSchema),
        load_default=None,
        metadata={"description": "the quantities counted per line (default: every line as announced)"},
    )


class OfferTermsInSchema(QuantityNames):
    lead_time_hours = Hours()
    capacity_per_day = NonNegative(allow_none=True)
    min_quantity = NonNegative(attribute="min_qty")
    unit_cost = NonNegative()
    reason = fields.String(validate=validate.Length(max=2000), load_default=None, allow_none=True)


class OfferProposalSchema(Schema):
    id = fields.Integer()
    offer = fields.Integer(attribute="offer_id")
    supplier = fields.String(attribute="offer.supplier.code")
    sku = fields.String(attribute="offer.item.sku")
    location = fields.String(attribute="offer.location.code")
    status = fields.String(validate=validate.OneOf(PROPOSAL_STATUSES))
    changes = fields.Dict()
    previous = fields.Dict()
    reason = fields.String(allow_none=True)
    created_at = Time()
    decided_at = Time(allow_none=True)
    note = fields.String(allow_none=True)


class ResponseQueryArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(RESPONSE_STATUSES))
    supplier = fields.String()


class OfferProposalQueryArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(PROPOSAL_STATUSES))
    supplier = fields.String(metadata={"description": "(planners) one supplier's"})


class ForecastRowSchema(QuantityNames):
    week = fields.String(metadata={"description": "Monday (UTC) of the week of receipt"})
    sku = fields.String()
    location = fields.String()
    quantity = fields.Float(attribute="qty")
    previous_quantity = fields.Float(attribute="previous_qty", allow_none=True)
    change = fields.Float(allow_none=True)


class ForecastSchema(Schema):
    run = fields.Integer(allow_none=True, metadata={"description": "the planning run of the plan in force"})
    previous_run = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(ForecastRowSchema))


class DigestSchema(Schema):
    to = fields.String()
    subject = fields.String()
    body = fields.String()


class EndpointInSchema(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, validate=validate.Length(max=500))
    secret = fields.String(validate=validate.Length(min=16, max=128), load_default=None, load_only=True)


class EndpointSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    active = fields.Boolean()
    created_at = Time()


class NewEndpointSchema(EndpointSchema):
    secret = fields.String(metadata={"description": "signs every request; shown only this once"})


class MovedLineSchema(Schema):
    line = fields.Integer()
    sku = fields.String()
    arrive_at = Time()


class MovedOrderSchema(Schema):
    number = fields.String()
    supplier = fields.String()
    location = fields.String()
    due = Time(metadata={"description": "the date the purchase order asked for"})
    hours = fields.Float(metadata={"description": "how much later its last goods now come"})
    lines = fields.List(fields.Nested(MovedLineSchema))


class OrderAtRiskSchema(Schema):
    order = fields.String()
    days = fields.Integer()
    purchase_order = fields.String()
    message = fields.String(metadata={"example": "SO-000123 will be 3 days late: PO-000055 moved"})


class ImpactSchema(Schema):
    moved = fields.List(fields.Nested(MovedOrderSchema))
    orders_at_risk = fields.List(fields.Nested(OrderAtRiskSchema))
