"""Inventory services: master data (regions, items, locations), posting movements, reservations, and
the stock and ledger queries.

`post_movements` is the one way stock changes. It locks the balances it touches (created if missing
and locked by one upsert, in (item, location) order, so two transfers in opposite directions cannot
deadlock), applies the movements in order, refuses any that would take a balance below zero or into
reserved stock (the rules of `inventory.movements`: a table of kinds), and writes one ledger entry per
balance change (set-wise: `inventory.ledger`). Every
lookup is one query per kind of row for the whole document, never one per line. The caller commits.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import contains_eager

from core import audit, events
from core.db import db, get_by_key, utcnow
from core.errors import DomainError, Forbidden, Invalid
from core.fields import MAX_QUANTITY
from core.records import save_by_key
from inventory import ledger, movements, units
from inventory.events import StockMoved
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
from inventory.movements import InsufficientStock, MovementSpec, show

ZERO = Decimal(0)
LOCATION_POLICY = ("allow_negative_stock",)  # audited; only planners and admins change it
NUL = "\x00"


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


# -- balances and the ledger ------------------------------------------------------------------------


_ITEMS_BY_SKU = select(Item).where(Item.sku.in_(bindparam("skus", expanding=True)))
_LOCATIONS_BY_CODE = select(Location).where(Location.code.in_(bindparam("codes", expanding=True)))


def _referenced(specs: list[MovementSpec]) -> tuple[dict[str, Item], dict[str, Location]]:
    """The items and locations the movements name, by sku and code: one query for each kind."""
    skus = list({spec.sku for spec in specs})
    codes = list({spec.place(place) for spec in specs for place in spec.rule.places if spec.place(place)})
    items = db.session.scalars(_ITEMS_BY_SKU, {"skus": skus})
    locations = db.session.scalars(_LOCATIONS_BY_CODE, {"codes": codes}) if codes else []
    return {i.sku: i for i in items}, {loc.code: loc for loc in locations}


def post_movements(specs: Sequence[MovementSpec | Mapping], *, user_id: int) -> list[PostedMovement]:
    """Apply movements atomically in order; 409 (nothing applied) if any would go below zero.

    Each is a `MovementSpec` (or a mapping of its fields, as a parsed payload has them)."""
    specs = [MovementSpec.of(spec) for spec in specs]
    items, locations = _referenced(specs)
    index = range(len(specs)) if len(specs) > 1 else [-1]
    moves = [movements.resolve(spec, i, items, locations) for i, spec in zip(index, specs, strict=True)]
    keys = [(m.item.id, loc.id) for m in moves for loc in (m.from_location, m.to_location) if loc]
    balances = ledger.lock_balances(keys)
    on_hand = {key: balance.on_hand for key, balance in balances.items()}
    # Every movement is checked before anything changes, so a refusal leaves the session as it was.
    changes = [_changes(m, on_hand, balances, i) for i, m in zip(index, moves, strict=True)]
    ledger.write_movements(moves, changes, balances, user_id=user_id, now=utcnow())
    db.session.flush()
    moved = (
        (m.item.sku, location.code, float(delta), m.reference_type)
        for m, change in zip(moves, changes, strict=True)
        for location, delta, _ in change
    )
    events.publish(StockMoved(changes=tuple(moved)))
    return moves


def _changes(movement: PostedMovement, on_hand: dict, balances, index: int) -> list[ledger.Change]:
    """(location, delta, on hand after) per balance the movement changes; refuses a shortfall, and a
    balance or change beyond the ledger's range (422 on the movement's quantity)."""
    changes = []
    for location, delta in movements.deltas(movement, on_hand):
        key = (movement.item.id, location.id)
        on_hand[key] += delta
        movements.check_range(on_hand[key], delta, location, movement, index)
        movements.check_stock(on_hand[key], balances[key].reserved, location, movement, delta)
        changes.append((location, delta, on_hand[key]))
    return changes


def post_movement(*, user_id: int, **fields) -> PostedMovement:
    """Post one movement given as `MovementSpec`'s fields (kind, sku, quantity, location or from/to, ...)."""
    return post_movements([MovementSpec(**fields)], user_id=user_id)[0]


def reserve_stock(
    *, sku: str, location: str, quantity: Decimal, reference_type: str, reference: str, user_id: int
) -> StockReservation:
    """Hold free stock for a document; 409 if not enough is free."""
    item, loc = get_item(sku, field="sku"), get_location(location, field="location")
    balance = ledger.lock_balances([(item.id, loc.id)])[(item.id, loc.id)]
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
    balances = ledger.lock_balances((r.item_id, r.location_id) for r in open_ones)
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
        .outerjoin(StockBalance.item)  # outer: a count or a page of keys leaves them out when unused
        .outerjoin(StockBalance.location)
        .options(contains_eager(StockBalance.item), contains_eager(StockBalance.location))
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
    item = db.session.scalar(select(Item).where(Item.sku == sku))
    if item is None:
        problems.append(f"unknown sku {sku!r}")
    if not db.session.scalar(select(Location.id).where(Location.code == location)):
        problems.append(f"unknown location {location!r}")
    problem = _counted_problem(counted) or (item and units.quantity_problem(item, Decimal(counted)))
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
