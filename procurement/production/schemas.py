"""Production request and response schemas."""

from marshmallow import Schema, fields, validate

from core.fields import Quantity, QuantityNames, Time
from inventory.schemas import Code, NonNegative
from procurement.models import SOURCES
from procurement.production.models import MO_STATUSES
from procurement.schemas import Hours, Instant, Positive, RefField


def DayHours(**kwargs):
    return Quantity(validate=validate.Range(min=0, max=24), **kwargs)


class ResourceSchema(Schema):
    code = fields.String(required=True, validate=Code)
    name = fields.String(load_default="", validate=validate.Length(max=200))
    location = RefField(required=True, attribute="location_code", metadata={"description": "a plant"})
    hours_per_day = DayHours(required=True)
    active = fields.Boolean(load_default=True)
    created_at = Time(dump_only=True)
    updated_at = Time(dump_only=True)


class ResourceUpdateSchema(ResourceSchema):
    class Meta:
        exclude = ("code",)


class ResourceQueryArgsSchema(Schema):
    q = fields.String(metadata={"description": "substring of code or name"})
    location = fields.String()
    active = fields.Boolean()


class CalendarExceptionSchema(Schema):
    """A day with other hours than usual (a UTC calendar day): 0 = closed, more = overtime."""

    day = fields.Date(required=True)
    hours = DayHours(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=200))


class ResourceCalendarSchema(Schema):
    days = fields.List(
        fields.Nested(CalendarExceptionSchema), required=True, validate=validate.Length(max=3660)
    )


class RouteComponentSchema(QuantityNames):
    sku = RefField(required=True)
    quantity_per = Positive(required=True, attribute="qty_per")


class RouteSchema(Schema):
    """How `sku` is made on `resource`: time, cost and bill of materials (components per unit)."""

    id = fields.Integer(dump_only=True)
    sku = RefField(required=True)
    resource = RefField(required=True, attribute="resource_code")
    hours_per_unit = Hours(required=True)
    lead_time_hours = Hours(required=True, metadata={"description": "from start to end of an order"})
    unit_cost = NonNegative(required=True)
    setup_hours = Hours(load_default=0)
    setup_cost = NonNegative(load_default=0)
    components = fields.List(
        fields.Nested(RouteComponentSchema), load_default=list, validate=validate.Length(max=200)
    )
    created_at = Time(dump_only=True)
    updated_at = Time(dump_only=True)


class RouteUpdateSchema(RouteSchema):
    class Meta:
        exclude = ("sku", "resource")


class RouteQueryArgsSchema(Schema):
    sku = fields.String()
    resource = fields.String()
    location = fields.String(metadata={"description": "the resource's plant"})


class ProductionOrderInSchema(QuantityNames):
    sku = RefField(required=True)
    resource = RefField(required=True)
    quantity = Positive(required=True, attribute="qty")
    start_at = Instant(required=True, metadata={"description": "planned start; the end follows by lead time"})
    status = fields.String(load_default="proposed", validate=validate.OneOf(("proposed", "released")))


class ProductionOrderSchema(QuantityNames):
    number = fields.String(metadata={"example": "MO-000123"})
    sku = fields.String()
    resource = fields.String(attribute="resource_code")
    location = fields.String(attribute="location_code")
    quantity = Quantity(attribute="qty")
    status = fields.String(validate=validate.OneOf(MO_STATUSES))
    source = fields.String(validate=validate.OneOf(SOURCES))
    plan_ref = fields.String(allow_none=True)
    start_at = Time()
    end_at = Time()
    released_at = Time(allow_none=True)
    started_at = Time(allow_none=True)
    closed_at = Time(allow_none=True, metadata={"description": "when it was completed or cancelled"})
    created_by = fields.Integer(attribute="created_by_id")
    created_at = Time()
    updated_at = Time()


class ProductionOrderQueryArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(MO_STATUSES))
    sku = fields.String()
    resource = fields.String()
    location = fields.String(metadata={"description": "the resource's plant"})
