"""Purchase orders over HTTP: each transition, stock through the ledger exactly once, 409s, roles."""

import secrets

import pytest

from core.db import db
from tests.procurement_factories import build_world

API = "/api/v1"


@pytest.fixture
def world(app, db_session):
    with app.app_context():
        build_world()
        db.session.commit()


@pytest.fixture
def planner(headers):
    return headers("planner")


@pytest.fixture
def warehouse(headers):
    return headers("warehouse")


def create_order(client, planner, *, status="proposed", qty=100):
    body = {
        "supplier": "SUP",
        "location": "PL-T",
        "receive_at": "2026-11-24T08:00:00Z",
        "status": status,
        "lines": [{"sku": "BRD", "quantity": qty}, {"sku": "CPU", "quantity": 10, "unit_cost": 99.5}],
    }
    response = client.post(f"{API}/purchase-orders", json=body, headers=planner)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def receive(client, warehouse, number, line_no, qty, key=None):
    headers = dict(
        warehouse, **({"Idempotency-Key": key} if key else {"Idempotency-Key": secrets.token_hex(8)})
    )
    return client.post(
        f"{API}/purchase-orders/{number}/lines/{line_no}/receive", json={"quantity": qty}, headers=headers
    )


def on_hand(client, sku, headers):
    rows = client.get(
        f"{API}/stock", query_string={"sku": sku, "location": "PL-T"}, headers=headers
    ).get_json()
    return rows[0]["on_hand"] if rows else 0


def ledger(client, number, headers):
    return client.get(f"{API}/ledger", query_string={"reference": number}, headers=headers).get_json()


def test_a_new_order_is_numbered_and_priced_from_the_offer(client, world, planner):
    order = create_order(client, planner)
    assert order["number"].startswith("PO-") and order["status"] == "proposed" and order["source"] == "manual"
    assert [(li["sku"], li["unit_cost"], li["received_quantity"]) for li in order["lines"]] == [
        ("BRD", 10.5, 0),
        ("CPU", 99.5, 0),
    ]
    assert client.get(f"{API}/purchase-orders/{order['number']}", headers=planner).get_json() == order


def test_release_makes_a_proposed_order_released_and_moves_no_stock(client, world, planner):
    number = create_order(client, planner)["number"]
    response = client.post(f"{API}/purchase-orders/{number}/release", headers=planner)
    assert response.status_code == 200
    assert response.get_json()["status"] == "released" and response.get_json()["released_at"]
    assert ledger(client, number, planner) == []


def test_receiving_posts_one_ledger_receipt_per_receipt_and_moves_the_order_on(
    client, world, planner, warehouse
):
    number = create_order(client, planner, status="released")["number"]
    first = receive(client, warehouse, number, 1, 40)
    assert first.status_code == 200 and first.get_json()["status"] == "partially_received"
    assert first.get_json()["lines"][0]["received_quantity"] == 40
    receive(client, warehouse, number, 1, 60)
    done = receive(client, warehouse, number, 2, 10).get_json()
    assert done["status"] == "received" and done["closed_at"]
    entries = ledger(client, number, warehouse)
    assert sorted((e["sku"], e["delta"], e["kind"], e["reference_type"]) for e in entries) == [
        ("BRD", 40, "receipt", "purchase_order"),
        ("BRD", 60, "receipt", "purchase_order"),
        ("CPU", 10, "receipt", "purchase_order"),
    ]
    assert (on_hand(client, "BRD", warehouse), on_hand(client, "CPU", warehouse)) == (100, 10)


def test_a_retried_receipt_with_the_same_idempotency_key_applies_once(client, world, planner, warehouse):
    number = create_order(client, planner, status="released")["number"]
    first = receive(client, warehouse, number, 1, 30, key="dock-7-receipt-1")
    again = receive(client, warehouse, number, 1, 30, key="dock-7-receipt-1")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert len(ledger(client, number, warehouse)) == 1 and on_hand(client, "BRD", warehouse) == 30
    other = receive(client, warehouse, number, 1, 31, key="dock-7-receipt-1")
    assert other.status_code == 409


def test_receiving_more_than_ordered_is_409_and_receives_nothing(client, world, planner, warehouse):
    number = create_order(client, planner, status="released")["number"]
    receive(client, warehouse, number, 1, 90)
    response = receive(client, warehouse, number, 1, 11)
    assert response.status_code == 409 and response.get_json()["status"] == "over_receipt"
    order = client.get(f"{API}/purchase-orders/{number}", headers=warehouse).get_json()
    assert order["lines"][0]["received_quantity"] == 90 and len(ledger(client, number, warehouse)) == 1


