"""Webhook subscriptions over HTTP: order owners' endpoints for confirmation events."""

from flask.views import MethodView
from sqlalchemy import select

from core.api import Blueprint, SelectPage
from core.auth import current_user_id
from planning.webhooks import service
from planning.webhooks.models import WebhookDelivery, WebhookSubscription
from planning.webhooks.schemas import (
    DeliverySchema,
    NewSubscriptionSchema,
    SubscriptionInSchema,
    SubscriptionSchema,
)

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="Confirmation webhooks")


@blp.route("")
class Subscriptions(MethodView):
    @blp.requires("planner")
    @blp.response(200, SubscriptionSchema(many=True))
    @blp.paginate(SelectPage, page_size=50, max_page_size=500)
    def get(self):
        return select(WebhookSubscription).order_by(WebhookSubscription.id)

    @blp.requires("planner")
    @blp.writes()
    @blp.arguments(SubscriptionInSchema)
    @blp.response(201, NewSubscriptionSchema)
    def post(self, data):
        """Subscribe a URL; the response carries the signing secret, shown only this once."""
        return service.create_subscription(user_id=current_user_id(), **data)


@blp.route("/<id:subscription_id>")
class Subscription(MethodView):
    @blp.requires("planner")
    @blp.response(200, SubscriptionSchema)
    @blp.errors(404)
    def get(self, subscription_id):
        return service.get_subscription(subscription_id)

    @blp.requires("planner")
    @blp.writes()
    @blp.response(204)
    @blp.errors(404)
    def delete(self, subscription_id):
        """Stop sending to this URL (pending deliveries stay listed)."""
        service.get_subscription(subscription_id).active = False


@blp.route("/<id:subscription_id>/deliveries")
class Deliveries(MethodView):
    @blp.requires("planner")
    @blp.response(200, DeliverySchema(many=True))
    @blp.paginate(SelectPage, page_size=50, max_page_size=500)
    @blp.errors(404)
    def get(self, subscription_id):
        """Every event sent or to be sent to this subscription, newest first."""
        service.get_subscription(subscription_id)
        return (
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.id.desc())
        )
