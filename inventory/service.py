"""Inventory services: master data, and the stock ledger through which every stock change goes.

`post_movements` is the one way stock changes. It locks the balances it touches (created if missing
and locked by one upsert, in (item, location) order, so two transfers in opposite directions cannot
deadlock), applies the movements in order, refuses any that would take a balance below zero or into
reserved stock, and writes one ledger entry per balance change (set-wise: `inventory.ledger`). Every
lookup is one query per kind of row for the whole document, never one per line. The caller commits.
"""

import csv
import io
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import Select, bindparam, func, select

from core import audit
from core.db import db, dialect_name, get_by_key, referring_rows, upsert_insert, utcnow
from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from core.fields import MAX_QUANTITY
from inventory import ledger
from inventory.ledger import PostedMovement
from inventory.models import (
    Item,
    LedgerEntry,
    Location,
    Region,
    StockBalance,
    StockMovement,
    StockReservation,
)

ZERO = Decimal(0)
LOCATION_POLICY = ("allow_negative_stock",)  # audited; only planners and admins change it
NUL = "\x00"


def show(quantity: Decimal) -> str:
    """A quantity for a message: `-1`, `2.5`, never `-1.000000` or `1E+2`."""
    text = f"{quantity:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class TooManyRows(DomainError):
    status = 413
    code = "too_many_rows"


# -- master data ---------------------------------------------------------------------------------


def get_region(code: str, *, field: str | None = None) -> Region:
    """The region with `code`: 404, or 422 on `field` when it is a reference in a payload."""
    return get_by_key(Region, Region.code, code, what="region", field=field)


def get_item(sku: str, *, field: str | None = None) -> Item:
    return get_by_key(Item, Item.sku, sku, what="sku", field=field)


def get_location(code: str, *, field: str | None = None) -> Location:
    return get_by_key(Location, Location.code, code, what="location", field=field)


def _apply(row, fields: dict) -> None:
    for name, value in fields.items():
        setattr(row, name, value)


def _location_fields(fields: dict) -> dict:
    fields = dict(fields)
    if "region_code" in fields:
        fields["region"] = get_region(fields.pop("region_code"), field="region")
    return fields


def save_region(code: str, fields: dict, *, create: bool | None = None) -> tuple[Region, bool]:
    """Create or update a region (`create` True: must be new, False: must exist, None: upsert).

    Returns the row and whether it was created.
    """
    return save_by_key(Region, Region.code, code, fields, create=create, what="region")


def save_item(sku: str, fields: dict, *, create: bool | None = None) -> tuple[Item, bool]:
    return save_by_key(Item, Item.sku, sku, fields, create=create, what="item")


def save_location(
    code: str,
    fields: dict,
    *,
    create: bool | None = None,
    user_id: int | None = None,
    may_change_policy: bool = True,
) -> tuple[Location, bool]:
    """Create or update a location; a change of its stock policy (`allow_negative_stock`) needs
    `may_change_policy` (403 otherwise) and is audited (who, when, old → new)."""
    current = db.session.scalar(select(Location).where(Location.code == code))
    changed = audit.changes(
        current, fields, audited=LOCATION_POLICY, defaults={"allow_negative_stock": False}
    )
    if changed and not may_change_policy:
        names = ", ".join(changed)
        raise Forbidden(f"{names}: only planners and admins change a location's stock policy", field=names)
    row, created = save_by_key(
        Location, Location.code, code, _location_fields(fields), create=create, what="location"
    )
    audit.record(entity="location", key=code, changed=changed, user_id=user_id)
    return row, created


def save_by_key(model, column, key, fields: dict, *, create: bool | None, what: str):
    """Create or update the `model` row whose natural key `column` is `key`; return (row, created)."""
    row = db.session.scalar(select(model).where(column == key))
    if row is not None and create is True:
        raise Conflict(f"{what} {key!r} exists", code=f"{what}_exists")
    if row is None and create is False:
        raise NotFound(f"no {what} {key!r}")
    created = row is None
    if created:
        row = model(**{column.key: key})
        db.session.add(row)
    _apply(row, fields)
    db.session.flush()
    return row, created


