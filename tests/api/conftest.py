"""HTTP tests set up their data with the factories, committed to the test's rolled-back transaction."""

import pytest

from core.db import db
from tests.factories import make_user, stock_at


@pytest.fixture
def seed(app, db_session):
    """`seed(factory, *args, **kwargs)`: run a factory in an app context and commit (use its primitives)."""

    def run(factory, *args, **kwargs):
        with app.app_context():
            result = factory(*args, **kwargs)
            db.session.commit()
            return result

    return run


@pytest.fixture
def stock(seed):
    """`stock("SKU-1", "WH-1", 10)`: an item and a location holding that much (received by a clerk)."""
    clerk = seed(lambda: make_user("warehouse").id)

    def receive(sku: str, location: str, quantity, **location_fields) -> None:
        seed(stock_at, sku, location, quantity, user_id=clerk, **location_fields)

    return receive
