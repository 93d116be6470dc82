"""Inventory request and response schemas."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.fields import Quantity, Time
from inventory.models import ITEM_KINDS, LOCATION_KINDS, REFERENCE_TYPES
from inventory.movements import KINDS, PLACES

MOVEMENT_KINDS = tuple(KINDS)

Code = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$", error="1-64 letters, digits, '.', '_', '-', '/'"
)


def NonNegative(**kwargs):
    return Quantity(validate=validate.Range(min=0), **kwargs)


class RegionSchema(Schema):
    code = fields.String(required=True, validate=Code)
    name = fields.String(load_default="", validate=validate.Length(max=200))


class RegionUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(max=200))


class ItemSchema(Schema):
    sku = fields.String(required=True, validate=Code)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit = fields.String(load_default="pcs", validate=validate.Length(min=1, max=16))
    kind = fields.String(load_default="finished", validate=validate.OneOf(ITEM_KINDS))
    holding_cost_per_day = NonNegative(load_default=0)
    whole_units = fields.Boolean(
        load_default=False,
        metadata={"description": "counted in whole units (pieces): a fractional quantity of it is a 422"},
    )
    decimals = fields.Integer(
        strict=True,
        load_default=6,
        validate=validate.Range(min=0, max=6),
        metadata={"description": "decimals a quantity of it may have (0-6; ignored when whole_units)"},
    )
    active = fields.Boolean(load_default=True)
    created_at = Time(dump_only=True)
    updated_at = Time(dump_only=True)


class ItemUpdateSchema(ItemSchema):
    class Meta:
        exclude = ("sku",)


class LocationSchema(Schema):
    code = fields.String(required=True, validate=Code)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="warehouse", validate=validate.OneOf(LOCATION_KINDS))
    region = fields.String(required=True, attribute="region_code", validate=validate.Length(min=1, max=64))
    latitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(-180, 180))
    allow_negative_stock = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=True)
    created_at = Time(dump_only=True)
    updated_at = Time(dump_only=True)


class LocationUpdateSchema(LocationSchema):
    class Meta:
        exclude = ("code",)


class UpsertResultSchema(Schema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)


class CodeQueryArgsSchema(Schema):
    q = fields.String(metadata={"description": "substring of code or name"})
    active = fields.Boolean()


class ItemQueryArgsSchema(CodeQueryArgsSchema):
    kind = fields.String(validate=validate.OneOf(ITEM_KINDS))


class LocationQueryArgsSchema(CodeQueryArgsSchema):
    kind = fields.String(validate=validate.OneOf(LOCATION_KINDS))
    region = fields.String()


class BalanceSchema(Schema):
    sku = fields.String(attribute="item.sku", required=True)
    location = fields.String(attribute="location.code", required=True)
    region = fields.String(attribute="location.region.code", required=True)
    on_hand = Quantity(required=True)
    reserved = Quantity(required=True)
    free = Quantity(required=True)
    updated_at = Time(required=True)


class BalanceQueryArgsSchema(Schema):
    sku = fields.String()
    location = fields.String()
    region = fields.String()
    below_zero_free = fields.Boolean(metadata={"description": "only balances whose free stock is below zero"})


class MovementInSchema(Schema):
    """One stock movement. `quantity`: received/issued/moved (> 0), signed change (adjustment, != 0),
    or the counted balance (count, >= 0)."""

    kind = fields.String(required=True, validate=validate.OneOf(MOVEMENT_KINDS))
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quantity = Quantity(required=True)
    location = fields.String(
        validate=validate.Length(min=1, max=64), metadata={"description": "receipt, issue, adjustment, count"}
    )
    from_location = fields.String(
        validate=validate.Length(min=1, max=64), metadata={"description": "transfer"}
    )
    to_location = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "transfer"})
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    reference_type = fields.String(load_default="free", validate=validate.OneOf(REFERENCE_TYPES))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))

    @validates_schema
    def _fields_for_kind(self, data, **kwargs):
        errors = _place_errors(data.get("kind"), data) | _quantity_errors(
            data.get("kind"), data.get("quantity")
        )
        if errors:
            raise ValidationError(errors)


def _place_errors(kind: str | None, data: dict) -> dict:
    """Every misplaced location field: each place of the kind named, no other place given."""
    if kind is None:
        return {}
    places = KINDS[kind].places
    article = "an" if kind[0] in "aeiou" else "a"
    errors = {name: [f"required for {article} {kind}"] for name in places if not data.get(name)}
    named = " and ".join(places)
    errors |= {
        name: [f"{article} {kind} names {named}"] for name in PLACES if name not in places and data.get(name)
    }
    return errors


def _quantity_errors(kind: str | None, qty) -> dict:
    problem = KINDS[kind].quantity_problem(qty) if kind is not None and qty is not None else None
    return {"quantity": [problem]} if problem else {}


MAX_DOCUMENT_LINES = 5000  # a receipt or transfer of this many lines posts in one request, all or none


class MovementBatchInSchema(Schema):
    movements = fields.List(
        fields.Nested(MovementInSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_DOCUMENT_LINES),
    )


class LedgerEntrySchema(Schema):
    id = fields.Integer(required=True)
    movement_id = fields.Integer(required=True)
    kind = fields.String(attribute="movement.kind", required=True)
    sku = fields.String(attribute="movement.item.sku", required=True)
    location = fields.String(attribute="location.code", required=True)
    delta = Quantity(required=True)
    balance_after = Quantity(required=True)
    reason = fields.String(attribute="movement.reason", required=True)
    reference_type = fields.String(attribute="movement.reference_type", required=True)
    reference = fields.String(attribute="movement.reference", allow_none=True, required=True)
    created_by = fields.Integer(attribute="movement.created_by_id", required=True)
    created_at = Time(required=True)


class LedgerEffectSchema(Schema):
    location = fields.String(attribute="location.code", required=True)
    delta = Quantity(required=True)
    balance_after = Quantity(required=True)


class LocationCodeSchema(Schema):
    code = fields.String(required=True)


class MovementSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    sku = fields.String(attribute="item.sku", required=True)
    quantity = Quantity(required=True)
    from_location = fields.Pluck(LocationCodeSchema, "code", allow_none=True, required=True)
    to_location = fields.Pluck(LocationCodeSchema, "code", allow_none=True, required=True)
    reason = fields.String(required=True)
    reference_type = fields.String(required=True)
    reference = fields.String(allow_none=True, required=True)
    created_by = fields.Integer(attribute="created_by_id", required=True)
    created_at = Time(required=True)
    entries = fields.List(fields.Nested(LedgerEffectSchema), required=True)


class MovementBatchSchema(Schema):
    movements = fields.List(fields.Nested(MovementSchema), required=True)


class LedgerQueryArgsSchema(Schema):
    sku = fields.String()
    location = fields.String()
    kind = fields.String(validate=validate.OneOf(MOVEMENT_KINDS))
    reference = fields.String()
    since = Time()
    until = Time()


class LedgerPageQueryArgsSchema(LedgerQueryArgsSchema):
    """The ledger's filters and its page: by keyset (`cursor`) unless `page` asks for offset pages."""

    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))
    cursor = fields.Integer(
        validate=validate.Range(min=1, max=2**31),
        metadata={"description": "the `X-Next-Cursor` of the previous page: the entries older than it"},
    )
    page = fields.Integer(
        validate=validate.Range(min=1),
        metadata={
            "description": "offset pages with an `X-Pagination` header (total counted: slow on a long "
            "ledger); without it, pages follow `X-Next-Cursor`"
        },
    )

    @validates_schema
    def _one_way_of_paging(self, data, **kwargs):
        if "page" in data and "cursor" in data:
            raise ValidationError("page through the ledger by cursor or by page, not both", "cursor")