def upsert_many(save, keys: str | tuple[str, ...], rows: list[dict], *, field: str | None = None) -> dict:
    """Bulk upsert by natural key (one field or several) in one transaction; return the counts.

    `save(<key>=..., fields=...)` creates or updates one row and returns (row, created); a key listed
    twice is a 422 on `field` (default: the key's fields joined by '/').
    """
    keys = (keys,) if isinstance(keys, str) else keys
    seen = Counter("/".join(str(row[k]) for k in keys) for row in rows)
    duplicates = sorted(k for k, n in seen.items() if n > 1)
    if duplicates:
        raise Invalid(field or "/".join(keys), f"listed more than once: {', '.join(duplicates)}")
    created = 0
    for row in rows:
        fields = {k: v for k, v in row.items() if k not in keys}
        created += save(**{k: row[k] for k in keys}, fields=fields)[1]
    return {"created": created, "updated": len(rows) - created}


def delete_unused(row, what: str) -> None:
    """Delete a master record nothing refers to; 409 naming what refers to it (deactivate it instead)."""
    referrers = referring_rows(row)
    if referrers:
        named = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in sorted(referrers.items()))
        message = f"{what} is referred to by {named}; deactivate it instead"
        raise Conflict(message, code="in_use", referred_to_by=referrers)
    db.session.delete(row)
    db.session.flush()


# -- balances and the ledger ------------------------------------------------------------------------


def lock_balances(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StockBalance]:
    """Create missing balances and lock all of `keys` (item_id, location_id), in sorted order.

    One statement: an insert that, on a balance that exists, locks it instead (an update of its
    `updated_at` alone, which whoever locks a balance changes anyway) and returns it as last committed."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    now = utcnow()
    if dialect_name() == "postgresql":  # the keys as two arrays: one short statement whatever their number
        return {(b.item_id, b.location_id): b for b in ledger.lock_balances_from_arrays(keys, now=now)}
    values = [
        {"item_id": i, "location_id": loc, "on_hand": ZERO, "reserved": ZERO, "updated_at": now}
        for i, loc in keys
    ]
    # Rows as parameters, not in the statement: one cached statement (insertmanyvalues), in key order.
    stmt = _balance_lock(dialect_name())
    return {(b.item_id, b.location_id): b for b in db.session.scalars(stmt, values)}


@cache
def _balance_lock(dialect: str):
    """Create-or-lock balances, returning them: built once per database (every movement runs it)."""
    insert = upsert_insert(StockBalance, dialect)
    return (
        insert.on_conflict_do_update(
            index_elements=["item_id", "location_id"], set_={"updated_at": insert.excluded.updated_at}
        )
        .returning(StockBalance, sort_by_parameter_order=True)
        .execution_options(populate_existing=True)
    )


_ITEMS_BY_SKU = select(Item).where(Item.sku.in_(bindparam("skus", expanding=True)))
_LOCATIONS_BY_CODE = select(Location).where(Location.code.in_(bindparam("codes", expanding=True)))


def _referenced(specs: list[dict]) -> tuple[dict[str, Item], dict[str, Location]]:
    """The items and locations the movements name, by sku and code: one query for each kind."""
    skus = list({spec["sku"] for spec in specs})
    codes = list(
        {spec[f] for spec in specs for f in ("location", "from_location", "to_location") if spec.get(f)}
    )
    items = db.session.scalars(_ITEMS_BY_SKU, {"skus": skus})
    locations = db.session.scalars(_LOCATIONS_BY_CODE, {"codes": codes}) if codes else []
    return {i.sku: i for i in items}, {loc.code: loc for loc in locations}


def _known(found: dict, key: str, *, what: str, field: str):
    if key not in found:
        raise Invalid(field, f"unknown {what} {key!r}")
    return found[key]


def _resolve(
    spec: dict, index: int, items: dict[str, Item], locations: dict[str, Location]
) -> PostedMovement:
    """A movement to post (not yet written) from one validated movement payload."""
    field = f"movements[{index}]." if index >= 0 else ""
    item = _known(items, spec["sku"], what="sku", field=f"{field}sku")
    if not item.active:
        raise Conflict(
            f"item {item.sku} is inactive: its stock does not move (reactivate it first)",
            code="item_inactive",
            sku=item.sku,
        )
    source = target = None
    if spec["kind"] == "transfer":
        source = _known(locations, spec["from_location"], what="location", field=f"{field}from_location")
        target = _known(locations, spec["to_location"], what="location", field=f"{field}to_location")
        if source.id == target.id:
            raise Invalid(f"{field}to_location", "a transfer needs two different locations")
    elif spec["kind"] == "issue":
        source = _known(locations, spec["location"], what="location", field=f"{field}location")
    else:
        target = _known(locations, spec["location"], what="location", field=f"{field}location")
    return PostedMovement(
        kind=spec["kind"],
        item=item,
        quantity=spec["quantity"],
        from_location=source,
        to_location=target,
        reason=spec.get("reason") or "",
        reference_type=spec.get("reference_type") or "free",
        reference=spec.get("reference"),
    )


def _deltas(movement: PostedMovement, on_hand: dict) -> list[tuple[Location, Decimal]]:
    """The (location, change of on hand) pairs a movement makes, given on hand per (item, location)."""
    qty, kind = movement.quantity, movement.kind
    if kind == "transfer":
        return [(movement.from_location, -qty), (movement.to_location, qty)]
    if kind == "issue":
        return [(movement.from_location, -qty)]
    if kind == "count":
        return [(movement.to_location, qty - on_hand[(movement.item.id, movement.to_location.id)])]
    return [(movement.to_location, qty)]  # receipt (+), adjustment (signed)


def _check(
    after: Decimal, reserved: Decimal, location: Location, movement: PostedMovement, delta: Decimal
) -> None:
    """Refuse a decrease that takes on hand below zero or, except for a count, into reserved stock."""
    if delta >= 0 or location.allow_negative_stock:
        return
    sku, where, before = movement.item.sku, location.code, after - delta
    what = f"{movement.kind} of {show(movement.quantity)} {sku} at {where}"
    if after < 0:
        raise InsufficientStock(
            f"{what} would take stock to {show(after)}", sku=sku, location=where, on_hand=float(before)
        )
    if after < reserved and movement.kind != "count":
        free = before - reserved
        raise InsufficientStock(
            f"{what} would use reserved stock (free {show(free)})", sku=sku, location=where, free=float(free)
        )


def _check_range(after: Decimal, delta: Decimal, location: Location, movement: PostedMovement, index: int):
    """Refuse a change or balance the ledger's columns cannot hold (|x| < 1e12, as every quantity)."""
    if abs(after) < MAX_QUANTITY and abs(delta) < MAX_QUANTITY:
        return
    field = f"movements[{index}].quantity" if index >= 0 else "quantity"
    raise Invalid(
        field,
        f"would take {movement.item.sku} at {location.code} to {show(after)}: "
        f"beyond the ledger's range (less than {show(MAX_QUANTITY)} in magnitude)",
    )


