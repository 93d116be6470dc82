"""The ledger's rows written set-wise: a whole document's movements and entries in a few statements.

`lock_balances` creates and locks the balances a document touches; `service.post_movements` checks its
movements against them (the rules of `inventory.movements`); `write_movements`
then takes ids for all its movements in one query (a single movement: its insert returns its id),
inserts the movements, then their ledger entries, and sets the balances, one statement for each (on
PostgreSQL an `unnest` of one array per column; on SQLite an executemany), with no ORM object per
row. What it returns (`PostedMovement`) reads like a `StockMovement` to the response schemas.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import Table, bindparam, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm.attributes import set_committed_value

from core.db import db, dialect_name, upsert_insert, utcnow
from inventory.models import Item, LedgerEntry, Location, StockBalance, StockMovement


@dataclass
class LedgerEffect:
    """The change one posted movement made to one balance, and the balance after it."""

    location: Location
    delta: Decimal
    balance_after: Decimal


@dataclass
class PostedMovement:
    """A movement as checked and then posted (`id`, `created_*` and `entries` are set when written)."""

    kind: str
    item: Item
    quantity: Decimal
    from_location: Location | None
    to_location: Location | None
    reason: str
    reference_type: str
    reference: str | None
    id: int | None = None
    created_by_id: int | None = None
    created_at: datetime | None = None
    entries: list[LedgerEffect] = field(default_factory=list)


ZERO = Decimal(0)
Change = tuple[Location, Decimal, Decimal]  # (location, delta, on hand after)


def lock_balances(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StockBalance]:
    """Create missing balances and lock all of `keys` (item_id, location_id), in sorted order.

    One statement: an insert that, on a balance that exists, locks it instead (an update of its
    `updated_at` alone, which whoever locks a balance changes anyway) and returns it as last committed."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    now = utcnow()
    if dialect_name() == "postgresql":  # the keys as two arrays: one short statement whatever their number
        return {(b.item_id, b.location_id): b for b in lock_balances_from_arrays(keys, now=now)}
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


def next_ids(table: Table, count: int) -> list[int]:
    """`count` fresh primary keys of `table`, ascending, taken in one query."""
    if dialect_name() == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        taken = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        return sorted(db.session.scalars(taken))
    # SQLite: the transaction began with BEGIN IMMEDIATE, so no other writer takes an id meanwhile.
    top = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return list(range(top + 1, top + 1 + count))


def write_movements(
    movements: list[PostedMovement],
    changes: list[list[Change]],
    balances: dict[tuple[int, int], StockBalance],
    *,
    user_id: int,
    now: datetime,
) -> None:
    """Insert checked movements and their ledger entries, and set their balances' on hand."""
    for movement in movements:
        movement.created_by_id, movement.created_at = user_id, now
    ids = _insert_movements([_movement_row(m) for m in movements])
    entry_rows, on_hand = [], {}
    for movement_id, movement, movement_changes in zip(ids, movements, changes, strict=True):
        movement.id = movement_id
        for location, delta, after in movement_changes:
            movement.entries.append(LedgerEffect(location, delta, after))
            entry_rows.append(
                {
                    "movement_id": movement_id,
                    "item_id": movement.item.id,
                    "location_id": location.id,
                    "delta": delta,
                    "balance_after": after,
                }
            )
            on_hand[balances[(movement.item.id, location.id)]] = after
    _insert(LedgerEntry.__table__, entry_rows, created_at=now)
    _set_on_hand(on_hand, now=now)


def _insert_movements(rows: list[dict]) -> list[int]:
    """Insert movement rows; return their ids in order. One row's insert returns its id; a document
    takes all its ids in one query, then inserts all its rows in one statement."""
    table = StockMovement.__table__
    if len(rows) == 1:
        return [db.session.scalar(_INSERT_ONE_MOVEMENT, rows[0])]
    ids = next_ids(table, len(rows))
    _insert(table, [{"id": i, **row} for row, i in zip(rows, ids, strict=True)])
    return ids


_INSERT_ONE_MOVEMENT = insert(StockMovement.__table__).returning(StockMovement.__table__.c.id)


def _insert(table: Table, rows: list[dict], **same: object) -> None:
    """Insert `rows` (dicts of the same columns), each with the values `same`: on PostgreSQL one
    INSERT ... SELECT unnest(one array per column), elsewhere one executemany."""
    if dialect_name() != "postgresql":
        db.session.execute(insert(table), [{**row, **same} for row in rows])
        return
    columns = tuple(rows[0])
    arrays = {f"{c}_array": [row[c] for row in rows] for c in columns}
    constants = {f"{c}_value": value for c, value in same.items()}
    db.session.execute(_unnest_insert(table, columns, tuple(same)), arrays | constants)


