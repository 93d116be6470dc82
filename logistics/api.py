"""Logistics over HTTP: lanes, shipments and their lifecycle, tracking events."""

from flask.views import MethodView

from core.api import Blueprint, SelectPage
from core.auth import current_user_id
from inventory.schemas import UpsertResultSchema
from logistics import lanes as lane_service
from logistics import service
from logistics.schemas import (
    DeliverSchema,
    DispatchSchema,
    LaneQueryArgsSchema,
    LaneSchema,
    LaneUpdateSchema,
    ShipmentEventInSchema,
    ShipmentEventSchema,
    ShipmentInSchema,
    ShipmentQueryArgsSchema,
    ShipmentSchema,
    ShipmentSummarySchema,
)

blp = Blueprint("logistics", __name__, url_prefix="/api/v1", description="Lanes, shipments, tracking")

PLANNERS = ("planner",)
WAREHOUSE = ("warehouse",)
TRACKERS = ("warehouse", "planner")
PAGE = {"page_size": 50, "max_page_size": 1000}


@blp.route("/lanes")
class Lanes(MethodView):
    @blp.requires()
    @blp.arguments(LaneQueryArgsSchema, location="query")
    @blp.response(200, LaneSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """Lanes by origin (`from`), destination (`to`, a location or region), mode, validity (`at`)."""
        return lane_service.lanes_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(LaneSchema)
    @blp.response(201, LaneSchema)
    @blp.errors(409)
    def post(self, lane):
        """Create a lane; 409 if (from, to, mode) exists."""
        key = {"from_code": lane.pop("from_code"), "to_code": lane.pop("to_code"), "mode": lane.pop("mode")}
        return lane_service.save_lane(**key, fields=lane, create=True)[0]

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(LaneSchema(many=True))
    @blp.response(200, UpsertResultSchema)
    def put(self, lanes):
        """Bulk upsert lanes by (from, to, mode), all or none; returns how many were created and updated."""
        return lane_service.upsert_lanes(lanes)


@blp.route("/lanes/<id:lane_id>")
class LaneById(MethodView):
    @blp.requires()
    @blp.response(200, LaneSchema)
    @blp.errors(404)
    def get(self, lane_id):
        """One lane by id."""
        return lane_service.get_lane(lane_id)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(LaneUpdateSchema(partial=True))
    @blp.response(200, LaneSchema)
    @blp.errors(404)
    def patch(self, fields, lane_id):
        """Change a lane's transit time, cost, capacity or validity."""
        return lane_service.update_lane(lane_id=lane_id, fields=fields)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, lane_id):
        """Delete a lane no shipment used (409 otherwise: end its validity instead)."""
        lane_service.delete_lane(lane_id=lane_id)


@blp.route("/shipments")
class Shipments(MethodView):
    @blp.requires()
    @blp.arguments(ShipmentQueryArgsSchema, location="query")
    @blp.response(200, ShipmentSummarySchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """Shipments by kind, status, origin, destination, order, purchase order, sku and source."""
        return service.shipments_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes(idempotent=True)
    @blp.arguments(ShipmentInSchema)
    @blp.response(201, ShipmentSchema)
    @blp.errors(409)
    def post(self, spec):
        """Enter a shipment by hand, in status planned (numbered `SH-…` unless given)."""
        return service.create_planned_shipment(user_id=current_user_id(), **spec)


@blp.route("/shipments/<number>")
class ShipmentByNumber(MethodView):
    @blp.requires()
    @blp.response(200, ShipmentSchema)
    @blp.errors(404)
    def get(self, number):
        """One shipment with its lines and tracking events."""
        return service.get_shipment(number)


@blp.route("/shipments/<number>/release")
class ReleaseShipment(MethodView):
    @blp.requires(*PLANNERS)
    @blp.writes(idempotent=True)
    @blp.response(200, ShipmentSchema)
    @blp.errors(404, 409)
    def post(self, number):
        """planned → released: reserve each line at the origin (409, nothing reserved, if stock is short)."""
        return service.release_shipment(number=number, user_id=current_user_id())


@blp.route("/shipments/<number>/dispatch")
class DispatchShipment(MethodView):
    @blp.requires(*WAREHOUSE)
    @blp.writes(moves_stock=True)
    @blp.arguments(DispatchSchema)
    @blp.response(200, ShipmentSchema)
    @blp.errors(404, 409)
    def post(self, args, number):
        """released → in_transit: the reservation becomes an issue at the origin (inbound: no stock)."""
        return service.dispatch_shipment(number=number, user_id=current_user_id(), **args)


@blp.route("/shipments/<number>/deliver")
class DeliverShipment(MethodView):
    @blp.requires(*WAREHOUSE)
    @blp.writes(moves_stock=True)
    @blp.arguments(DeliverSchema)
    @blp.response(200, ShipmentSchema)
    @blp.errors(404, 409)
    def post(self, args, number):
        """in_transit → delivered: a transfer is received at its destination, a delivery ships its order.

        An inbound shipment moves no stock: its purchase order's receipt does."""
        return service.deliver_shipment(number=number, user_id=current_user_id(), **args)


@blp.route("/shipments/<number>/cancel")
class CancelShipment(MethodView):
    @blp.requires(*PLANNERS)
    @blp.writes(idempotent=True)
    @blp.response(200, ShipmentSchema)
    @blp.errors(404, 409)
    def post(self, number):
        """planned or released → cancelled, releasing the reservation."""
        return service.cancel_shipment(number=number)


@blp.route("/shipments/<number>/events")
class ShipmentEvents(MethodView):
    @blp.requires()
    @blp.response(200, ShipmentEventSchema(many=True))
    @blp.errors(404)
    def get(self, number):
        """The shipment's tracking events in time order."""
        return service.list_events(number=number)

    @blp.requires(*TRACKERS)
    @blp.writes(idempotent=True)
    @blp.arguments(ShipmentEventInSchema)
    @blp.response(201, ShipmentEventSchema)
    @blp.errors(404)
    def post(self, event, number):
        """Record a tracking event (time, status text, place, carrier reference)."""
        return service.add_event(number=number, user_id=current_user_id(), **event)
