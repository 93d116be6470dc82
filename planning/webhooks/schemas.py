"""Webhook subscription schemas."""

from marshmallow import Schema, fields, validate

from core.fields import Time


class SubscriptionInSchema(Schema):
    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=500),
        metadata={
            "description": "must resolve to public addresses (422 otherwise) unless the deployment sets "
            "SCM_WEBHOOK_ALLOW_PRIVATE_TARGETS; redirects are not followed"
        },
    )
    customer = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "only this customer's orders (default: all)"},
    )
    channel = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "only this channel's orders (default: all)"},
    )


class SubscriptionSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    customer = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = Time()


class NewSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(metadata={"description": "HMAC-SHA256 key of X-Takt-Signature; shown once"})


class DeliverySchema(Schema):
    id = fields.Integer()
    event_id = fields.Function(lambda d: d.event.event_id, metadata={"type": "string"})
    type = fields.Function(lambda d: d.event.type, metadata={"type": "string"})
    order = fields.Function(lambda d: d.event.order_number, metadata={"type": "string"})
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = Time()
    last_error = fields.String(allow_none=True)
    delivered_at = Time(allow_none=True)
