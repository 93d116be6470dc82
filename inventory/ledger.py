"""The ledger's rows written set-wise: a whole document's movements and entries in a few statements.

`service.post_movements` checks a document's movements against its locked balances; `write_movements`
then takes ids for all its movements in one query (a single movement: its insert returns its id) and
inserts the movements, then their ledger entries, each as one executemany (psycopg sends the rows in
one pipeline), with no ORM object per row. What it returns (`PostedMovement`) reads like a
`StockMovement` to the response schemas.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Table, func, insert, select

from core.db import db
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


Change = tuple[Location, Decimal, Decimal]  # (location, delta, on hand after)


def next_ids(table: Table, count: int) -> list[int]:
    """`count` fresh primary keys of `table`, ascending, taken in one query."""
    if db.session.get_bind().dialect.name == "postgresql":
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
    """Insert checked movements and their ledger entries, and set their balances (flushed by the caller)."""
    for movement in movements:
        movement.created_by_id, movement.created_at = user_id, now
    ids = _insert_movements([_movement_row(m) for m in movements])
    entry_rows = []
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
                    "created_at": now,
                }
            )
            balance = balances[(movement.item.id, location.id)]
            balance.on_hand, balance.updated_at = after, now
    db.session.execute(insert(LedgerEntry.__table__), entry_rows)


def _insert_movements(rows: list[dict]) -> list[int]:
    """Insert movement rows; return their ids in order. One row's insert returns its id; a document
    takes all its ids in one query, then inserts its rows in one executemany."""
    table = StockMovement.__table__
    if len(rows) == 1:
        return [db.session.scalar(insert(table).values(rows[0]).returning(table.c.id))]
    ids = next_ids(table, len(rows))
    db.session.execute(insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


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
