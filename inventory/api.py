"""Inventory over HTTP: regions, items, locations, balances, movements, the ledger and counts."""

from flask import after_this_request, current_app, request, url_for
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from core import records
from core.api import Blueprint, SelectPage
from core.auth import current_principal, current_user_id
from core.db import db
from core.errors import NotFound
from core.guards import body_limit
from inventory import checkpoints, count_jobs, service
from inventory.csv_upload import COUNT_CSV_BODY, csv_upload_text
from inventory.models import (
    Item,
    LedgerEntry,
    Location,
    Region,
    StockBalance,
    StockCountJob,
    StockMovement,
)
from inventory.movements import MovementSpec
from inventory.schemas import (
    BalanceQueryArgsSchema,
    BalanceSchema,
    CodeQueryArgsSchema,
    CountJobSchema,
    ItemQueryArgsSchema,
    ItemSchema,
    ItemUpdateSchema,
    LedgerEntrySchema,
    LedgerPageQueryArgsSchema,
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


def save_location_as_caller(code: str, fields: dict, *, create: bool | None = None):
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
    save=save_location_as_caller,
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
        # item and location come from the query's own joins, not joined a second time for loading
        return service.balances_query(**args).options(
            contains_eager(StockBalance.item), contains_eager(StockBalance.location)
        )


@blp.route("/stock/as-of")
class StockAsOf(MethodView):
    @blp.requires()
    @blp.arguments(StockAsOfQueryArgsSchema, location="query")
    @blp.response(200, StockAsOfSchema(many=True))
    def get(self, args):
        """On hand per item and location at a past instant: the latest checkpoint before it plus the
        ledger entries since."""
        return checkpoints.stock_as_of(args.pop("at"), **args)


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


NEXT_CURSOR = "X-Next-Cursor"


@blp.route("/ledger")
class Ledger(MethodView):
    @blp.requires()
    @blp.arguments(LedgerPageQueryArgsSchema, location="query")
    @blp.response(
        200,
        LedgerEntrySchema(many=True),
        headers={
            NEXT_CURSOR: {
                "description": "pass as `cursor` for the next (older) page; absent on the last page",
                "schema": {"type": "string"},
            },
            "Link": {"description": 'the next page, rel="next"', "schema": {"type": "string"}},
        },
    )
    def get(self, args):
        """Ledger history, newest first, by sku, location, kind, reference and time; paged by keyset:
        follow `X-Next-Cursor` (or `Link`). `page` still gives offset pages (`X-Pagination`)."""
        size, cursor, page = args.pop("page_size"), args.pop("cursor", None), args.pop("page", None)
        # each entry shows its movement's kind, sku, reason...: loaded by the query's own join, not one by one
        movement = contains_eager(LedgerEntry.movement)
        entries = service.ledger_query(**args).options(
            movement.contains_eager(StockMovement.item),
            movement.lazyload(StockMovement.from_location),
            movement.lazyload(StockMovement.to_location),
        )
        if page is not None:
            return _offset_page(entries, page, size)
        return _keyset_page(entries, cursor, size)


def _keyset_page(entries, cursor: int | None, size: int):
    """The `size` entries older than `cursor` (newest first), and the next page's cursor and link."""
    if cursor is not None:
        entries = entries.where(LedgerEntry.id < cursor)
    rows = db.session.scalars(entries.limit(size + 1)).all()
    if len(rows) <= size:
        return rows, {}
    after = rows[size - 1].id
    query = {**request.args.to_dict(), "cursor": after}
    return rows[:size], {
        NEXT_CURSOR: str(after),
        "Link": f'<{url_for(request.endpoint, **query)}>; rel="next"',
    }


def _offset_page(entries, page: int, size: int):
    """Offset pages as the ledger had them before keyset pages (`X-Pagination` with the total)."""
    params = PaginationParameters(page, size)
    rows = SelectPage(entries, page_params=params).items
    return blp._set_pagination_metadata(params, rows, {})


@blp.route("/counts")
class Counts(MethodView):
    @blp.requires(*STOCK_KEEPERS)
    @blp.writes(moves_stock=True)
    @blp.doc(requestBody=COUNT_CSV_BODY)
    @blp.response(201, MovementBatchSchema)
    @blp.errors(409, 413, 422)
    @body_limit("COUNT_CSV_MAX_BYTES")
    def post(self):
        """Upload a stock count CSV (`sku,location,counted`): all rows or none, each bad row named.

        Send the CSV as the body (`Content-Type: text/csv`) or as the multipart form field `file`."""
        text = csv_upload_text()
        rows = current_app.config["COUNT_CSV_MAX_ROWS"]
        movements = service.import_count_csv(
            text, user_id=current_user_id(), max_rows=rows, reason="stock count"
        )
        return {"movements": movements}


@blp.route("/counts/jobs")
class CountJobs(MethodView):
    @blp.requires(*STOCK_KEEPERS)
    @blp.writes(moves_stock=True)
    @blp.doc(requestBody=COUNT_CSV_BODY)
    @blp.response(202, CountJobSchema)
    @blp.errors(413, 422)
    @body_limit("COUNT_JOB_MAX_BYTES")
    def post(self):
        """Upload a large stock count CSV (`sku,location,counted`) to apply in chunks: 202 with the job
        to poll. A refused row refuses the count (each named); each chunk is applied whole or not at all.
        The CSV is the body (`text/csv`) or the multipart form field `file`."""
        config = current_app.config
        upload = request.files.get("file")
        job = count_jobs.create_count_job(
            csv_upload_text(),
            file_name=(upload.filename if upload else "") or "",
            user_id=current_user_id(),
            max_rows=config["COUNT_JOB_MAX_ROWS"],
            chunk_rows=config["COUNT_JOB_CHUNK_ROWS"],
        )
        job_id = job.id

        @after_this_request
        def start_once_committed(response):
            if response.status_code == 202:
                count_jobs.start_count_job(job_id)
            return response

        return job, {"Location": url_for("inventory.count_job", job_id=job_id)}


@blp.route("/counts/jobs/<id:job_id>", endpoint="count_job")
class CountJobById(MethodView):
    @blp.requires()
    @blp.response(200, CountJobSchema)
    @blp.errors(404)
    def get(self, job_id):
        """A count job: its status and progress, and the rows it refused."""
        job = db.session.get(StockCountJob, job_id)
        if job is None:
            raise NotFound(f"no count job {job_id}")
        return job
