"""Purchasing request and response schemas (and field helpers production shares)."""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.fields import MAX_QUANTITY, Quantity, QuantityNames, Time
from inventory.schemas import Code, NonNegative
from procurement.models import PO_STATUSES, SOURCES

MAX_HOURS = 87600  # ten years: longer durations are typos, and would overflow date arithmetic


def Positive(*, metadata: dict | None = None, **kwargs):
    """A quantity > 0; the bounds are spelled out for OpenAPI 3.0, whose `minimum` alone is inclusive."""
    bounds = {"exclusiveMinimum": True, "maximum": float(MAX_QUANTITY), "exclusiveMaximum": True}
    return Quantity(
        validate=validate.Range(min=0, min_inclusive=False), metadata=bounds | (metadata or {}), **kwargs
    )


def Hours(**kwargs):
    return Quantity(validate=validate.Range(min=0, max=MAX_HOURS), **kwargs)


class Instant(fields.AwareDateTime):
    """An ISO 8601 instant between the years 1970 and 2999, loaded in UTC (no offset means UTC)."""

    default_error_messages = {"range": "must be between the years 1970 and 2999"}

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = moment.astimezone(UTC)
        except OverflowError as e:
            raise self.make_error("range") from e
        if not 1970 <= moment.year <= 2999:
            raise self.make_error("range")
        return moment


def RefField(**kwargs):
    return fields.String(validate=validate.Length(min=1, max=64), **kwargs)


class SupplierSchema(Schema):
    code = fields.String(required=True, validate=Code)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    active = fields.Boolean(load_default=True)
    created_at = Time(dump_only=True)
    updated_at = Time(dump_only=True)


class SupplierUpdateSchema(SupplierSchema):
    class Meta:
        exclude = ("code",)


class SupplierQueryArgsSchema(Schema):
    q = fields.String(metadata={"description": "substring of code or name"})
    active = fields.Boolean()


class SupplyOfferSchema(QuantityNames):
    """What a supplier delivers of one sku to one location: lead time, costs, lot rules, validity."""

    id = fields.Integer(dump_only=True)
    supplier = RefField(required=True, attribute="supplier_code")
    sku = RefField(required=True)
    location = RefField(required=True, attribute="location_code")
    lead_time_hours = Hours(required=True)
    unit_cost = NonNegative(required=True)
    order_cost = NonNegative(load_default=0, metadata={"description": "paid once per purchase order"})
    min_quantity = NonNegative(
        attribute="min_qty", load_default=0, metadata={"description": "smallest quantity of one order"}
    )
    multiple = Positive(load_default=None, allow_none=True, metadata={"description": "order in multiples"})
    capacity_per_day = NonNegative(
        load_default=None, allow_none=True, metadata={"description": "most received on one UTC day"}
    )
    valid_from = Instant(
        load_default=None, allow_none=True, metadata={"description": "valid from (inclusive)"}
    )
    valid_to = Instant(
        load_default=None, allow_none=True, metadata={"description": "valid until (exclusive)"}
    )
    created_at = Time(dump_only=True)
    updated_at = Time(dump_only=True)

    @validates_schema
    def _window(self, data, **kwargs):
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end <= start:
            raise ValidationError("must be after valid_from", "valid_to")


class SupplyOfferUpdateSchema(SupplyOfferSchema):
    class Meta:
        exclude = ("supplier", "sku", "location")


class SupplyOfferQueryArgsSchema(Schema):
    supplier = fields.String()
    sku = fields.String()
    location = fields.String()
    valid_at = Instant(metadata={"description": "only offers valid at this instant"})


class PurchaseOrderLineInSchema(QuantityNames):
    sku = RefField(required=True)
    quantity = Positive(required=True, attribute="qty")
    unit_cost = NonNegative(metadata={"description": "default: the supplier's valid offer"})


class PurchaseOrderInSchema(Schema):
    supplier = RefField(required=True)
    location = RefField(required=True, metadata={"description": "delivery location"})
    receive_at = Instant(required=True, metadata={"description": "expected receipt"})
    status = fields.String(load_default="proposed", validate=validate.OneOf(("proposed", "released")))
    lines = fields.List(
        fields.Nested(PurchaseOrderLineInSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class PurchaseOrderLineSchema(QuantityNames):
    line_no = fields.Integer()
    sku = fields.String()
    quantity = Quantity(attribute="qty")
    received_quantity = Quantity(attribute="qty_received")
    unit_cost = Quantity()


class PurchaseOrderSchema(Schema):
    number = fields.String(metadata={"example": "PO-000123"})
    supplier = fields.String(attribute="supplier_code")
    location = fields.String(attribute="location_code")
    status = fields.String(validate=validate.OneOf(PO_STATUSES))
    source = fields.String(validate=validate.OneOf(SOURCES))
    plan_ref = fields.String(allow_none=True)
    ordered_at = Time()
    receive_at = Time()
    released_at = Time(allow_none=True)
    closed_at = Time(allow_none=True, metadata={"description": "when it was received in full or cancelled"})
    created_by = fields.Integer(attribute="created_by_id")
    created_at = Time()
    updated_at = Time()
    lines = fields.List(fields.Nested(PurchaseOrderLineSchema))


class PurchaseOrderQueryArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(PO_STATUSES))
    supplier = fields.String()
    sku = fields.String(metadata={"description": "orders with a line for this sku"})
    location = fields.String()


class PurchaseReceiptSchema(QuantityNames):
    """How much of the line arrived: `quantity` (`qty`, the older name, is still read: deprecated)."""

    quantity = Positive(required=True)
