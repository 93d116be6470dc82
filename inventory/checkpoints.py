"""Stock checkpoints: every balance's on hand at an instant, so stock as of any instant stays fast.

A checkpoint at T holds, for each (item, location) with a ledger entry up to T, the sum of those
entries (zeros included). It is derived, never edited: the checkpoint before it plus the entries after
that one up to T. Stock as of `at` is the latest checkpoint at or before `at` plus the entries in
(T, at]: one checkpoint and a short stretch of the ledger, never the ledger from its beginning. Before
the first checkpoint it is the plain sum of the entries up to `at` (`service.stock_as_of`, the full
scan, is the reference the tests hold this to).

A checkpoint must not miss an entry that commits after it with `created_at <= T`. Every movement locks
its balances before it takes its `created_at`, so `settle_movements` locks the balance table in SHARE
mode on PostgreSQL: that waits for the movements in flight to commit and holds new ones back only
until its caller commits, at once. Every entry up to the instant it returns is then committed, and the
checkpoint is computed after, holding nothing back (on SQLite every write transaction excludes the
others). T lies `CLOCK_MARGIN` before now, for web instances whose clocks run a little behind this one.
"""

from datetime import datetime, timedelta

from sqlalchemy import Select, func, insert, literal, select, text, union_all

from core.db import db, dialect_name, utcnow
from inventory.models import Item, LedgerEntry, Location, StockCheckpoint, StockCheckpointBalance

CLOCK_MARGIN = timedelta(seconds=5)
LOCK_TIMEOUT = "5s"  # settling waits this long for the movements in flight, then gives up (next time)


def checkpoint_now() -> StockCheckpoint | None:
    """Checkpoint the ledger as it stands (less `CLOCK_MARGIN`); None if one is already that recent.

    A job: it commits twice, once to let the movements it held back go on, once with the checkpoint."""
    at = settle_movements()
    db.session.commit()
    checkpoint = take_checkpoint(at=at)
    db.session.commit()
    return checkpoint


def checkpoint_if_due(*, every_entries: int) -> StockCheckpoint | None:
    """`checkpoint_now` when at least `every_entries` ledger entries came after the latest checkpoint."""
    previous = latest_checkpoint()
    recent = select(LedgerEntry.id).limit(every_entries)
    if previous is not None:
        recent = recent.where(LedgerEntry.created_at > previous.taken_at)
    if db.session.scalar(select(func.count()).select_from(recent.subquery())) < every_entries:
        return None
    return checkpoint_now()


def settle_movements() -> datetime:
    """An instant up to which every movement will have committed once the caller commits (at once: on
    PostgreSQL, until then no movement can lock a balance)."""
    if dialect_name() == "postgresql":
        db.session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        db.session.execute(text("LOCK TABLE stock_balances IN SHARE MODE"))
    return utcnow() - CLOCK_MARGIN


def take_checkpoint(*, at: datetime) -> StockCheckpoint | None:
    """Checkpoint the ledger as it stood at `at`, an instant up to which every movement has committed
    (from `settle_movements`, or older); None when the latest checkpoint is at or after it."""
    if at > utcnow() - CLOCK_MARGIN:
        raise ValueError(f"a checkpoint is at least {CLOCK_MARGIN} in the past, not {at.isoformat()}")
    previous = latest_checkpoint()
    if previous is not None and previous.taken_at >= at:
        return None
    checkpoint = StockCheckpoint(taken_at=at, entries_since_previous=_entries_between(previous, at))
    db.session.add(checkpoint)
    db.session.flush()
    sums = on_hand_at(at, since=previous).subquery()
    rows = select(literal(checkpoint.id), sums.c.item_id, sums.c.location_id, sums.c.on_hand)
    columns = ["checkpoint_id", "item_id", "location_id", "on_hand"]
    db.session.execute(insert(StockCheckpointBalance).from_select(columns, rows))
    return checkpoint


def latest_checkpoint(*, at: datetime | None = None) -> StockCheckpoint | None:
    """The latest checkpoint (at or before `at`, if given)."""
    stmt = select(StockCheckpoint).order_by(StockCheckpoint.taken_at.desc()).limit(1)
    if at is not None:
        stmt = stmt.where(StockCheckpoint.taken_at <= at)
    return db.session.scalar(stmt)


def on_hand_at(
    at: datetime,
    *,
    since: StockCheckpoint | None,
    item_id: int | None = None,
    location_id: int | None = None,
) -> Select:
    """(item_id, location_id, on_hand) at `at`: the checkpoint `since` (taken at or before `at`) plus
    the entries after it up to `at`; from the beginning of the ledger if `since` is None."""
    entries = select(LedgerEntry.item_id, LedgerEntry.location_id, LedgerEntry.delta.label("quantity"))
    entries = _only(entries.where(LedgerEntry.created_at <= at), LedgerEntry, item_id, location_id)
    parts = [entries]
    if since is not None:
        parts[0] = entries.where(LedgerEntry.created_at > since.taken_at)
        kept = StockCheckpointBalance
        saved = select(kept.item_id, kept.location_id, kept.on_hand.label("quantity"))
        parts.append(_only(saved.where(kept.checkpoint_id == since.id), kept, item_id, location_id))
    both = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    return select(both.c.item_id, both.c.location_id, func.sum(both.c.quantity).label("on_hand")).group_by(
        both.c.item_id, both.c.location_id
    )


def stock_as_of(at: datetime, *, sku: str | None = None, location: str | None = None) -> list[dict]:
    """On hand per (sku, location) at instant `at`: the latest checkpoint before it plus the entries since."""
    item_id = db.session.scalar(select(Item.id).where(Item.sku == sku)) if sku else None
    location_id = (
        db.session.scalar(select(Location.id).where(Location.code == location)) if location else None
    )
    if (sku and item_id is None) or (location and location_id is None):
        return []
    sums = on_hand_at(at, since=latest_checkpoint(at=at), item_id=item_id, location_id=location_id).subquery()
    stmt = (
        select(Item.sku, Location.code, sums.c.on_hand)
        .join(Item, Item.id == sums.c.item_id)
        .join(Location, Location.id == sums.c.location_id)
        .order_by(Item.sku, Location.code)
    )
    return [{"sku": s, "location": loc, "on_hand": qty} for s, loc, qty in db.session.execute(stmt)]


def _only(stmt: Select, table, item_id: int | None, location_id: int | None) -> Select:
    if item_id is not None:
        stmt = stmt.where(table.item_id == item_id)
    if location_id is not None:
        stmt = stmt.where(table.location_id == location_id)
    return stmt


def _entries_between(previous: StockCheckpoint | None, taken_at: datetime) -> int:
    stmt = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.created_at <= taken_at)
    if previous is not None:
        stmt = stmt.where(LedgerEntry.created_at > previous.taken_at)
    return db.session.scalar(stmt)
