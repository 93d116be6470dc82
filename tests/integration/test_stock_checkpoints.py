"""Stock checkpoints: stock as of any instant, read from the latest checkpoint and the entries since,
equals the sum of the whole ledger up to that instant."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from inventory import checkpoints, service
from inventory.models import StockCheckpointBalance
from tests.factories import balance_of, make_item, make_location, post

START = datetime(2020, 1, 1, tzinfo=UTC)
MICRO = timedelta(microseconds=1)
SKUS, SITES = ("SKU-A", "SKU-B", "SKU-C"), ("WH-1", "WH-2")


@pytest.fixture
def clock(monkeypatch):
    """A clock for the ledger and the checkpoints that moves on a minute every time it is read."""
    ticks = iter(range(10**6))

    def now():
        return START + timedelta(minutes=next(ticks))

    monkeypatch.setattr(service, "utcnow", now)
    monkeypatch.setattr(checkpoints, "utcnow", now)
    return now


def post_history(user_id: int, movements: int, seed: int = 7) -> list[datetime]:
    """Random receipts, issues, transfers, adjustments and counts; return each movement's created_at."""
    rng, instants = random.Random(seed), []
    for sku in SKUS:
        make_item(sku)
    for site in SITES:
        make_location(site)
    for _ in range(movements):
        sku, quantity = rng.choice(SKUS), Decimal(rng.randint(1, 40)) / 4
        kind = rng.choice(("receipt", "receipt", "issue", "transfer", "adjustment", "count"))
        places = {"location": rng.choice(SITES)}
        if kind == "transfer":
            places = dict(zip(("from_location", "to_location"), rng.sample(SITES, 2), strict=True))
        source = places.get("location") or places.get("from_location")
        if kind in ("issue", "transfer") and not _has(sku, source, quantity):
            kind, places = "receipt", {"location": source}
        instants.append(post(kind, sku, quantity, user_id=user_id, **places).created_at)
    return instants


def _has(sku: str, location: str, quantity: Decimal) -> bool:
    balance = balance_of(sku, location)
    return balance is not None and balance.on_hand >= quantity


def rounded(rows: list[dict]) -> list[tuple]:
    """Rows comparable across databases (SQLite sums decimals as floats)."""
    return [(r["sku"], r["location"], round(Decimal(r["on_hand"]), 6)) for r in rows]


def assert_as_of_equals_a_full_scan(at: datetime) -> None:
    assert rounded(checkpoints.stock_as_of(at)) == rounded(service.stock_as_of(at)), at
    for sku in SKUS:
        assert rounded(checkpoints.stock_as_of(at, sku=sku)) == rounded(service.stock_as_of(at, sku=sku))
    located = checkpoints.stock_as_of(at, sku="SKU-A", location="WH-2")
    assert rounded(located) == rounded(service.stock_as_of(at, sku="SKU-A", location="WH-2"))


def test_stock_as_of_equals_a_full_scan_at_every_instant_and_on_every_checkpoint_boundary(
    session, user_id, clock
):
    instants = post_history(user_id, 60)
    boundaries = [instants[9], instants[25] + timedelta(seconds=30), instants[40], instants[-1]]
    taken = [checkpoints.take_checkpoint(at=at) for at in boundaries]
    assert [c.taken_at for c in taken] == boundaries
    probes = {START - timedelta(days=1), instants[-1] + timedelta(days=1), *boundaries}
    probes |= {at + step for at in instants for step in (-MICRO, timedelta(0), MICRO)}
    for at in sorted(probes):
        assert_as_of_equals_a_full_scan(at)


def test_a_checkpoint_is_derived_from_the_one_before_and_the_entries_since(session, user_id, clock):
    instants = post_history(user_id, 30)
    first = checkpoints.take_checkpoint(at=instants[14])
    second = checkpoints.checkpoint_now()  # now, less the clock margin: after every entry
    assert first.entries_since_previous + second.entries_since_previous == len(
        session.scalars(service.ledger_query()).all()
    )
    kept = session.scalars(
        service.select(StockCheckpointBalance).where(StockCheckpointBalance.checkpoint_id == second.id)
    ).all()
    on_hand = {(b.item_id, b.location_id): b.on_hand for b in session.scalars(service.balances_query())}
    sums = service.ledger_sums()
    assert {(k.item_id, k.location_id): round(k.on_hand, 6) for k in kept} == {
        key: round(total, 6) for key, total in sums.items()
    }
    assert all(round(on_hand[key], 6) == round(total, 6) for key, total in sums.items())


def test_a_balance_counted_to_zero_stays_in_the_checkpoint_as_zero(session, user_id, clock):
    make_item("SKU-A"), make_location("WH-1")
    post("receipt", "SKU-A", 5, user_id=user_id, location="WH-1")
    counted = post("count", "SKU-A", 0, user_id=user_id, location="WH-1").created_at
    checkpoints.take_checkpoint(at=counted)
    assert checkpoints.stock_as_of(counted) == [{"sku": "SKU-A", "location": "WH-1", "on_hand": 0}]


def test_a_checkpoint_in_the_future_is_refused_and_one_no_newer_than_the_latest_is_not_taken(
    session, user_id, clock
):
    instants = post_history(user_id, 5)
    with pytest.raises(ValueError, match="in the past"):
        checkpoints.take_checkpoint(at=instants[-1] + timedelta(days=1))
    checkpoints.take_checkpoint(at=instants[3])
    assert checkpoints.take_checkpoint(at=instants[3]) is None
    assert checkpoints.take_checkpoint(at=instants[1]) is None


def test_the_scheduler_checkpoints_once_enough_entries_came_since_the_last_checkpoint(
    session, user_id, clock
):
    post_history(user_id, 4)
    assert checkpoints.checkpoint_if_due(every_entries=10) is None
    post_history(user_id, 8, seed=8)
    assert checkpoints.checkpoint_if_due(every_entries=10) is not None
    assert checkpoints.checkpoint_if_due(every_entries=10) is None