def _to_status(client, planner, warehouse, status):
    if status == "partially_received":
        number = create_order(client, planner, status="released")["number"]
        receive(client, warehouse, number, 1, 1)
    elif status == "received":
        number = create_order(client, planner, status="released", qty=1)["number"]
        receive(client, warehouse, number, 1, 1)
        receive(client, warehouse, number, 2, 10)
    elif status == "cancelled":
        number = create_order(client, planner)["number"]
        client.post(f"{API}/purchase-orders/{number}/cancel", headers=planner)
    else:
        number = create_order(client, planner, status=status)["number"]
    return number


FORBIDDEN = [
    ("proposed", "receive"),
    ("released", "release"),
    ("partially_received", "release"),
    ("partially_received", "cancel"),
    ("received", "receive"),
    ("received", "cancel"),
    ("cancelled", "release"),
    ("cancelled", "receive"),
    ("cancelled", "cancel"),
]


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_a_forbidden_transition_is_409_naming_the_status_and_changes_nothing(
    client, world, planner, warehouse, status, action
):
    number = _to_status(client, planner, warehouse, status)
    before = client.get(f"{API}/purchase-orders/{number}", headers=planner).get_json()
    entries = len(ledger(client, number, planner))
    if action == "receive":
        response = receive(client, warehouse, number, 1, 1)
    else:
        response = client.post(f"{API}/purchase-orders/{number}/{action}", headers=planner)
    assert response.status_code == 409
    assert f"it is {status}" in response.get_json()["message"]
    assert client.get(f"{API}/purchase-orders/{number}", headers=planner).get_json() == before
    assert len(ledger(client, number, planner)) == entries


@pytest.mark.parametrize("status", ["proposed", "released"])
def test_an_order_with_nothing_received_can_be_cancelled(client, world, planner, status):
    number = create_order(client, planner, status=status)["number"]
    response = client.post(f"{API}/purchase-orders/{number}/cancel", headers=planner)
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"


def test_unknown_orders_and_lines_are_404(client, world, planner, warehouse):
    number = create_order(client, planner, status="released")["number"]
    assert client.get(f"{API}/purchase-orders/PO-999999", headers=planner).status_code == 404
    assert client.post(f"{API}/purchase-orders/PO-999999/release", headers=planner).status_code == 404
    assert receive(client, warehouse, number, 9, 1).status_code == 404


def test_an_order_for_an_unknown_supplier_or_sku_is_422(client, world, planner):
    body = {"supplier": "NOPE", "location": "PL-T", "receive_at": "2026-11-24T08:00:00Z", "lines": []}
    response = client.post(f"{API}/purchase-orders", json=body, headers=planner)
    assert response.status_code == 422 and "lines" in response.get_json()["errors"]["json"]
    body["lines"] = [{"sku": "NOPE", "quantity": 1, "unit_cost": 1}]
    response = client.post(f"{API}/purchase-orders", json=body, headers=planner)
    assert response.status_code == 422 and "supplier" in response.get_json()["errors"]["json"]


def test_orders_filter_by_status_supplier_sku_and_location(client, world, planner):
    released = create_order(client, planner, status="released")["number"]
    proposed = create_order(client, planner)["number"]

    def numbers(**query):
        rows = client.get(f"{API}/purchase-orders", query_string=query, headers=planner).get_json()
        return [row["number"] for row in rows]

    assert numbers(status="released") == [released]
    assert numbers(supplier="SUP", sku="CPU", location="PL-T") == [proposed, released]
    assert numbers(sku="NB") == [] and numbers(location="WH-T") == []


def test_warehouse_receives_but_cannot_create_release_or_cancel(client, world, planner, warehouse):
    number = create_order(client, planner)["number"]
    assert client.post(f"{API}/purchase-orders", json={}, headers=warehouse).status_code == 403
    for action in ("release", "cancel"):
        assert client.post(f"{API}/purchase-orders/{number}/{action}", headers=warehouse).status_code == 403


def test_planners_cannot_receive_and_the_scheduler_only_reads(client, world, planner, headers):
    number = create_order(client, planner, status="released")["number"]
    assert receive(client, planner, number, 1, 1).status_code == 403
    scheduler = headers("scheduler")
    assert client.get(f"{API}/purchase-orders/{number}", headers=scheduler).status_code == 200
    assert receive(client, scheduler, number, 1, 1).status_code == 403
    assert client.post(f"{API}/purchase-orders/{number}/cancel", headers=scheduler).status_code == 403
