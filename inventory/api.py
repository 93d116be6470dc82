"""Inventory over HTTP: regions, items, locations, balances, movements, the ledger and counts."""

from flask import current_app
from flask.views import MethodView
from sqlalchemy import or_, select

from core import records
from core.api import Blueprint, SelectPage
from core.auth import current_principal, current_user_id
from core.db import db
from core.errors import Invalid, NotFound
from core.guards import body_limit
from inventory import service
from inventory.models import Item, Location, Region, StockMovement
from inventory.movements import MovementSpec
from inventory.schemas import (
    BalanceQueryArgsSchema,
    BalanceSchema,
    CodeQueryArgsSchema,
    CountUploadSchema,
    ItemQueryArgsSchema,
    ItemSchema,
    ItemUpdateSchema,
    LedgerEntrySchema,
    LedgerQueryArgsSchema,
    LocationQueryArgsSchema,
    LocationSchema,
    LocationUpdateSchema,
    MovementBatchInSchema,
    MovementBatchSchema,
    MovementInSchema,
    MovementSchema,
    RegionSchema,
    RegionUpdateSchema,
    StockAsOfQueryArgsSchema,
    StockAsOfSchema,
    UpsertResultSchema,
)

blp = Blueprint(
    "inventory", __name__, url_prefix="/api/v1", description="Stock: master data, balances, ledger"
)

MASTER_DATA_EDITORS = ("warehouse", "planner")
POLICY_EDITORS = ("planner",)  # and admin: a location's stock policy (allow_negative_stock)
STOCK_KEEPERS = ("warehouse",)
PAGE = {"page_size": 50, "max_page_size": 1000}


def _search(stmt, model, key_column, args):
    if args.get("q"):
        pattern = f"%{args['q']}%"
        stmt = stmt.where(or_(key_column.ilike(pattern), model.name.ilike(pattern)))
    if args.get("active") is not None and hasattr(model, "active"):
        stmt = stmt.where(model.active == args["active"])
    if args.get("kind") and hasattr(model, "kind"):
        stmt = stmt.where(model.kind == args["kind"])
    return stmt.order_by(key_column)


def _master_data_views(
    model, key_column, key_name, *, schema, update_schema, query_schema, save, plural, editors
):
    """Register list/create/bulk-upsert and get/patch/delete views for one master-data table."""
    label = plural[:-1]

    @blp.route(f"/{plural}", endpoint=plural)
    class Collection(MethodView):
        @blp.requires()
        @blp.arguments(query_schema, location="query")
        @blp.response(200, schema(many=True))
        @blp.paginate(SelectPage, **PAGE)
        def get(self, args):
            stmt = _search(select(model), model, key_column, args)
            if args.get("region"):
                stmt = stmt.join(Region).where(Region.code == args["region"])
            return stmt

        @blp.requires(*editors)
        @blp.writes()
        @blp.arguments(schema)
        @blp.response(201, schema)
        @blp.errors(409)
        def post(self, data):
            key = data.pop(key_name)
            return save(key, data, create=True)[0]

        @blp.requires(*editors)
        @blp.writes()
        @blp.arguments(schema(many=True))
        @blp.response(200, UpsertResultSchema)
        def put(self, rows):
            return records.upsert_many(save, key_name, rows)

    @blp.route(f"/{plural}/<key>", endpoint=label)
    class Member(MethodView):
        @blp.requires()
        @blp.response(200, schema)
        @blp.errors(404)
        def get(self, key):
            return _get(model, key_column, key, label)

        @blp.requires(*editors)
        @blp.writes()
        @blp.arguments(update_schema(partial=True))
        @blp.response(200, schema)
        @blp.errors(404)
        def patch(self, data, key):
            return save(key, data, create=False)[0]

        @blp.requires(*editors)
        @blp.writes()
        @blp.response(204)
        @blp.errors(404, 409)
        def delete(self, key):
            row = _get(model, key_column, key, label)
            records.delete_unused(row, f"{label} {key!r}")


def _save_location(code: str, fields: dict, *, create: bool | None = None):
    """Save a location as the caller: its stock policy changes only for planners and admins, audited."""
    principal = current_principal()
    return service.save_location(
        code, fields, create=create, user_id=principal.id, may_change_policy=principal.has_any(POLICY_EDITORS)
    )