def post_movements(specs: list[dict], *, user_id: int) -> list[PostedMovement]:
    """Apply movements atomically in order; 409 (nothing applied) if any would go below zero."""
    items, locations = _referenced(specs)
    movements = [
        _resolve(spec, i if len(specs) > 1 else -1, items, locations) for i, spec in enumerate(specs)
    ]
    keys = [(m.item.id, loc.id) for m in movements for loc in (m.from_location, m.to_location) if loc]
    balances = lock_balances(keys)
    on_hand = {key: balance.on_hand for key, balance in balances.items()}
    # Every movement is checked before anything changes, so a refusal leaves the session as it was.
    changes = [_changes(m, on_hand, balances, i if len(specs) > 1 else -1) for i, m in enumerate(movements)]
    ledger.write_movements(movements, changes, balances, user_id=user_id, now=utcnow())
    db.session.flush()
    return movements


def _changes(movement: PostedMovement, on_hand: dict, balances, index: int) -> list[ledger.Change]:
    """(location, delta, on hand after) per balance the movement changes; refuses a shortfall, and a
    balance or change beyond the ledger's range (422 on the movement's quantity)."""
    changes = []
    for location, delta in _deltas(movement, on_hand):
        key = (movement.item.id, location.id)
        on_hand[key] += delta
        _check_range(on_hand[key], delta, location, movement, index)
        _check(on_hand[key], balances[key].reserved, location, movement, delta)
        changes.append((location, delta, on_hand[key]))
    return changes


