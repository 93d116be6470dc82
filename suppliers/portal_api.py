"""The supplier portal over HTTP (role `supplier`): a supplier's own purchase orders and their
acknowledgement, shipments, offers and their proposals, forecast, digest and webhook endpoints.

Every view reads and writes the caller's supplier only; another supplier's record is a 404."""

from flask import Response
from flask.views import MethodView
from sqlalchemy import select

from core.api import Blueprint, SelectPage
from core.auth import current_user_id
from core.db import db
from planning.webhooks import service as webhooks_service
from planning.webhooks.models import WebhookSubscription
from procurement.schemas import SupplyOfferSchema
from suppliers import acknowledge, forecast, offers, portal, shipments
from suppliers.access import caller_supplier
from suppliers.schemas import (
    AcknowledgementInSchema,
    DigestSchema,
    EndpointInSchema,
    EndpointSchema,
    ForecastSchema,
    InboundShipmentInSchema,
    InboundShipmentQueryArgsSchema,
    InboundShipmentSchema,
    NewEndpointSchema,
    OfferProposalQueryArgsSchema,
    OfferProposalSchema,
    OfferTermsInSchema,
    SupplierPurchaseOrderSchema,
    SupplierResponseSchema,
)

blp = Blueprint(
    "supplier_portal",
    __name__,
    url_prefix="/api/v1/supplier",
    description="The supplier portal (role supplier)",
)
SUPPLIER = ("supplier",)
PAGE = {"page_size": 50, "max_page_size": 500}


@blp.route("/purchase-orders")
class PortalOrders(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.response(200, SupplierPurchaseOrderSchema(many=True))
    def get(self):
        """The caller's open purchase orders, the soonest due first, with its answers and confirmed dates."""
        return portal.open_orders(caller_supplier())


@blp.route("/purchase-orders/<number>")
class PortalOrder(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.response(200, SupplierPurchaseOrderSchema)
    @blp.errors(404)
    def get(self, number):
        order = acknowledge.supplier_order(number, caller_supplier())
        return portal.order_view(order, acknowledge.order_state(order), acknowledge.confirmed_schedule(order))


@blp.route("/purchase-orders/<number>/acknowledgement")
class Acknowledgement(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.writes(idempotent=True)
    @blp.arguments(AcknowledgementInSchema)
    @blp.response(201, SupplierResponseSchema)
    @blp.errors(404, 409)
    def post(self, data, number):
        """Accept the order, reject it (a reason), or propose deliveries (dates, quantities, splits) for a
        planner to accept. Send an `Idempotency-Key`: a retry applies nothing twice."""
        return acknowledge.acknowledge(
            number=number, supplier=caller_supplier(), user_id=current_user_id(), **data
        )


@blp.route("/shipments")
class PortalShipments(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.arguments(InboundShipmentQueryArgsSchema, location="query")
    @blp.response(200, InboundShipmentSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        return shipments.shipments_query(supplier_id=caller_supplier().id, **args)

    @blp.requires(*SUPPLIER)
    @blp.writes(idempotent=True)
    @blp.arguments(InboundShipmentInSchema)
    @blp.response(201, InboundShipmentSchema)
    @blp.errors(404, 409)
    def post(self, data):
        """Announce a dispatch (advance ship notice): quantities per line, carrier, tracking, arrival."""
        return shipments.announce_shipment(supplier=caller_supplier(), user_id=current_user_id(), **data)


@blp.route("/shipments/<number>")
class PortalShipment(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.response(200, InboundShipmentSchema)
    @blp.errors(404)
    def get(self, number):
        return shipments.get_shipment(number, supplier=caller_supplier())


@blp.route("/offers")
class PortalOffers(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.response(200, SupplyOfferSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self):
        return offers.supplier_offers_query(caller_supplier())


@blp.route("/offers/<id:offer_id>/proposals")
class PortalOfferProposals(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.writes(idempotent=True)
    @blp.arguments(OfferTermsInSchema)
    @blp.response(201, OfferProposalSchema)
    @blp.errors(404)
    def post(self, data, offer_id):
        """Propose new terms for one of the caller's offers; a planner approves or refuses them."""
        reason = data.pop("reason", None)
        return offers.propose_offer_terms(
            supplier=caller_supplier(),
            offer_id=offer_id,
            changes=data,
            user_id=current_user_id(),
            reason=reason,
        )


@blp.route("/offer-proposals")
class PortalOfferProposalList(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.arguments(OfferProposalQueryArgsSchema, location="query")
    @blp.response(200, OfferProposalSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """The caller's offer proposals, newest first: the history of its terms."""
        return offers.offer_proposals_query(supplier_id=caller_supplier().id, status=args.get("status"))


@blp.route("/forecast")
class PortalForecast(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.response(200, ForecastSchema)
    def get(self):
        """What the plan in force proposes to buy from the caller, not yet released, by week and item,
        with the change since the previous plan."""
        return forecast.supplier_forecast(caller_supplier())


@blp.route("/forecast.csv")
class PortalForecastCsv(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.response(200, content_type="text/csv")
    def get(self):
        """The forecast as CSV (week, sku, location, quantity, previous_quantity, change)."""
        text = forecast.forecast_csv(forecast.supplier_forecast(caller_supplier()))
        headers = {"Content-Disposition": "attachment; filename=forecast.csv"}
        return Response(text, mimetype="text/csv", headers=headers)


@blp.route("/digest")
class PortalDigest(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.response(200, DigestSchema)
    def get(self):
        """The portal as an email would say it: a subject and a plain-text body."""
        return portal.digest(caller_supplier())


@blp.route("/webhooks")
class PortalEndpoints(MethodView):
    @blp.requires(*SUPPLIER)
    @blp.response(200, EndpointSchema(many=True))
    def get(self):
        code = caller_supplier().code
        stmt = (
            select(WebhookSubscription)
            .where(WebhookSubscription.supplier == code)
            .order_by(WebhookSubscription.id)
        )
        return db.session.scalars(stmt).all()

    @blp.requires(*SUPPLIER)
    @blp.writes()
    @blp.arguments(EndpointInSchema)
    @blp.response(201, NewEndpointSchema)
    def post(self, data):
        """Receive the caller's events (orders released, proposals decided) signed at this URL."""
        return webhooks_service.create_subscription(
            customer=None, channel=None, supplier=caller_supplier().code, user_id=current_user_id(), **data
        )