class StockAsOfQueryArgsSchema(Schema):
    at = Time(required=True)
    sku = fields.String()
    location = fields.String()


class StockAsOfSchema(Schema):
    sku = fields.String(required=True)
    location = fields.String(required=True)
    on_hand = Quantity(required=True)


class CountJobSchema(Schema):
    """A count applied in chunks: poll it until `status` is done, refused or failed."""

    id = fields.Integer(required=True)
    status = fields.String(
        required=True,
        metadata={
            "description": "queued, running, done; refused: rows were refused, nothing applied; failed: a "
            "chunk could not be applied, the chunks before it were (see `error`, `rows_applied`)"
        },
    )
    file_name = fields.String(required=True)
    reference = fields.Function(
        lambda job: f"count-job-{job.id}",
        required=True,
        metadata={"description": "the reference its movements carry in the ledger"},
    )
    rows_total = fields.Integer(required=True)
    rows_applied = fields.Integer(required=True)
    chunk_rows = fields.Integer(required=True)
    refused_rows = fields.Integer(required=True)
    refused = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        allow_none=True,
        required=True,
        metadata={"description": "the refused rows (the first 1000), each with its reasons"},
    )
    error = fields.String(allow_none=True, required=True)
    created_by = fields.Integer(attribute="created_by_id", required=True)
    created_at = Time(required=True)
    started_at = Time(allow_none=True, required=True)
    updated_at = Time(required=True)
    finished_at = Time(allow_none=True, required=True)
