"""The suppliers' side for takt's own people: supplier users (admin), the suppliers' proposals and the
purchase orders they moved (planner), receiving against advance ship notices (warehouse)."""

from flask.views import MethodView

from core.api import Blueprint, SelectPage
from core.auth import current_user_id
from procurement import service as procurement_service
from suppliers import access, acknowledge, impact, offers, shipments
from suppliers.schemas import (
    ImpactSchema,
    InboundShipmentQueryArgsSchema,
    InboundShipmentSchema,
    OfferProposalQueryArgsSchema,
    OfferProposalSchema,
    ProposalDecisionInSchema,
    ReceiveShipmentInSchema,
    ResponseQueryArgsSchema,
    SupplierResponseSchema,
    SupplierUserInSchema,
    SupplierUserSchema,
)

blp = Blueprint(
    "suppliers",
    __name__,
    url_prefix="/api/v1",
    description="Suppliers on takt: their users, proposals, moved orders and ship notices",
)
PLANNERS = ("planner",)
PAGE = {"page_size": 50, "max_page_size": 500}


@blp.route("/suppliers/<code>/users")
class SupplierUsers(MethodView):
    @blp.requires("admin")
    @blp.response(200, SupplierUserSchema(many=True))
    @blp.errors(404)
    def get(self, code):
        return access.supplier_users(code)

    @blp.requires("admin")
    @blp.writes()
    @blp.arguments(SupplierUserInSchema)
    @blp.response(201, SupplierUserSchema)
    @blp.errors(404, 409)
    def post(self, data, code):
        """A user of role `supplier` who speaks for this supplier, and so do its tokens (`flask tokens
        create`); with a password it signs in to the portal page."""
        return access.add_supplier_user(supplier=code, **data)


@blp.route("/supplier-responses")
class SupplierResponses(MethodView):
    @blp.requires(*PLANNERS)
    @blp.arguments(ResponseQueryArgsSchema, location="query")
    @blp.response(200, SupplierResponseSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """The suppliers' answers to purchase orders, newest first (`status=pending`: awaiting a planner)."""
        return acknowledge.responses_query(**args)


@blp.route("/supplier-responses/<id:response_id>/<any(accept,refuse):decision>")
class SupplierResponseDecision(MethodView):
    @blp.requires(*PLANNERS)
    @blp.writes(idempotent=True)
    @blp.arguments(ProposalDecisionInSchema)
    @blp.response(200, SupplierResponseSchema)
    @blp.errors(404, 409)
    def post(self, data, response_id, decision):
        """Accept a supplier's proposal (its deliveries become the order's confirmed schedule) or refuse it
        (the purchase order stays as it was)."""
        return acknowledge.decide_proposal(
            response_id=response_id, accept=decision == "accept", user_id=current_user_id(), **data
        )


@blp.route("/offer-proposals")
class OfferProposals(MethodView):
    @blp.requires(*PLANNERS)
    @blp.arguments(OfferProposalQueryArgsSchema, location="query")
    @blp.response(200, OfferProposalSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """Offer terms proposed by suppliers, newest first: pending, accepted and refused (the history)."""
        supplier = args.get("supplier")
        supplier_id = procurement_service.get_supplier(supplier).id if supplier else None
        return offers.offer_proposals_query(supplier_id=supplier_id, status=args.get("status"))


@blp.route("/offer-proposals/<id:proposal_id>/<any(approve,refuse):decision>")
class OfferProposalDecision(MethodView):
    @blp.requires(*PLANNERS)
    @blp.writes(idempotent=True)
    @blp.arguments(ProposalDecisionInSchema)
    @blp.response(200, OfferProposalSchema)
    @blp.errors(404, 409)
    def post(self, data, proposal_id, decision):
        """Approve (the offer takes the terms; the next snapshot plans with them) or refuse a proposal."""
        return offers.decide_offer_proposal(
            proposal_id=proposal_id, approve=decision == "approve", user_id=current_user_id(), **data
        )


@blp.route("/supplier-impact")
class SupplierImpact(MethodView):
    @blp.requires(*PLANNERS)
    @blp.response(200, ImpactSchema)
    def get(self):
        """Purchase orders their suppliers moved later, and the customer orders they make late."""
        moved = impact.moved_purchase_orders()
        return {"moved": moved, "orders_at_risk": impact.orders_at_risk(moved)}


@blp.route("/inbound-shipments")
class InboundShipments(MethodView):
    @blp.requires("warehouse", *PLANNERS)
    @blp.arguments(InboundShipmentQueryArgsSchema, location="query")
    @blp.response(200, InboundShipmentSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """Advance ship notices of every supplier, newest first."""
        return shipments.shipments_query(**args)


@blp.route("/inbound-shipments/<number>/receive")
class ReceiveInboundShipment(MethodView):
    @blp.requires("warehouse")
    @blp.writes(moves_stock=True)
    @blp.arguments(ReceiveShipmentInSchema)
    @blp.response(200, InboundShipmentSchema)
    @blp.errors(404, 409)
    def post(self, data, number):
        """Receive a shipment into stock, each line as a receipt of its purchase order (the ledger)."""
        return shipments.receive_shipment(number=number, user_id=current_user_id(), **data)
