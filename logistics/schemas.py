"""Logistics request and response schemas."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.fields import Quantity, QuantityNames, Time
from logistics.models import MODES, SHIPMENT_KINDS, SHIPMENT_SOURCES, SHIPMENT_STATUSES

CodeRef = validate.Length(min=1, max=64)


def NonNegative(**kwargs):
    return Quantity(validate=validate.Range(min=0), **kwargs)


class LaneUpdateSchema(Schema):
    transit_hours = NonNegative(required=True)
    unit_cost = NonNegative(load_default=0)
    capacity_per_day = NonNegative(
        allow_none=True,
        load_default=None,
        metadata={"description": "units departing per UTC day; null: none"},
    )
    valid_from = Time(allow_none=True, load_default=None)
    valid_to = Time(allow_none=True, load_default=None, metadata={"description": "exclusive"})

    @validates_schema
    def _validity(self, data, **kwargs):
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] <= data["valid_from"]:
            raise ValidationError("must be after valid_from", "valid_to")


class LaneSchema(LaneUpdateSchema):
    """A lane from a location to a location (transfers) or to a customer region (deliveries)."""

    id = fields.Integer(dump_only=True)
    from_code = fields.String(data_key="from", required=True, validate=CodeRef)
    to_code = fields.String(
        data_key="to", required=True, validate=CodeRef, metadata={"description": "a location or region code"}
    )
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    created_at = Time(dump_only=True)
    updated_at = Time(dump_only=True)


class LaneQueryArgsSchema(Schema):
    from_code = fields.String(data_key="from")
    to = fields.String(metadata={"description": "a location or region code"})
    mode = fields.String(validate=validate.OneOf(MODES))
    at = Time(metadata={"description": "only lanes valid at this instant"})


class ShipmentLineInSchema(QuantityNames):
    sku = fields.String(required=True, validate=CodeRef)
    quantity = Quantity(required=True, validate=validate.Range(min=0, min_inclusive=False))
    order_line = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=16),
        metadata={"description": "delivery"},
    )


class ShipmentLineSchema(ShipmentLineInSchema):
    line = fields.Integer()


class ShipmentEventInSchema(Schema):
    occurred_at = Time(required=True)
    status = fields.String(required=True, validate=validate.Length(min=1, max=120))
    place = fields.String(load_default="", validate=validate.Length(max=200))
    carrier_reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class ShipmentEventSchema(ShipmentEventInSchema):
    id = fields.Integer()
    created_by = fields.Integer(attribute="created_by_id")
    created_at = Time()


class ShipmentInSchema(Schema):
    """A shipment entered by hand (status planned). A transfer or delivery names its lane (from, to, mode);
    an inbound names the supplier (`from`), the receiving location (`to`) and its purchase order."""

    number = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=validate.OneOf(SHIPMENT_KINDS))
    from_code = fields.String(data_key="from", load_default=None, validate=CodeRef)
    to_code = fields.String(data_key="to", load_default=None, validate=CodeRef)
    mode = fields.String(load_default=None, validate=validate.OneOf(MODES))
    order = fields.String(load_default=None, validate=CodeRef, metadata={"description": "delivery"})
    purchase_order = fields.String(load_default=None, validate=CodeRef, metadata={"description": "inbound"})
    depart_at = Time(load_default=None)
    arrive_at = Time(load_default=None, metadata={"description": "default: departure + the lane's transit"})
    carrier_reference = fields.String(load_default=None, validate=validate.Length(max=120))
    lines = fields.List(fields.Nested(ShipmentLineInSchema), required=True, validate=validate.Length(min=1))


class ShipmentSchema(Schema):
    number = fields.String()
    kind = fields.String()
    status = fields.String()
    lane_id = fields.Integer(allow_none=True)
    mode = fields.String(allow_none=True)
    from_code = fields.String(data_key="from", allow_none=True)
    to_code = fields.String(data_key="to")
    order = fields.String(attribute="order_number", allow_none=True)
    purchase_order = fields.String(allow_none=True)
    depart_at = Time(allow_none=True)
    arrive_at = Time(allow_none=True)
    dispatched_at = Time(allow_none=True)
    delivered_at = Time(allow_none=True)
    carrier_reference = fields.String(allow_none=True)
    source = fields.String()
    plan_ref = fields.String(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id")
    created_at = Time()
    updated_at = Time()
    lines = fields.List(fields.Nested(ShipmentLineSchema))
    events = fields.List(fields.Nested(ShipmentEventSchema))


class ShipmentSummarySchema(ShipmentSchema):
    class Meta:
        exclude = ("events",)


class DispatchSchema(Schema):
    at = Time(load_default=None, metadata={"description": "when it left (default: now)"})
    carrier_reference = fields.String(load_default=None, validate=validate.Length(max=120))


class DeliverSchema(Schema):
    at = Time(load_default=None, metadata={"description": "when it arrived (default: now)"})


class ShipmentQueryArgsSchema(Schema):
    kind = fields.String(validate=validate.OneOf(SHIPMENT_KINDS))
    status = fields.String(validate=validate.OneOf(SHIPMENT_STATUSES))
    from_code = fields.String(data_key="from")
    to = fields.String()
    order = fields.String()
    purchase_order = fields.String()
    sku = fields.String()
    source = fields.String(validate=validate.OneOf(SHIPMENT_SOURCES))
