"""Purchase orders sent to suppliers and answered: the supplier's answer, the planner's decision on a
proposal, and what the next planning snapshot counts on."""

import pytest

from core.db import db
from planning.snapshot import build_snapshot
from planning.webhooks import service as webhooks_service
from planning.webhooks.models import WebhookDelivery
from suppliers.models import OrderResponse
from tests.supplier_factories import DUE, later, two_suppliers

API = "/api/v1"


@pytest.fixture
def suppliers(app, db_session):
    with app.app_context():
        pair = two_suppliers()
        db.session.commit()
        return pair


def answer(client, supplier, body, *, key=None, number=None):
    headers = supplier.headers | ({"Idempotency-Key": key} if key else {})
    url = f"{API}/supplier/purchase-orders/{number or supplier.order}/acknowledgement"
    return client.post(url, json=body, headers=headers)


def receipts_of(app, number: str) -> list[dict]:
    with app.app_context():
        snapshot = build_snapshot(at=DUE.replace(day=1))
    return [r for r in snapshot["receipts"] if r["ref"].startswith(f"{number}/")]


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_an_unconfirmed_order_keeps_its_date_and_is_flagged(app, suppliers):
    a, _ = suppliers
    [receipt] = receipts_of(app, a.order)
    assert (receipt["arrive_at"], receipt["qty"], receipt["unconfirmed"]) == (iso(DUE), 100, True)


def test_an_accepted_order_is_confirmed_at_its_own_date(app, client, suppliers):
    a, _ = suppliers
    response = answer(client, a, {"decision": "accept"})
    assert response.status_code == 201, response.get_json()
    assert receipts_of(app, a.order) == [
        {"ref": f"{a.order}/1", "sku": "BRD", "location": "PL-T", "qty": 100, "arrive_at": iso(DUE)}
    ]
    [order] = client.get(f"{API}/supplier/purchase-orders", headers=a.headers).get_json()
    assert order["supplier_status"] == "accepted"
    assert order["confirmed_deliveries"] == [
        {"line": 1, "quantity": 100, "qty": 100, "arrive_at": DUE.isoformat()}
    ]


def test_a_proposal_changes_nothing_until_a_planner_accepts_it(app, client, suppliers, headers):
    a, _ = suppliers
    split = [
        {"line": 1, "quantity": 40, "arrive_at": later(2)},
        {"line": 1, "quantity": 50, "arrive_at": later(5)},
    ]
    response = answer(client, a, {"decision": "propose", "deliveries": split})
    assert response.status_code == 201, response.get_json()
    proposal = response.get_json()
    assert proposal["status"] == "pending"
    [receipt] = receipts_of(app, a.order)
    assert (receipt["arrive_at"], receipt["unconfirmed"]) == (iso(DUE), True)

    planner = headers("planner")
    pending = client.get(f"{API}/supplier-responses", query_string={"status": "pending"}, headers=planner)
    assert [r["id"] for r in pending.get_json()] == [proposal["id"]]
    decided = client.post(f"{API}/supplier-responses/{proposal['id']}/accept", json={}, headers=planner)
    assert decided.status_code == 200, decided.get_json()
    assert receipts_of(app, a.order) == [
        {"ref": f"{a.order}/1", "sku": "BRD", "location": "PL-T", "qty": 40, "arrive_at": later(2)},
        {"ref": f"{a.order}/1#2", "sku": "BRD", "location": "PL-T", "qty": 50, "arrive_at": later(5)},
    ]
    again = client.post(f"{API}/supplier-responses/{proposal['id']}/refuse", json={}, headers=planner)
    assert again.status_code == 409


def test_a_planner_refusing_a_proposal_leaves_the_order_as_it_was(app, client, suppliers, headers):
    a, _ = suppliers
    assert answer(client, a, {"decision": "accept"}).status_code == 201
    before = receipts_of(app, a.order)
    later_date = [{"line": 1, "quantity": 100, "arrive_at": later(7)}]
    proposal = answer(client, a, {"decision": "propose", "deliveries": later_date}).get_json()
    refused = client.post(
        f"{API}/supplier-responses/{proposal['id']}/refuse",
        json={"note": "we need them"},
        headers=headers("planner"),
    )
    assert refused.status_code == 200 and refused.get_json()["status"] == "refused"
    assert receipts_of(app, a.order) == before
    [order] = client.get(f"{API}/supplier/purchase-orders", headers=a.headers).get_json()
    assert order["supplier_status"] == "accepted"
    assert order["confirmed_deliveries"] == [
        {"line": 1, "quantity": 100, "qty": 100, "arrive_at": DUE.isoformat()}
    ]
    got = client.get(f"{API}/purchase-orders/{a.order}", headers=headers("planner")).get_json()
    assert (got["receive_at"], got["lines"][0]["quantity"]) == (DUE.isoformat(), 100)


