"""Production orders over HTTP: each transition, stock through the ledger exactly once, 409s, roles."""

import secrets

import pytest

from core.db import db
from tests.procurement_factories import build_world

API = "/api/v1"


@pytest.fixture
def world(app, db_session):
    with app.app_context():
        build_world(stock={("SUB", "PL-T"): 10, ("CPU", "PL-T"): 20})
        db.session.commit()


@pytest.fixture
def planner(headers):
    return headers("planner")


@pytest.fixture
def warehouse(headers):
    return headers("warehouse")


def create_order(client, planner, *, status="proposed", qty=4):
    body = {
        "sku": "NB",
        "resource": "L1",
        "quantity": qty,
        "start_at": "2026-11-23T06:00:00+08:00",
        "status": status,
    }
    response = client.post(f"{API}/production-orders", json=body, headers=planner)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(client, headers, number, action, key=None):
    headers = dict(
        headers, **({"Idempotency-Key": key} if key else {"Idempotency-Key": secrets.token_hex(8)})
    )
    return client.post(f"{API}/production-orders/{number}/{action}", headers=headers)


def stock(client, headers):
    rows = client.get(f"{API}/stock", query_string={"location": "PL-T"}, headers=headers).get_json()
    return {row["sku"]: row["on_hand"] for row in rows}


def ledger(client, number, headers):
    entries = client.get(f"{API}/ledger", query_string={"reference": number}, headers=headers).get_json()
    return sorted((e["kind"], e["sku"], e["delta"], e["reference_type"]) for e in entries)


def test_a_new_order_ends_the_route_lead_time_after_its_start(client, world, planner):
    order = create_order(client, planner)
    assert order["number"].startswith("MO-")
    assert (order["status"], order["location"], order["start_at"], order["end_at"]) == (
        "proposed",
        "PL-T",
        "2026-11-22T22:00:00+00:00",
        "2026-11-23T22:00:00+00:00",
    )


def test_the_lifecycle_moves_components_and_output_through_the_ledger_once_each(
    client, world, planner, warehouse
):
    number = create_order(client, planner)["number"]
    assert act(client, planner, number, "release").get_json()["status"] == "released"
    assert ledger(client, number, planner) == []
    started = act(client, warehouse, number, "start")
    assert started.status_code == 200 and started.get_json()["status"] == "in_progress"
    assert ledger(client, number, warehouse) == [
        ("issue", "CPU", -8, "production_order"),
        ("issue", "SUB", -4, "production_order"),
    ]
    completed = act(client, warehouse, number, "complete").get_json()
    assert completed["status"] == "completed" and completed["closed_at"]
    assert ledger(client, number, warehouse)[-1] == ("receipt", "NB", 4, "production_order")
    assert stock(client, warehouse) == {"CPU": 12, "NB": 4, "SUB": 6}


def test_starting_with_a_short_component_is_409_and_issues_nothing(client, world, planner, warehouse):
    number = create_order(client, planner, status="released", qty=11)["number"]
    response = act(client, warehouse, number, "start")
    assert response.status_code == 409 and response.get_json()["status"] == "insufficient_stock"
    assert client.get(f"{API}/production-orders/{number}", headers=planner).get_json()["status"] == "released"
    assert ledger(client, number, planner) == [] and stock(client, planner) == {"CPU": 20, "SUB": 10}


@pytest.mark.parametrize("action", ["start", "complete"])
def test_a_retried_start_or_completion_with_the_same_key_applies_once(
    client, world, planner, warehouse, action
):
    number = create_order(client, planner, status="released")["number"]
    if action == "complete":
        act(client, warehouse, number, "start")
    moves = len(ledger(client, number, warehouse))
    first = act(client, warehouse, number, action, key=f"{action}-1")
    again = act(client, warehouse, number, action, key=f"{action}-1")
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    added = len(ledger(client, number, warehouse)) - moves
    assert added == (2 if action == "start" else 1)


def _to_status(client, planner, warehouse, status):
    number = create_order(client, planner, status="released" if status != "proposed" else "proposed")[
        "number"
    ]
    if status in ("in_progress", "completed"):
        act(client, warehouse, number, "start")
    if status == "completed":
        act(client, warehouse, number, "complete")
    if status == "cancelled":
        act(client, planner, number, "cancel")
    return number


FORBIDDEN = [
    ("proposed", "start"),
    ("proposed", "complete"),
    ("released", "release"),
    ("released", "complete"),
    ("in_progress", "release"),
    ("in_progress", "start"),
    ("in_progress", "cancel"),
    ("completed", "start"),
    ("completed", "complete"),
    ("completed", "cancel"),
    ("cancelled", "release"),
    ("cancelled", "start"),
]


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_a_forbidden_transition_is_409_naming_the_status_and_changes_nothing(
    client, world, planner, warehouse, status, action
):
    number = _to_status(client, planner, warehouse, status)
    before = client.get(f"{API}/production-orders/{number}", headers=planner).get_json()
    moves, on_hand = ledger(client, number, planner), stock(client, planner)
    role = warehouse if action in ("start", "complete") else planner
    response = act(client, role, number, action)
    assert response.status_code == 409 and f"it is {status}" in response.get_json()["message"]
    assert client.get(f"{API}/production-orders/{number}", headers=planner).get_json() == before
    assert (ledger(client, number, planner), stock(client, planner)) == (moves, on_hand)


@pytest.mark.parametrize("status", ["proposed", "released"])
def test_an_order_not_started_can_be_cancelled(client, world, planner, status):
    number = create_order(client, planner, status=status)["number"]
    response = act(client, planner, number, "cancel")
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"


def test_unknown_orders_are_404_and_an_order_without_a_route_is_422(client, world, planner, warehouse):
    assert client.get(f"{API}/production-orders/MO-999999", headers=planner).status_code == 404
    assert act(client, warehouse, "MO-999999", "start").status_code == 404
    body = {"sku": "CPU", "resource": "L1", "quantity": 1, "start_at": "2026-11-23T06:00:00Z"}
    assert client.post(f"{API}/production-orders", json=body, headers=planner).status_code == 422


def test_orders_filter_by_status_sku_resource_and_plant(client, world, planner):
    released = create_order(client, planner, status="released")["number"]
    proposed = create_order(client, planner)["number"]

    def numbers(**query):
        rows = client.get(f"{API}/production-orders", query_string=query, headers=planner).get_json()
        return [row["number"] for row in rows]

    assert numbers(status="released") == [released]
    assert numbers(sku="NB", resource="L1", location="PL-T") == [proposed, released]
    assert numbers(sku="SUB") == [] and numbers(location="WH-T") == []


def test_the_shop_floor_starts_and_completes_but_cannot_create_release_or_cancel(
    client, world, planner, warehouse
):
    number = create_order(client, planner)["number"]
    assert client.post(f"{API}/production-orders", json={}, headers=warehouse).status_code == 403
    for action in ("release", "cancel"):
        assert act(client, warehouse, number, action).status_code == 403


def test_planners_cannot_start_and_the_scheduler_only_reads(client, world, planner, headers):
    number = create_order(client, planner, status="released")["number"]
    scheduler = headers("scheduler")
    assert act(client, planner, number, "start").status_code == 403
    assert client.get(f"{API}/production-orders/{number}", headers=scheduler).status_code == 200
    for action in ("release", "start", "complete", "cancel"):
        assert act(client, scheduler, number, action).status_code == 403