@cache
def _unnest_insert(table: Table, columns: tuple[str, ...], same: tuple[str, ...]):
    """INSERT INTO table (columns, same) SELECT unnest(:<column>_array)..., :<same>_value...: built once."""
    arrays = [func.unnest(bindparam(f"{c}_array", type_=ARRAY(table.c[c].type))) for c in columns]
    constants = [bindparam(f"{c}_value", type_=table.c[c].type) for c in same]
    return insert(table).from_select([*columns, *same], select(*arrays, *constants))


def _set_on_hand(on_hand: dict[StockBalance, Decimal], *, now: datetime) -> None:
    """Write each balance's new on hand in one statement, and tell the session's loaded balances."""
    if dialect_name() == "postgresql":
        arrays = {"ids": [b.id for b in on_hand], "on_hands": list(on_hand.values()), "now": now}
        db.session.execute(_SET_ON_HAND_FROM_ARRAYS, arrays)
    else:
        rows = [{"b_id": b.id, "b_on_hand": after, "now": now} for b, after in on_hand.items()]
        db.session.execute(_SET_ON_HAND, rows)
    for balance, after in on_hand.items():
        set_committed_value(balance, "on_hand", after)
        set_committed_value(balance, "updated_at", now)


_BALANCES = StockBalance.__table__
_SET_ON_HAND = (
    update(_BALANCES)
    .where(_BALANCES.c.id == bindparam("b_id"))
    .values(
        on_hand=bindparam("b_on_hand", type_=_BALANCES.c.on_hand.type),
        updated_at=bindparam("now", type_=_BALANCES.c.updated_at.type),
    )
)
_NEW_ON_HAND = select(
    func.unnest(bindparam("ids", type_=ARRAY(_BALANCES.c.id.type))).label("id"),
    func.unnest(bindparam("on_hands", type_=ARRAY(_BALANCES.c.on_hand.type))).label("on_hand"),
).subquery()
_SET_ON_HAND_FROM_ARRAYS = (
    update(_BALANCES)
    .where(_BALANCES.c.id == _NEW_ON_HAND.c.id)
    .values(on_hand=_NEW_ON_HAND.c.on_hand, updated_at=bindparam("now", type_=_BALANCES.c.updated_at.type))
)


def lock_balances_from_arrays(keys: list[tuple[int, int]], *, now: datetime) -> list[StockBalance]:
    """PostgreSQL: create the missing balances of sorted `keys` (item_id, location_id) and lock them all,
    in key order, returned as last committed: `service.lock_balances` in one statement over two arrays.
    (As one parameter per value, a 5,000-line document's upsert took psycopg longer to parse than the
    server to run.)"""
    arrays = {"item_ids": [i for i, _ in keys], "location_ids": [loc for _, loc in keys], "now": now}
    return db.session.scalars(_LOCK_FROM_ARRAYS, arrays).all()


_KEYS = select(
    func.unnest(bindparam("item_ids", type_=ARRAY(_BALANCES.c.item_id.type))).label("item_id"),
    func.unnest(bindparam("location_ids", type_=ARRAY(_BALANCES.c.location_id.type))).label("location_id"),
).subquery()
_NEW_BALANCES = pg_insert(_BALANCES).from_select(
    ["item_id", "location_id", "on_hand", "reserved", "updated_at"],
    select(
        _KEYS.c.item_id,
        _KEYS.c.location_id,
        literal(Decimal(0)),
        literal(Decimal(0)),
        bindparam("now", type_=_BALANCES.c.updated_at.type),
    ).order_by(_KEYS.c.item_id, _KEYS.c.location_id),
)
_LOCK_FROM_ARRAYS = (
    select(StockBalance)
    .from_statement(
        _NEW_BALANCES.on_conflict_do_update(
            index_elements=["item_id", "location_id"], set_={"updated_at": _NEW_BALANCES.excluded.updated_at}
        ).returning(*_BALANCES.c)
    )
    .execution_options(populate_existing=True)
)


def _movement_row(movement: PostedMovement) -> dict:
    return {
        "kind": movement.kind,
        "item_id": movement.item.id,
        "quantity": movement.quantity,
        "from_location_id": movement.from_location.id if movement.from_location else None,
        "to_location_id": movement.to_location.id if movement.to_location else None,
        "reason": movement.reason,
        "reference_type": movement.reference_type,
        "reference": movement.reference,
        "created_by_id": movement.created_by_id,
        "created_at": movement.created_at,
    }
