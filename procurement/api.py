"""Purchasing over HTTP: suppliers, supply offers and purchase orders with their transitions."""

from flask.views import MethodView

from core import records
from core.api import Blueprint, SelectPage
from core.auth import current_user_id
from inventory.schemas import UpsertResultSchema
from procurement import service
from procurement.schemas import (
    PurchaseOrderInSchema,
    PurchaseOrderQueryArgsSchema,
    PurchaseOrderSchema,
    PurchaseReceiptSchema,
    SupplierQueryArgsSchema,
    SupplierSchema,
    SupplierUpdateSchema,
    SupplyOfferQueryArgsSchema,
    SupplyOfferSchema,
    SupplyOfferUpdateSchema,
)

blp = Blueprint(
    "procurement",
    __name__,
    url_prefix="/api/v1",
    description="Purchasing: suppliers, offers, purchase orders",
)

PLANNERS = ("planner",)
RECEIVERS = ("warehouse",)
PAGE = {"page_size": 50, "max_page_size": 1000}


@blp.route("/suppliers")
class Suppliers(MethodView):
    @blp.requires()
    @blp.arguments(SupplierQueryArgsSchema, location="query")
    @blp.response(200, SupplierSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        return service.suppliers_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(SupplierSchema)
    @blp.response(201, SupplierSchema)
    @blp.errors(409)
    def post(self, data):
        return service.save_supplier(data.pop("code"), data, create=True)[0]

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(SupplierSchema(many=True))
    @blp.response(200, UpsertResultSchema)
    def put(self, rows):
        """Create or update suppliers by code, all or none."""
        return records.upsert_many(service.save_supplier, "code", rows)


@blp.route("/suppliers/<code>")
class SupplierByCode(MethodView):
    @blp.requires()
    @blp.response(200, SupplierSchema)
    @blp.errors(404)
    def get(self, code):
        return service.get_supplier(code)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(SupplierUpdateSchema(partial=True))
    @blp.response(200, SupplierSchema)
    @blp.errors(404)
    def patch(self, data, code):
        return service.save_supplier(code, data, create=False)[0]

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, code):
        """Delete a supplier no offer or order refers to (409 otherwise: deactivate it instead)."""
        supplier = service.get_supplier(code)
        records.delete_unused(supplier, f"supplier {code!r}")


@blp.route("/supply-offers")
class SupplyOffers(MethodView):
    @blp.requires()
    @blp.arguments(SupplyOfferQueryArgsSchema, location="query")
    @blp.response(200, SupplyOfferSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        return service.offers_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(SupplyOfferSchema)
    @blp.response(201, SupplyOfferSchema)
    @blp.errors(409)
    def post(self, data):
        """Create an offer (409 if the supplier already has one for the sku at the location)."""
        keys = _offer_keys(data)
        return service.save_offer(**keys, fields=data, create=True)[0]

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(SupplyOfferSchema(many=True))
    @blp.response(200, UpsertResultSchema)
    def put(self, rows):
        """Create or update offers keyed by (supplier, sku, location), all or none."""
        return service.upsert_offers([{**_offer_keys(row), **row} for row in rows])


def _offer_keys(data: dict) -> dict:
    """Take an offer's key out of a loaded payload, named as the service names it."""
    return {
        "supplier": data.pop("supplier_code"),
        "sku": data.pop("sku"),
        "location": data.pop("location_code"),
    }


@blp.route("/supply-offers/<id:offer_id>")
class SupplyOfferById(MethodView):
    @blp.requires()
    @blp.response(200, SupplyOfferSchema)
    @blp.errors(404)
    def get(self, offer_id):
        return service.get_offer(offer_id)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(SupplyOfferUpdateSchema(partial=True))
    @blp.response(200, SupplyOfferSchema)
    @blp.errors(404)
    def patch(self, data, offer_id):
        return service.update_offer(service.get_offer(offer_id), data)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.response(204)
    @blp.errors(404)
    def delete(self, offer_id):
        service.delete_offer(offer_id)


@blp.route("/purchase-orders")
class PurchaseOrders(MethodView):
    @blp.requires()
    @blp.arguments(PurchaseOrderQueryArgsSchema, location="query")
    @blp.response(200, PurchaseOrderSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        return service.purchase_orders_query(**args)

    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.arguments(PurchaseOrderInSchema)
    @blp.response(201, PurchaseOrderSchema)
    def post(self, data):
        """Create a manual purchase order, proposed (default) or released."""
        return service.create_purchase_order(**data, source="manual", user_id=current_user_id())


@blp.route("/purchase-orders/<number>")
class PurchaseOrderByNumber(MethodView):
    @blp.requires()
    @blp.response(200, PurchaseOrderSchema)
    @blp.errors(404)
    def get(self, number):
        return service.get_purchase_order(number)


@blp.route("/purchase-orders/<number>/release")
class ReleasePurchaseOrder(MethodView):
    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.response(200, PurchaseOrderSchema)
    @blp.errors(404, 409)
    def post(self, number):
        """proposed → released (409 from any other status)."""
        return service.release_purchase_order(number=number)


@blp.route("/purchase-orders/<number>/lines/<id:line_no>/receive")
class ReceivePurchaseOrderLine(MethodView):
    @blp.requires(*RECEIVERS)
    @blp.writes(moves_stock=True)
    @blp.arguments(PurchaseReceiptSchema)
    @blp.response(200, PurchaseOrderSchema)
    @blp.errors(404, 409)
    def post(self, data, number, line_no):
        """Receive a quantity of one line into stock (a ledger receipt at the delivery location).

        409 unless the order is released or partially received, or when it would receive more than
        ordered plus the over-receipt tolerance.
        """
        return service.receive_purchase_order_line(
            number=number, line_no=line_no, qty=data["quantity"], user_id=current_user_id()
        )


@blp.route("/purchase-orders/<number>/cancel")
class CancelPurchaseOrder(MethodView):
    @blp.requires(*PLANNERS)
    @blp.writes()
    @blp.response(200, PurchaseOrderSchema)
    @blp.errors(404, 409)
    def post(self, number):
        """proposed or released (nothing received) → cancelled (409 otherwise)."""
        return service.cancel_purchase_order(number=number)