def post_movement(*, user_id: int, **spec) -> PostedMovement:
    """Post one movement (keyword fields as in the movement schema)."""
    return post_movements([spec], user_id=user_id)[0]


def reserve_stock(
    *, sku: str, location: str, quantity: Decimal, reference_type: str, reference: str, user_id: int
) -> StockReservation:
    """Hold free stock for a document; 409 if not enough is free."""
    item, loc = get_item(sku, field="sku"), get_location(location, field="location")
    balance = lock_balances([(item.id, loc.id)])[(item.id, loc.id)]
    if balance.free < quantity and not loc.allow_negative_stock:
        raise InsufficientStock(
            f"only {show(balance.free)} {sku} free at {location}, {show(quantity)} to reserve",
            sku=sku,
            location=location,
            free=float(balance.free),
        )
    if balance.reserved + quantity >= MAX_QUANTITY:
        raise Invalid("quantity", f"would reserve beyond the ledger's range at {location}")
    balance.reserved += quantity
    reservation = StockReservation(
        item=item,
        location=loc,
        quantity=quantity,
        reference_type=reference_type,
        reference=reference,
        created_by_id=user_id,
    )
    db.session.add(reservation)
    db.session.flush()
    return reservation


def release_reservations(*, reference_type: str, reference: str) -> Decimal:
    """Release every open reservation of a document; return the quantity released."""
    stmt = select(StockReservation).where(
        StockReservation.reference_type == reference_type,
        StockReservation.reference == reference,
        StockReservation.released_at.is_(None),
    )
    open_ones = db.session.scalars(stmt).all()
    balances = lock_balances((r.item_id, r.location_id) for r in open_ones)
    released, now = ZERO, utcnow()
    for r in open_ones:
        balances[(r.item_id, r.location_id)].reserved -= r.quantity
        r.released_at = now
        released += r.quantity
    db.session.flush()
    return released


def balances_query(
    *,
    sku: str | None = None,
    location: str | None = None,
    region: str | None = None,
    below_zero_free: bool | None = None,
) -> Select:
    """Balances filtered by sku, location, region, or free stock below zero; ordered for paging."""
    stmt = (
        select(StockBalance)
        .join(StockBalance.item)
        .join(StockBalance.location)
        .order_by(Item.sku, Location.code)
    )
    if sku:
        stmt = stmt.where(Item.sku == sku)
    if location:
        stmt = stmt.where(Location.code == location)
    if region:
        stmt = stmt.where(
            Location.region_id == select(Region.id).where(Region.code == region).scalar_subquery()
        )
    if below_zero_free:
        stmt = stmt.where(StockBalance.on_hand - StockBalance.reserved < 0)
    return stmt