def _get(model, key_column, key, label):
    row = db.session.scalar(select(model).where(key_column == key))
    if row is None:
        raise NotFound(f"no {label} {key!r}")
    return row


_master_data_views(
    Region,
    Region.code,
    "code",
    schema=RegionSchema,
    update_schema=RegionUpdateSchema,
    query_schema=CodeQueryArgsSchema,
    save=service.save_region,
    plural="regions",
    editors=("planner",),
)
_master_data_views(
    Item,
    Item.sku,
    "sku",
    schema=ItemSchema,
    update_schema=ItemUpdateSchema,
    query_schema=ItemQueryArgsSchema,
    save=service.save_item,
    plural="items",
    editors=MASTER_DATA_EDITORS,
)
_master_data_views(
    Location,
    Location.code,
    "code",
    schema=LocationSchema,
    update_schema=LocationUpdateSchema,
    query_schema=LocationQueryArgsSchema,
    save=_save_location,
    plural="locations",
    editors=MASTER_DATA_EDITORS,
)


@blp.route("/stock")
class Balances(MethodView):
    @blp.requires()
    @blp.arguments(BalanceQueryArgsSchema, location="query")
    @blp.response(200, BalanceSchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """Stock balances (on hand, reserved, free) per item and location."""
        return service.balances_query(**args)


@blp.route("/stock/as-of")
class StockAsOf(MethodView):
    @blp.requires()
    @blp.arguments(StockAsOfQueryArgsSchema, location="query")
    @blp.response(200, StockAsOfSchema(many=True))
    def get(self, args):
        """On hand per item and location at a past instant, recomputed from the ledger."""
        return service.stock_as_of(args.pop("at"), **args)


@blp.route("/movements")
class Movements(MethodView):
    @blp.requires(*STOCK_KEEPERS)
    @blp.writes(moves_stock=True)
    @blp.arguments(MovementInSchema)
    @blp.response(201, MovementSchema)
    @blp.errors(409)
    def post(self, movement):
        """Post one movement: receipt, issue, transfer, adjustment or count (409 below zero)."""
        return service.post_movements([MovementSpec(**movement)], user_id=current_user_id())[0]


@blp.route("/movements/batch")
class MovementBatch(MethodView):
    @blp.requires(*STOCK_KEEPERS)
    @blp.writes(moves_stock=True)
    @blp.arguments(MovementBatchInSchema)
    @blp.response(201, MovementBatchSchema)
    @blp.errors(409)
    def post(self, batch):
        """Post several movements in one transaction: all are applied, in order, or none."""
        specs = [MovementSpec(**movement) for movement in batch["movements"]]
        return {"movements": service.post_movements(specs, user_id=current_user_id())}


@blp.route("/movements/<id:movement_id>")
class MovementById(MethodView):
    @blp.requires()
    @blp.response(200, MovementSchema)
    @blp.errors(404)
    def get(self, movement_id):
        movement = db.session.get(StockMovement, movement_id)
        if movement is None:
            raise NotFound(f"no movement {movement_id}")
        return movement


@blp.route("/ledger")
class Ledger(MethodView):
    @blp.requires()
    @blp.arguments(LedgerQueryArgsSchema, location="query")
    @blp.response(200, LedgerEntrySchema(many=True))
    @blp.paginate(SelectPage, **PAGE)
    def get(self, args):
        """Ledger history, newest first, by sku, location, kind, reference and time."""
        return service.ledger_query(**args)


@blp.route("/counts")
class Counts(MethodView):
    @blp.requires(*STOCK_KEEPERS)
    @blp.writes(moves_stock=True)
    @blp.arguments(CountUploadSchema, location="files")
    @blp.response(201, MovementBatchSchema)
    @blp.errors(409, 413)
    @body_limit("COUNT_CSV_MAX_BYTES")
    def post(self, upload):
        """Upload a stock count CSV (`sku,location,counted`): all rows or none, each bad row named."""
        try:
            text = upload["file"].read().decode("utf-8-sig")
        except (AttributeError, UnicodeDecodeError) as e:
            raise Invalid("file", "must be a UTF-8 CSV file") from e
        rows = current_app.config["COUNT_CSV_MAX_ROWS"]
        movements = service.import_count_csv(
            text, user_id=current_user_id(), max_rows=rows, reason="stock count"
        )
        return {"movements": movements}
