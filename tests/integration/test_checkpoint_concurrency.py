"""A checkpoint taken while a movement is in flight waits for it, so it never misses an entry that
commits after it with an earlier `created_at`, and holds the movements after it back only until it
settles, not while it sums the ledger (PostgreSQL: READ COMMITTED, row locks; real commits)."""

import threading
import time
from datetime import timedelta

import pytest

from core.db import db
from inventory import checkpoints, service
from tests.factories import make_item, make_location, make_user, post


def test_a_checkpoint_waits_for_the_movement_in_flight_and_counts_it(app, committed_db, monkeypatch):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite serialises every writer: a checkpoint cannot overlap a movement there")
        user_id = make_user("warehouse").id
        make_item("SKU-1"), make_location("WH-1")
        post("receipt", "SKU-1", 5, user_id=user_id, location="WH-1")
        db.session.commit()
    monkeypatch.setattr(checkpoints, "CLOCK_MARGIN", timedelta(0))
    written, events = threading.Event(), []

    def slow_movement():
        with app.app_context():
            post("receipt", "SKU-1", 3, user_id=user_id, location="WH-1")  # entry written, not committed
            written.set()
            time.sleep(0.5)
            events.append("movement committed")
            db.session.commit()

    mover = threading.Thread(target=slow_movement)
    mover.start()
    written.wait(10)
    with app.app_context():
        checkpoint = checkpoints.checkpoint_now()
        events.append("checkpoint taken")
        taken_at = checkpoint.taken_at
    mover.join()
    assert events == ["movement committed", "checkpoint taken"]
    with app.app_context():
        assert checkpoints.stock_as_of(taken_at) == service.stock_as_of(taken_at)
        assert checkpoints.stock_as_of(taken_at) == [{"sku": "SKU-1", "location": "WH-1", "on_hand": 8}]
        db.session.remove()


def test_movements_wait_for_a_checkpoint_only_while_it_settles_not_while_it_sums(
    app, committed_db, monkeypatch
):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite serialises every writer")
        user_id = make_user("warehouse").id
        make_item("SKU-1"), make_location("WH-1")
        post("receipt", "SKU-1", 5, user_id=user_id, location="WH-1")
        db.session.commit()
    monkeypatch.setattr(checkpoints, "CLOCK_MARGIN", timedelta(0))
    summing, moved = threading.Event(), threading.Event()
    take = checkpoints.take_checkpoint

    def slow_sum(*, at):
        summing.set()
        assert moved.wait(10), "a movement waited for the checkpoint's sums"
        return take(at=at)

    monkeypatch.setattr(checkpoints, "take_checkpoint", slow_sum)

    def movement_meanwhile():
        summing.wait(10)
        with app.app_context():
            post("receipt", "SKU-1", 3, user_id=user_id, location="WH-1")
            db.session.commit()
            moved.set()

    mover = threading.Thread(target=movement_meanwhile)
    mover.start()
    with app.app_context():
        checkpoint = checkpoints.checkpoint_now()
        taken_at = checkpoint.taken_at
    mover.join()
    with app.app_context():
        assert checkpoints.stock_as_of(taken_at) == [{"sku": "SKU-1", "location": "WH-1", "on_hand": 5}]
        assert service.stock_as_of(taken_at) == checkpoints.stock_as_of(taken_at)
        db.session.remove()