def ledger_query(
    *,
    sku: str | None = None,
    location: str | None = None,
    kind: str | None = None,
    reference: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select:
    """Ledger entries, newest first, filtered by sku, location, movement kind, reference and time."""
    stmt = (
        select(LedgerEntry)
        .join(LedgerEntry.movement)
        .join(StockMovement.item)
        .order_by(LedgerEntry.id.desc())
    )
    if sku:
        stmt = stmt.where(LedgerEntry.item_id == select(Item.id).where(Item.sku == sku).scalar_subquery())
    if location:
        stmt = stmt.where(
            LedgerEntry.location_id == select(Location.id).where(Location.code == location).scalar_subquery()
        )
    if kind:
        stmt = stmt.where(StockMovement.kind == kind)
    if reference:
        stmt = stmt.where(StockMovement.reference == reference)
    if since:
        stmt = stmt.where(LedgerEntry.created_at >= since)
    if until:
        stmt = stmt.where(LedgerEntry.created_at <= until)
    return stmt


def stock_as_of(at: datetime, *, sku: str | None = None, location: str | None = None) -> list[dict]:
    """On hand per (sku, location) at instant `at`, summed from the ledger."""
    stmt = (
        select(Item.sku, Location.code, func.sum(LedgerEntry.delta))
        .join(Item, Item.id == LedgerEntry.item_id)
        .join(Location, Location.id == LedgerEntry.location_id)
        .where(LedgerEntry.created_at <= at)
        .group_by(Item.sku, Location.code)
        .order_by(Item.sku, Location.code)
    )
    if sku:
        stmt = stmt.where(Item.sku == sku)
    if location:
        stmt = stmt.where(Location.code == location)
    return [{"sku": s, "location": loc, "on_hand": qty} for s, loc, qty in db.session.execute(stmt)]


def ledger_sums() -> dict[tuple[int, int], Decimal]:
    """Sum of ledger deltas per (item_id, location_id): what every balance must equal."""
    stmt = select(LedgerEntry.item_id, LedgerEntry.location_id, func.sum(LedgerEntry.delta)).group_by(
        LedgerEntry.item_id, LedgerEntry.location_id
    )
    return {(i, loc): total for i, loc, total in db.session.execute(stmt)}


def import_count_csv(
    text: str, *, user_id: int, max_rows: int, reason: str = "stock count"
) -> list[PostedMovement]:
    """Post a stock count from CSV (`sku,location,counted`): all rows or none, every bad row reported;
    more than `max_rows` rows is a 413 naming the first row beyond the limit."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        missing = {"sku", "location", "counted"} - set(reader.fieldnames or ())
    except csv.Error as e:
        raise Invalid("file", f"row 1: {e}") from e
    if missing:
        raise Invalid(
            "file", f"CSV header must name sku, location, counted; missing {', '.join(sorted(missing))}"
        )
    specs, errors = [], {}
    for row_number, row in list(
        _count_rows(reader, max_rows)
    ):  # every row read (and counted) before any lookup
        problems = _count_row_problems(row)
        if problems:
            errors[f"row {row_number}"] = problems
        else:
            specs.append(
                {
                    "kind": "count",
                    "sku": row["sku"].strip(),
                    "location": row["location"].strip(),
                    "quantity": Decimal(row["counted"].strip()),
                    "reason": reason,
                    "reference_type": "count",
                }
            )
    if errors or not specs:
        raise Invalid(
            "file", "no rows" if not errors else f"{len(errors)} bad row(s); nothing was posted", rows=errors
        )
    return post_movements(specs, user_id=user_id)


def _count_rows(reader: csv.DictReader, max_rows: int) -> Iterable[tuple[int, dict]]:
    """(row number in the file, row) for each data row; 413 past `max_rows`, 422 on an unreadable row."""
    row_number = 1
    try:
        for row_number, row in enumerate(reader, start=2):
            if row_number - 1 > max_rows:
                raise TooManyRows(
                    f"row {row_number}: a count may have at most {max_rows} rows; split the file",
                    row=row_number,
                    max_rows=max_rows,
                )
            yield row_number, row
    except csv.Error as e:
        raise Invalid("file", f"row {row_number + 1}: {e}", row=row_number + 1) from e


def _count_row_problems(row: dict) -> list[str]:
    if any(NUL in value for value in row.values() if isinstance(value, str)):
        return ["must not contain a NUL character"]
    problems = []
    sku, location, counted = ((row.get(k) or "").strip() for k in ("sku", "location", "counted"))
    if not db.session.scalar(select(Item.id).where(Item.sku == sku)):
        problems.append(f"unknown sku {sku!r}")
    if not db.session.scalar(select(Location.id).where(Location.code == location)):
        problems.append(f"unknown location {location!r}")
    problem = _counted_problem(counted)
    return [*problems, problem] if problem else problems


def _counted_problem(counted: str) -> str | None:
    """Why a counted quantity cannot enter the ledger (None if it can): a number >= 0, 6 decimals, < 1e12."""
    try:
        value = Decimal(counted)
    except ArithmeticError:
        return f"counted {counted!r} is not a number"
    if not value.is_finite() or value < 0:
        return f"counted {counted!r} must be a number >= 0 with at most 6 decimals"
    if value >= MAX_QUANTITY:
        return f"counted {counted!r} is beyond the ledger's range (less than {show(MAX_QUANTITY)})"
    if value != value.quantize(Decimal("0.000001")):
        return f"counted {counted!r} must be a number >= 0 with at most 6 decimals"
    return None
