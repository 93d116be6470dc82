"""A generated company loaded in bulk (`flask demo --size`): what the generator drew is what the database
holds and what the planner's snapshot reads back, stock entered through the ledger."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db, utcnow
from core.formats import iso, parse_time
from inventory import service as inventory_service
from inventory.models import StockBalance
from orders.models import CustomerOrder
from planning.checker import check_snapshot
from planning.company import company_snapshot, load_company
from planning.scenario_supply import PLAN_START
from planning.snapshot import build_snapshot
from tests.factories import make_user


@pytest.fixture
def loaded(app, db_session):
    with app.app_context():
        generated = company_snapshot("small", seed=3)
        counts = load_company(generated, user_id=make_user().id)
        yield generated, counts


def test_every_balance_is_the_sum_of_its_ledger_entries(loaded):
    generated, counts = loaded
    balances = {(b.item_id, b.location_id): b.on_hand for b in db.session.scalars(select(StockBalance))}
    assert balances == inventory_service.ledger_sums()
    assert (
        len(balances) == counts["stock_movements"] == sum(1 for s in generated["stock"] if s["on_hand"] > 0)
    )


def test_the_snapshot_reads_back_the_generated_orders_moved_to_today(loaded):
    generated, counts = loaded
    shift = timedelta(days=(utcnow().date() - PLAN_START.date()).days)
    snapshot = build_snapshot(at=PLAN_START + shift)
    assert check_snapshot(snapshot) == []
    assert counts["customer_orders"] == len(generated["orders"]) == len(snapshot["orders"])
    for drawn, read in zip(generated["orders"], snapshot["orders"], strict=True):
        assert (read["id"], read["region"], read["priority"]) == (
            drawn["id"],
            drawn["region"],
            drawn["priority"],
        )
        assert read["lines"] == drawn["lines"]
        assert read["ship_complete"] == drawn["ship_complete"]
        assert read["requested_at"] == iso(parse_time(drawn["requested_at"]) + shift)
        assert (read["confirmed_promise_at"] is None) == (drawn["confirmed_promise_at"] is None)
    placed = {(s["sku"], s["location"]): s["on_hand"] for s in generated["stock"] if s["on_hand"] > 0}
    assert {(s["sku"], s["location"]): s["on_hand"] for s in snapshot["stock"]} == placed
    for section in ("items", "regions", "locations", "suppliers", "supply_offers", "resources", "routes"):
        assert len(snapshot[section]) == len(generated[section]), section
    assert len(snapshot["lanes"]) == len(generated["lanes"])
    assert {lane["mode"] for lane in snapshot["lanes"]} <= {"courier", "truck", "rail", "air"}


def test_an_order_already_promised_is_loaded_confirmed(loaded):
    generated, _ = loaded
    promised = sum(1 for o in generated["orders"] if o["confirmed_promise_at"])
    stmt = select(func.count()).select_from(CustomerOrder).where(CustomerOrder.status == "confirmed")
    assert promised > 0 and db.session.scalar(stmt) == promised


def test_demo_loads_a_size_and_refuses_an_unknown_one(runner):
    result = runner.invoke(args=["demo", "--no-tokens", "--size", "huge"])
    assert result.exit_code != 0 and "--size" in result.output and "xlarge" in result.output
    result = runner.invoke(args=["demo", "--no-tokens", "--size", "small"])
    assert result.exit_code == 0, result.output
    assert "generated company small (seed 1) loaded" in result.output
    assert "customer_orders 50" in result.output
