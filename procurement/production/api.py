"""Production over HTTP: resources and their calendars, routes, production orders and their transitions."""

from flask.views import MethodView

from core import records
from core.api import Blueprint, SelectPage
from core.auth import current_user_id
from inventory.schemas import UpsertResultSchema
from procurement.production import service
from procurement.production.schemas import (
    CalendarExceptionSchema,
    ProductionOrderInSchema,
    ProductionOrderQueryArgsSchema,
    ProductionOrderSchema,
    ResourceCalendarSchema,
    ResourceQueryArgsSchema,
    ResourceSchema,
    ResourceUpdateSchema,
    RouteQueryArgsSchema,
    RouteSchema,
    RouteUpdateSchema,
)

blp = Blueprint(
    "production",
    __name__,
    url_prefix="/api/v1",
    description="Production: resources, routes, production orders",
)

PLANNERS = ("planner",)
SHOP_FLOOR = ("warehouse",)
PAGE = {"page_size": 50, "max_page_size": 1000}


@blp.route("/resources")
class Resources(MethodView):
    @blp.requires()
    @blp.arguments(ResourceQueryArgsSchema, location="query")
    @blp.response(200, ResourceSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        return service.resources_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(ResourceSchema)
    @blp.response(201, ResourceSchema)
    @blp.errors(409)
    def post(self, data):
        return service.save_resource(data.pop("code"), data, create=True)[0]

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(ResourceSchema(many=True))
    @blp.response(200, UpsertResultSchema)
    def put(self, rows):
        """Create or update resources by code, all or none."""
        return records.upsert_many(service.save_resource, "code", rows)


@blp.route("/resources/<code>")
class ResourceByCode(MethodView):
    @blp.requires()
    @blp.response(200, ResourceSchema)
    @blp.errors(404)
    def get(self, code):
        return service.get_resource(code)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(ResourceUpdateSchema(partial=True))
    @blp.response(200, ResourceSchema)
    @blp.errors(404)
    def patch(self, data, code):
        return service.save_resource(code, data, create=False)[0]

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, code):
        """Delete a resource no route refers to (409 otherwise: deactivate it instead)."""
        resource = service.get_resource(code)
        records.delete_unused(resource, f"resource {code!r}")


@blp.route("/resources/<code>/calendar")
class ResourceCalendar(MethodView):
    @blp.requires()
    @blp.response(200, CalendarExceptionSchema(many=True))
    @blp.errors(404)
    def get(self, code):
        """The resource's calendar exceptions, by day."""
        return service.calendar(code=code)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(ResourceCalendarSchema)
    @blp.response(200, CalendarExceptionSchema(many=True))
    @blp.errors(404)
    def put(self, data, code):
        """Replace the resource's calendar exceptions (closed days, overtime)."""
        return service.replace_calendar(code=code, days=data["days"])


@blp.route("/routes")
class Routes(MethodView):
    @blp.requires()
    @blp.arguments(RouteQueryArgsSchema, location="query")
    @blp.response(200, RouteSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        return service.routes_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(RouteSchema)
    @blp.response(201, RouteSchema)
    @blp.errors(409)
    def post(self, data):
        """Create a route (409 if the sku already has one on the resource)."""
        sku, resource = data.pop("sku"), data.pop("resource_code")
        return service.save_route(sku=sku, resource=resource, fields=data, create=True)[0]

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(RouteSchema(many=True))
    @blp.response(200, UpsertResultSchema)
    def put(self, rows):
        """Create or update routes keyed by (sku, resource), all or none; components are replaced."""
        return service.upsert_routes([{"resource": row.pop("resource_code"), **row} for row in rows])


@blp.route("/routes/<id:route_id>")
class RouteById(MethodView):
    @blp.requires()
    @blp.response(200, RouteSchema)
    @blp.errors(404)
    def get(self, route_id):
        return service.get_route(route_id)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(RouteUpdateSchema(partial=True))
    @blp.response(200, RouteSchema)
    @blp.errors(404)
    def patch(self, data, route_id):
        return service.update_route(service.get_route(route_id), data)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, route_id):
        """Delete a route no production order refers to (409 otherwise)."""
        service.delete_route(route_id)


@blp.route("/production-orders")
class ProductionOrders(MethodView):
    @blp.requires()
    @blp.arguments(ProductionOrderQueryArgsSchema, location="query")
    @blp.response(200, ProductionOrderSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        return service.production_orders_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(ProductionOrderInSchema)
    @blp.response(201, ProductionOrderSchema)
    def post(self, data):
        """Create a manual production order, proposed (default) or released."""
        return service.create_production_order(**data, source="manual", user_id=current_user_id())


@blp.route("/production-orders/<number>")
class ProductionOrderByNumber(MethodView):
    @blp.requires()
    @blp.response(200, ProductionOrderSchema)
    @blp.errors(404)
    def get(self, number):
        return service.get_production_order(number)


@blp.route("/production-orders/<number>/release")
class ReleaseProductionOrder(MethodView):
    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.response(200, ProductionOrderSchema)
    @blp.errors(404, 409)
    def post(self, number):
        """proposed → released (409 from any other status)."""
        return service.release_production_order(number=number)


@blp.route("/production-orders/<number>/start")
class StartProductionOrder(MethodView):
    @blp.requires(*SHOP_FLOOR)
    @blp.writes(moves_stock=True)
    @blp.response(200, ProductionOrderSchema)
    @blp.errors(404, 409)
    def post(self, number):
        """released → in_progress: issue the components at the plant (409, nothing issued, when short)."""
        return service.start_production_order(number=number, user_id=current_user_id())


@blp.route("/production-orders/<number>/complete")
class CompleteProductionOrder(MethodView):
    @blp.requires(*SHOP_FLOOR)
    @blp.writes(moves_stock=True)
    @blp.response(200, ProductionOrderSchema)
    @blp.errors(404, 409)
    def post(self, number):
        """in_progress → completed: receive the output at the plant."""
        return service.complete_production_order(number=number, user_id=current_user_id())


@blp.route("/production-orders/<number>/cancel")
class CancelProductionOrder(MethodView):
    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.response(200, ProductionOrderSchema)
    @blp.errors(404, 409)
    def post(self, number):
        """proposed or released → cancelled (409 once started)."""
        return service.cancel_production_order(number=number)