def test_an_acknowledgement_retried_with_its_key_applies_once(app, client, suppliers):
    a, _ = suppliers
    first = answer(client, a, {"decision": "accept"}, key="ack-1")
    retry = answer(client, a, {"decision": "accept"}, key="ack-1")
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.headers["Idempotent-Replayed"] == "true" and retry.get_json() == first.get_json()
    with app.app_context():
        assert db.session.query(OrderResponse).count() == 1
    assert answer(client, a, {"decision": "reject", "reason": "x"}, key="ack-1").status_code == 409
    assert answer(client, a, {"decision": "accept"}).status_code == 409  # a second accept: not awaiting


def test_a_rejection_needs_a_reason_and_takes_the_order_out_of_the_plan(app, client, suppliers):
    a, _ = suppliers
    missing = answer(client, a, {"decision": "reject"})
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]["json"]
    assert answer(client, a, {"decision": "reject", "reason": "plant closed"}).status_code == 201
    assert receipts_of(app, a.order) == []
    [order] = client.get(f"{API}/supplier/purchase-orders", headers=a.headers).get_json()
    assert (order["supplier_status"], order["reason"]) == ("rejected", "plant closed")


def test_a_proposal_must_name_the_order_s_lines(client, suppliers):
    a, _ = suppliers
    bad = answer(
        client, a, {"decision": "propose", "deliveries": [{"line": 9, "quantity": 1, "arrive_at": later(1)}]}
    )
    assert bad.status_code == 422 and "deliveries[0].line" in bad.get_json()["errors"]["json"]
    assert answer(client, a, {"decision": "propose", "deliveries": []}).status_code == 422


def test_a_released_order_is_sent_to_its_supplier_s_endpoint_only(app, client, suppliers, headers):
    a, _ = suppliers
    endpoint = client.post(
        f"{API}/supplier/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=a.headers
    ).get_json()
    everyone = client.post(
        f"{API}/webhooks", json={"url": "http://127.0.0.1:9/all"}, headers=headers("planner")
    )
    assert everyone.status_code == 201
    body = {
        "supplier": "SUP-A",
        "location": "PL-T",
        "receive_at": later(3),
        "status": "released",
        "lines": [{"sku": "BRD", "quantity": 10, "unit_cost": 5}],
    }
    created = client.post(f"{API}/purchase-orders", json=body, headers=headers("planner"))
    assert created.status_code == 201
    b_body = body | {"supplier": "SUP-B", "lines": [{"sku": "CPU", "quantity": 5, "unit_cost": 5}]}
    assert client.post(f"{API}/purchase-orders", json=b_body, headers=headers("planner")).status_code == 201
    with app.app_context():
        deliveries = db.session.query(WebhookDelivery).all()
        sent = [(d.subscription_id, d.event.type, d.event.payload["purchase_order"]) for d in deliveries]
        assert sent == [(endpoint["id"], "purchase_order.released", created.get_json()["number"])]
        assert webhooks_service.sign(endpoint["secret"], "1", b"{}").startswith("sha256=")


def test_a_cancelled_order_is_withdrawn_from_its_supplier(app, client, suppliers, headers):
    # the supplier is told (its own endpoint only), its pending proposal is closed, its portal drops the order
    a, _ = suppliers
    endpoint = client.post(
        f"{API}/supplier/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=a.headers
    ).get_json()
    proposal = {"decision": "propose", "deliveries": [{"line": 1, "quantity": 10, "arrive_at": later(9)}]}
    assert answer(client, a, proposal).status_code in (200, 201)
    cancelled = client.post(f"{API}/purchase-orders/{a.order}/cancel", headers=headers("planner"))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    with app.app_context():
        deliveries = db.session.query(WebhookDelivery).all()
        sent = [(d.subscription_id, d.event.type, d.event.payload["purchase_order"]) for d in deliveries]
        assert sent == [(endpoint["id"], "purchase_order.cancelled", a.order)]
        pending = db.session.query(OrderResponse).filter_by(status="pending").count()
        assert pending == 0
    mine = client.get(f"{API}/supplier/purchase-orders", headers=a.headers).get_json()
    assert a.order not in [order["number"] for order in mine]
    assert answer(client, a, {"decision": "accept"}).status_code in (404, 409)
