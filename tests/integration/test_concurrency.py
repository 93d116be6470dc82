"""Many clients posting movements at once on a few hot balances, through the HTTP API.

Each thread has its own test client (so its own app context, session and connection) and really
commits. Afterwards every balance must equal its ledger sum, none may be below zero, and every
refused movement must have been answered with a 409 (so: movements applied == 201s).
"""

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from core.db import db
from inventory import service
from inventory.models import StockBalance, StockMovement
from tests.factories import keyed, make_item, make_location, make_user, post

SKUS = ("HOT-1", "HOT-2", "HOT-3")
LOCATIONS = ("WH-A", "WH-B", "WH-C")
OPENING_STOCK = 30


def dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def seed_hot_balances(app) -> int:
    """3 items x 3 locations with opening stock; return how many movements that took."""
    with app.app_context():
        user_id = make_user("warehouse").id
        for sku in SKUS:
            make_item(sku)
            for code in LOCATIONS:
                make_location(code)
                post("receipt", sku, OPENING_STOCK, user_id=user_id, location=code)
        db.session.commit()
    return len(SKUS) * len(LOCATIONS)


def random_movement(rng: random.Random) -> dict:
    kind = rng.choice(("receipt", "issue", "issue", "transfer", "transfer"))
    movement = {"kind": kind, "sku": rng.choice(SKUS), "quantity": rng.randint(1, 12)}
    if kind == "transfer":
        movement["from_location"], movement["to_location"] = rng.sample(LOCATIONS, 2)
    else:
        movement["location"] = rng.choice(LOCATIONS)
    return movement


def hammer(app, token: str, *, threads: int, per_thread: int) -> Counter:
    """`threads` clients post `per_thread` random movements each, all starting together."""
    statuses: list[int] = []
    start = threading.Barrier(threads)

    def client_loop(seed: int) -> None:
        client, rng = app.test_client(), random.Random(seed)
        start.wait()
        for _ in range(per_thread):
            headers = keyed(_bearer(token))
            response = client.post("/api/v1/movements", json=random_movement(rng), headers=headers)
            statuses.append(response.status_code)

    workers = [threading.Thread(target=client_loop, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return Counter(statuses)


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_ledger_consistent(app, statuses: Counter, *, seeded: int, attempted: int) -> None:
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] + statuses[409] == attempted
    assert statuses[409] > 0 and statuses[201] > 0  # the mix really ran into empty balances
    with app.app_context():
        balances = db.session.scalars(select(StockBalance)).all()
        assert {(b.item_id, b.location_id): b.on_hand for b in balances} == service.ledger_sums()
        assert min(b.on_hand for b in balances) >= 0
        applied = db.session.scalar(select(func.count()).select_from(StockMovement)) - seeded
    assert applied == statuses[201]


@pytest.mark.postgres
@pytest.mark.slow
def test_16_clients_posting_200_movements_each_keep_every_balance_equal_to_its_ledger(
    app, committed_db, make_token
):
    if dialect(app) != "postgresql":
        pytest.skip("the full-size run is for PostgreSQL")
    seeded, token = seed_hot_balances(app), make_token("warehouse")
    statuses = hammer(app, token, threads=16, per_thread=200)
    assert_ledger_consistent(app, statuses, seeded=seeded, attempted=16 * 200)


@pytest.mark.slow
def test_16_clients_on_sqlite_are_serialised_without_losing_an_update(app, committed_db, make_token):
    if dialect(app) != "sqlite":
        pytest.skip("the PostgreSQL run is the full-size one")
    seeded, token = seed_hot_balances(app), make_token("warehouse")
    statuses = hammer(app, token, threads=16, per_thread=100)  # 16 x 200 works too, in ~27 s
    assert_ledger_consistent(app, statuses, seeded=seeded, attempted=16 * 100)


def send_together(app, token: str, body: dict, key: str, *, copies: int = 2) -> list:
    """Post `body` with one `Idempotency-Key` from `copies` threads released at the same instant."""
    start, responses = threading.Barrier(copies), []

    def send() -> None:
        client = app.test_client()
        start.wait()
        headers = {**_bearer(token), "Idempotency-Key": key}
        responses.append(client.post("/api/v1/movements", json=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_the_same_request_sent_twice_at_once_with_one_key_applies_once(app, committed_db, make_token):
    seed_hot_balances(app)
    token = make_token("warehouse")
    receipt = {"kind": "receipt", "sku": "HOT-1", "location": "WH-A", "quantity": 1}
    for attempt in range(10):
        responses = send_together(app, token, receipt, f"twice-{attempt}")
        assert [r.status_code for r in responses] == [201, 201]
        assert responses[0].get_json() == responses[1].get_json()
        assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    with app.app_context():
        hot = (make_item("HOT-1").id, make_location("WH-A").id)
        assert service.ledger_sums()[hot] == OPENING_STOCK + 10
