"""Customer orders over HTTP: customers, orders and their lifecycle, and their promises."""

from flask.views import MethodView

from core import records
from core.api import Blueprint, SelectPage
from inventory.schemas import UpsertResultSchema
from orders import service
from orders.schemas import (
    ConfirmationSchema,
    CustomerQueryArgsSchema,
    CustomerSchema,
    CustomerUpdateSchema,
    OrderInSchema,
    OrderQueryArgsSchema,
    OrderSchema,
    OrderUpdateSchema,
    OrderUpsertSchema,
)

# Named "planning", the OpenAPI tag these endpoints have had since v1 (clients generated from the tags
# group by it); the planning snapshot (planning/api.py) joins this blueprint under the same tag.
blp = Blueprint(
    "planning", __name__, url_prefix="/api/v1", description="Customers, orders, promises, planning snapshot"
)

PLANNERS = ("planner",)
PAGE = {"page_size": 50, "max_page_size": 1000}


@blp.route("/customers")
class Customers(MethodView):
    @blp.requires()
    @blp.arguments(CustomerQueryArgsSchema, location="query")
    @blp.response(200, CustomerSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """Customers by code or name (`q`), channel and whether active."""
        return service.customers_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(CustomerSchema)
    @blp.response(201, CustomerSchema)
    @blp.errors(409)
    def post(self, data):
        """Create a customer (409 if its code exists)."""
        return service.save_customer(data.pop("code"), data, create=True)[0]

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(CustomerSchema(many=True))
    @blp.response(200, UpsertResultSchema)
    def put(self, rows):
        """Bulk upsert customers by code, all or none."""
        return records.upsert_many(service.save_customer, "code", rows)


@blp.route("/customers/<code>")
class CustomerByCode(MethodView):
    @blp.requires()
    @blp.response(200, CustomerSchema)
    @blp.errors(404)
    def get(self, code):
        """One customer by code."""
        return service.get_customer(code)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(CustomerUpdateSchema(partial=True))
    @blp.response(200, CustomerSchema)
    @blp.errors(404)
    def patch(self, data, code):
        """Change a customer's name, channel, default region or whether it is active."""
        return service.save_customer(code, data, create=False)[0]


@blp.route("/orders")
class Orders(MethodView):
    @blp.requires()
    @blp.arguments(OrderQueryArgsSchema, location="query")
    @blp.response(200, OrderSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """Orders by status (or `planned`), customer, ship-to region, channel and requested time."""
        return service.orders_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes(idempotent=True)
    @blp.arguments(OrderInSchema)
    @blp.response(201, OrderSchema)
    @blp.errors(409)
    def post(self, data):
        """Enter an order (pending); channel and ship-to region default to the customer's."""
        return service.create_order(**data)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(OrderUpsertSchema(many=True))
    @blp.response(200, UpsertResultSchema)
    @blp.errors(409)
    def put(self, rows):
        """Bulk upsert orders by number, all or none (409 if one exists beyond pending or accepted)."""
        return service.upsert_orders(rows)


@blp.route("/orders/<number>")
class OrderByNumber(MethodView):
    @blp.requires()
    @blp.response(200, OrderSchema)
    @blp.errors(404)
    def get(self, number):
        """One order with its lines (ordered and delivered quantities) and current promise."""
        return service.get_order(number)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(OrderUpdateSchema(partial=True))
    @blp.response(200, OrderSchema)
    @blp.errors(404, 409)
    def patch(self, data, number):
        """Change a pending or accepted order (lines given replace the lines)."""
        return service.save_order(number, data, create=False)[0]


def _order_action(action: str, summary: str):
    @blp.route(f"/orders/<number>/{action}", endpoint=f"order_{action}")
    class OrderAction(MethodView):
        @blp.requires(*PLANNERS)
        @blp.writes(idempotent=True)
        @blp.response(200, OrderSchema)
        @blp.errors(404, 409)
        @blp.doc(summary=summary)
        def post(self, number):
            return getattr(service, f"{action}_order")(number=number)


_order_action("accept", "pending → accepted: the order is planned from now on.")
_order_action(
    "cancel", "Cancel an order before it ships, with its planned or released deliveries (409 in transit)."
)
_order_action("close", "shipped → closed.")


@blp.route("/orders/<number>/confirmation")
class LatestConfirmation(MethodView):
    @blp.requires()
    @blp.response(200, ConfirmationSchema)
    @blp.errors(404)
    def get(self, number):
        """The order's current promise (404 if it has none yet)."""
        return service.latest_confirmation(number=number)


@blp.route("/orders/<number>/confirmations")
class Confirmations(MethodView):
    @blp.requires()
    @blp.response(200, ConfirmationSchema(many=True))
    @blp.errors(404)
    def get(self, number):
        """Every promise given for the order, oldest first."""
        return service.get_order(number).confirmations
