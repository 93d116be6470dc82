"""A checkpoint taken while a movement is in flight waits for it, so it never misses an entry that
commits after it with an earlier `created_at` (PostgreSQL: READ COMMITTED, row locks; real commits)."""

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
        checkpoint = checkpoints.take_checkpoint()
        events.append("checkpoint taken")
        db.session.commit()
        taken_at = checkpoint.taken_at
    mover.join()
    assert events == ["movement committed", "checkpoint taken"]
    with app.app_context():
        assert checkpoints.stock_as_of(taken_at) == service.stock_as_of(taken_at)
        assert checkpoints.stock_as_of(taken_at) == [{"sku": "SKU-1", "location": "WH-1", "on_hand": 8}]
        db.session.remove()
