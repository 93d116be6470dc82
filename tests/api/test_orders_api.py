"""Customers, orders, their promises and the planning snapshot over HTTP and the command line."""

import json
from datetime import UTC, datetime

import pytest

from core.db import db
from orders import service as orders_service
from planning.checker import check_snapshot
from tests.logistics_factories import make_user, make_world

ORDER = {"customer": "C1", "requested_at": "2026-11-23T12:00:00Z", "lines": [{"sku": "NB", "quantity": 3}]}


@pytest.fixture
def world(app, client):
    with app.app_context():
        make_world(user_id=make_user())
        db.session.commit()
    return client


def post_order(client, headers, body=None, **extra):
    response = client.post("/api/v1/orders", json=(body or ORDER) | extra, headers=headers("planner"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_customers_are_created_and_bulk_upserted_by_planners(world, headers):
    rows = [
        {"code": "C1", "name": "Customer one, renamed", "channel": "retail", "region": "north"},
        {"code": "C2", "name": "Web shop", "channel": "b2c"},
    ]
    assert world.put("/api/v1/customers", json=rows, headers=headers("planner")).get_json() == {
        "created": 1,
        "updated": 1,
    }
    listed = world.get("/api/v1/customers?channel=b2c", headers=headers()).get_json()
    assert [(c["code"], c["region"]) for c in listed] == [("C2", None)]
    assert world.put("/api/v1/customers", json=rows, headers=headers("warehouse")).status_code == 403


def test_an_order_is_entered_pending_with_the_customers_defaults(world, headers):
    order = post_order(world, headers, number="SO-9")
    assert (order["number"], order["status"], order["channel"], order["region"]) == (
        "SO-9",
        "pending",
        "b2b",
        "north",
    )
    assert order["lines"] == [
        {"line": "1", "sku": "NB", "quantity": 3, "shipped_quantity": 0, "qty": 3, "shipped_qty": 0}
    ]
    assert (order["priority"], order["ship_complete"], order["promised_at"]) == (2, True, None)


def test_an_order_for_an_unknown_sku_is_invalid(world, headers):
    body = ORDER | {"lines": [{"sku": "NOPE", "quantity": 1}]}
    response = world.post("/api/v1/orders", json=body, headers=headers("planner"))
    assert response.status_code == 422
    assert "lines[0].sku" in response.get_json()["errors"]["json"]


def test_accepting_puts_an_order_in_the_plan_and_only_once(world, headers):
    number = post_order(world, headers)["number"]
    planner = headers("planner")
    assert world.post(f"/api/v1/orders/{number}/accept", headers=planner).get_json()["status"] == "accepted"
    again = world.post(f"/api/v1/orders/{number}/accept", headers=planner)
    assert again.status_code == 409
    planned = world.get("/api/v1/orders?planned=true", headers=headers()).get_json()
    assert [o["number"] for o in planned] == [number]


def test_cancel_and_close_follow_the_lifecycle(world, headers):
    number = post_order(world, headers)["number"]
    planner = headers("planner")
    assert world.post(f"/api/v1/orders/{number}/close", headers=planner).status_code == 409
    assert world.post(f"/api/v1/orders/{number}/cancel", headers=planner).get_json()["status"] == "cancelled"
    assert world.patch(f"/api/v1/orders/{number}", json={"priority": 1}, headers=planner).status_code == 409


def test_orders_are_bulk_upserted_by_number(world, headers):
    rows = [ORDER | {"number": "SO-1"}, ORDER | {"number": "SO-2", "priority": 1}]
    assert world.put("/api/v1/orders", json=rows, headers=headers("planner")).get_json() == {
        "created": 2,
        "updated": 0,
    }
    rows[0]["lines"] = [{"sku": "NB", "quantity": 4}, {"sku": "BOARD", "quantity": 1}]
    assert world.put("/api/v1/orders", json=rows, headers=headers("planner")).get_json() == {
        "created": 0,
        "updated": 2,
    }
    order = world.get("/api/v1/orders/SO-1", headers=headers()).get_json()
    assert [(x["line"], x["sku"], x["quantity"]) for x in order["lines"]] == [
        ("1", "NB", 4),
        ("2", "BOARD", 1),
    ]


def test_an_orders_promises_are_its_latest_confirmation_and_its_history(world, headers, app):
    number = post_order(world, headers)["number"]
    world.post(f"/api/v1/orders/{number}/accept", headers=headers("planner"))
    assert world.get(f"/api/v1/orders/{number}/confirmation", headers=headers()).status_code == 404
    promised = datetime(2026, 11, 24, 12, tzinfo=UTC)
    delivery = {"qty": 3, "from": "WH-A", "mode": "truck", "depart_at": datetime(2026, 11, 24, 6, tzinfo=UTC)}
    with app.app_context():
        for run, status in (("RUN-1", "unconfirmed"), ("RUN-2", "confirmed")):
            confirmed = status == "confirmed"
            orders_service.record_confirmation(
                order=number,
                status=status,
                promised_at=promised if confirmed else None,
                lines=[
                    {"line": "1", "sku": "NB", "qty": 3, "deliveries": [delivery | {"arrive_at": promised}]}
                ]
                if confirmed
                else [],
                reason="stock" if confirmed else "",
                run_ref=run,
            )
        db.session.commit()
    latest = world.get(f"/api/v1/orders/{number}/confirmation", headers=headers()).get_json()
    assert (latest["status"], latest["promised_at"], latest["run_ref"]) == (
        "confirmed",
        "2026-11-24T12:00:00+00:00",
        "RUN-2",
    )
    assert latest["lines"][0]["deliveries"][0] | {} == {
        "quantity": 3,
        "qty": 3,
        "from": "WH-A",
        "mode": "truck",
        "depart_at": "2026-11-24T06:00:00+00:00",
        "arrive_at": "2026-11-24T12:00:00+00:00",
    }
    history = world.get(f"/api/v1/orders/{number}/confirmations", headers=headers()).get_json()
    assert [(c["sequence"], c["status"]) for c in history] == [(1, "unconfirmed"), (2, "confirmed")]
    assert world.get(f"/api/v1/orders/{number}", headers=headers()).get_json()["status"] == "confirmed"


def test_warehouse_staff_and_the_scheduler_cannot_edit_orders(world, headers):
    number = post_order(world, headers)["number"]
    for role in ("warehouse", "scheduler"):
        assert world.post("/api/v1/orders", json=ORDER, headers=headers(role)).status_code == 403
        assert world.post(f"/api/v1/orders/{number}/accept", headers=headers(role)).status_code == 403
        assert world.get(f"/api/v1/orders/{number}", headers=headers(role)).status_code == 200


def test_planners_and_the_scheduler_read_the_snapshot_warehouse_staff_do_not(world, headers):
    post_order(world, headers)
    assert world.get("/api/v1/planning/snapshot", headers=headers("warehouse")).status_code == 403
    for role in ("planner", "scheduler"):
        response = world.get("/api/v1/planning/snapshot?at=2026-11-22T08:00:00Z", headers=headers(role))
        assert response.status_code == 200
        snapshot = response.get_json()
        assert snapshot["plan_start"] == "2026-11-22T08:00:00Z"
        assert check_snapshot(snapshot) == []


def test_flask_planning_snapshot_prints_the_snapshot_as_json(world, runner):
    result = runner.invoke(args=["planning", "snapshot", "--at", "2026-11-22T08:00:00"])
    assert result.exit_code == 0, result.output
    snapshot = json.loads(result.output)
    assert snapshot["plan_start"] == "2026-11-22T08:00:00Z"
    assert [loc["code"] for loc in snapshot["locations"]] == ["PL-C", "WH-A", "WH-B"]
    assert check_snapshot(snapshot) == []


def test_the_openapi_document_lists_the_new_paths(world):
    paths = world.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/lanes",
        "/api/v1/shipments/{number}/dispatch",
        "/api/v1/orders/{number}/confirmation",
        "/api/v1/planning/snapshot",
    ):
        assert path in paths


def test_flask_planning_snapshot_refuses_a_time_that_is_not_iso(world, runner):
    result = runner.invoke(args=["planning", "snapshot", "--at", "tomorrow"])
    assert result.exit_code == 2
    assert "not an ISO 8601 time" in result.output
