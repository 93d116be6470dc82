"""A supplier's date is the plan's date: a later date it proposes, once a planner accepts it, moves the
purchase receipt of the next snapshot and the next run's promise of the order that waits for it; the
planner is told beforehand which orders it makes late, and the run's changes say why they moved."""

import json
import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from core import auth
from core.db import db, utcnow
from inventory import service as inventory_service
from logistics import lanes as lane_service
from orders import service as orders_service
from orders.models import CustomerOrder
from planning.runs import service as runs_service
from planning.runs.changes import plan_changes
from planning.runs.publish import plan_document
from procurement import service as procurement_service
from suppliers import access, acknowledge, impact

LANE = {"unit_cost": Decimal(1), "capacity_per_day": None, "valid_from": None, "valid_to": None}


def _company(now) -> tuple[int, str]:
    """One warehouse, one item bought from SUP-A only (no offer: its open order is the only supply), one
    customer order of 20 waiting for it; returns the planner's id and the purchase order's number."""
    planner = auth.create_user(username="e2e-planner", roles=["planner"]).id
    inventory_service.save_region("north", {"name": "North"})
    inventory_service.save_location("WH-A", {"name": "WH-A", "kind": "warehouse", "region_code": "north"})
    inventory_service.save_item("BOARD", {"name": "board", "kind": "material"})
    lane_service.save_lane(
        from_code="WH-A", to_code="north", mode="truck", fields=LANE | {"transit_hours": Decimal(6)}
    )
    orders_service.save_customer("C1", {"name": "Customer", "channel": "b2b", "region_code": "north"})
    procurement_service.save_supplier("SUP-A", {"name": "Supplier A"})
    order = procurement_service.create_purchase_order(
        supplier="SUP-A",
        location="WH-A",
        lines=[{"sku": "BOARD", "qty": Decimal(30), "unit_cost": Decimal(4)}],
        receive_at=(now + timedelta(days=4)).replace(microsecond=0),
        user_id=planner,
    )
    orders_service.create_order(
        number="SO-123",
        customer_code="C1",
        created_at=now - timedelta(hours=1),
        requested_at=now + timedelta(days=1),
        lines=[{"sku": "BOARD", "quantity": Decimal(20)}],
    )
    orders_service.accept_order(number="SO-123")
    db.session.commit()
    return planner, order.number


def _plan():
    run = runs_service.request_run(trigger="cli", time_budget_s=40)
    db.session.commit()
    run = runs_service.execute_run(run.id)
    assert run.status == "succeeded", run.error
    return run


def _promise(run) -> str:
    [confirmation] = [c for c in plan_document(run)["confirmations"] if c["order_id"] == "SO-123"]
    assert confirmation["status"] == "confirmed"
    return confirmation["promised_at"]


def test_a_later_supplier_date_moves_the_receipt_and_the_next_promise(app, committed_db, headers):
    with app.app_context():
        now = utcnow()
        planner, number = _company(now)
        first = _plan()
        promised = _promise(first)
        [receipt] = [r for r in first.snapshot["receipts"] if r["ref"].startswith(number)]
        assert receipt["unconfirmed"] is True

        clerk = access.add_supplier_user(supplier="SUP-A", username="sup-a-clerk")
        supplier = access.supplier_of(clerk.id)
        moved_to = (now + timedelta(days=7)).replace(microsecond=0)
        proposal = acknowledge.acknowledge(
            number=number,
            supplier=supplier,
            decision="propose",
            user_id=clerk.id,
            deliveries=[{"line": 1, "qty": Decimal(30), "arrive_at": moved_to}],
        )
        acknowledge.decide_proposal(response_id=proposal.id, accept=True, user_id=planner)
        db.session.commit()

        moved = impact.moved_purchase_orders()
        assert [m["number"] for m in moved] == [number]
        [risk] = impact.orders_at_risk(moved)
        assert risk["message"] == f"SO-123 will be 3 days late: {number} moved"

        second = _plan()
        [receipt] = [r for r in second.snapshot["receipts"] if r["ref"].startswith(number)]
        assert receipt["arrive_at"] == moved_to.isoformat().replace("+00:00", "Z")
        assert "unconfirmed" not in receipt
        assert _promise(second) > promised
        diff = plan_changes(
            plan_document(first),
            plan_document(second),
            previous_snapshot=first.snapshot,
            snapshot=second.snapshot,
        )
        [change] = diff["orders"]
        assert (change["order"], change["direction"], change["because"]) == (
            "SO-123",
            "later",
            [f"{number}/1"],
        )
        assert change["hours"] >= 72 - 1
        assert [r["ref"] for r in diff["receipts"]] == [f"{number}/1"]
        order = db.session.scalar(select(CustomerOrder).where(CustomerOrder.number == "SO-123"))
        assert order.promised_at.isoformat().startswith(_promise(second)[:16])

        second_id = second.id
    # the run's changes over HTTP: the order, how its promise moved, and the moved purchase order line why
    client, planner_headers = app.test_client(), headers("planner")
    url = f"/api/v1/planning/runs/{second_id}/changes"
    response = client.get(url, headers=planner_headers)
    assert response.status_code == 200
    [row] = response.get_json()
    assert (row["order"], row["direction"], row["broken"], row["because"]) == (
        "SO-123",
        "later",
        True,
        [f"{number}/1"],
    )
    assert row["hours"] >= 72 - 1 and json.loads(response.headers["X-Pagination"])["total"] == 1
    assert client.get(f"{url}?direction=earlier", headers=planner_headers).get_json() == []
    refused = client.get(f"{url}?direction=sideways", headers=planner_headers)
    assert refused.status_code == 422 and "direction" in refused.get_json()["errors"]["query"]
    # the run's changes page says the same, in the same words
    with app.app_context():
        auth.create_user(username="changes-reader", roles=["planner"], password="s3cret-pass")
        db.session.commit()
    page = app.test_client()
    login = page.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    form = {"username": "changes-reader", "password": "s3cret-pass", "csrf_token": token}
    assert page.post("/login", data=form).status_code == 302
    html = page.get(f"/runs/{second_id}/changes").get_data(as_text=True)
    assert "SO-123" in html and "later · promise broken" in html and f"{number}/1" in html
    first_changes = client.get(f"/api/v1/planning/runs/{second_id - 1}/changes", headers=planner_headers)
    assert first_changes.status_code == 200 and first_changes.get_json() == []  # nothing before it
