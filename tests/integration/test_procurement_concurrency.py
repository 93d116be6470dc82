"""Two transitions of one document at the same moment: the row lock lets exactly one apply."""

import threading
from datetime import UTC, datetime
from decimal import Decimal

from core.db import db
from core.errors import Conflict
from procurement import service
from procurement.production import service as production_service
from tests.procurement_factories import build_world, movements_of, on_hand


def _race(app, transition) -> list[str]:
    """Run `transition` in two threads, each with its own session, released together; return outcomes."""
    barrier, outcomes = threading.Barrier(2), []

    def attempt():
        with app.app_context():
            barrier.wait()
            try:
                transition()
                db.session.commit()
                outcomes.append("applied")
            except Conflict as e:
                db.session.rollback()
                outcomes.append(e.code)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_concurrent_receipts_of_a_whole_line_receive_it_once(app, committed_db):
    with app.app_context():
        user_id = build_world()
        order = service.create_purchase_order(
            supplier="SUP",
            location="PL-T",
            lines=[{"sku": "BRD", "qty": Decimal(100)}],
            receive_at=datetime(2026, 11, 24, tzinfo=UTC),
            user_id=user_id,
        )
        number = order.number
        db.session.commit()

    outcomes = _race(
        app,
        lambda: service.receive_purchase_order_line(
            number=number, line_no=1, qty=Decimal(100), user_id=user_id
        ),
    )

    assert outcomes == ["applied", "invalid_transition"]
    with app.app_context():
        assert (on_hand("BRD", "PL-T"), movements_of(number)) == (Decimal(100), 1)


def test_two_concurrent_starts_of_a_production_order_issue_its_components_once(app, committed_db):
    with app.app_context():
        user_id = build_world(stock={("BRD", "PL-T"): 10})
        order = production_service.create_production_order(
            sku="SUB",
            resource="L1",
            qty=Decimal(4),
            start_at=datetime(2026, 11, 24, tzinfo=UTC),
            user_id=user_id,
        )
        number = order.number
        db.session.commit()

    outcomes = _race(app, lambda: production_service.start_production_order(number=number, user_id=user_id))

    assert outcomes == ["applied", "invalid_transition"]
    with app.app_context():
        assert (on_hand("BRD", "PL-T"), movements_of(number)) == (Decimal(6), 1)
