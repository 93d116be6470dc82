"""The rest of the portal: advance ship notices received by the warehouse, offer terms proposed and
decided, the forecast from the plan in force (JSON and CSV), the digest and the portal page."""

import csv
import io
import secrets
from datetime import timedelta

import pytest

from core.db import db
from planning.runs.models import PlanningRun, PurchaseProposal
from planning.snapshot import build_snapshot
from procurement.models import SupplyOffer
from tests.api.test_supplier_roles import csrf_token, sign_in
from tests.supplier_factories import DUE, later, two_suppliers

API = "/api/v1"


@pytest.fixture
def suppliers(app, db_session):
    with app.app_context():
        pair = two_suppliers()
        db.session.commit()
        return pair


def ship(client, supplier, qty=60, arrive=2, **extra):
    body = {
        "purchase_order": supplier.order,
        "carrier": "DHL",
        "tracking_ref": "JD0001",
        "arrive_at": later(arrive),
        "shipped_at": later(-1),
        "lines": [{"line": 1, "quantity": qty}],
    } | extra
    return client.post(f"{API}/supplier/shipments", json=body, headers=supplier.headers)


def po_receipts(app, number):
    with app.app_context():
        rows = build_snapshot(at=DUE - timedelta(days=10))["receipts"]
    return [r for r in rows if r["ref"].startswith(number)]


def test_a_ship_notice_brings_its_goods_at_its_arrival_and_the_warehouse_receives_against_it(
    app, client, suppliers, headers
):
    a, _ = suppliers
    assert (
        client.post(
            f"{API}/supplier/purchase-orders/{a.order}/acknowledgement",
            json={"decision": "accept"},
            headers=a.headers,
        ).status_code
        == 201
    )
    notice = ship(client, a)
    assert notice.status_code == 201, notice.get_json()
    number = notice.get_json()["number"]
    assert [(r["ref"], r["qty"], r["arrive_at"]) for r in po_receipts(app, a.order)] == [
        (f"{a.order}/1", 40, DUE.isoformat().replace("+00:00", "Z")),
        (f"{a.order}/1@{number}", 60, later(2)),
    ]
    assert ship(client, a, qty=41).status_code == 409  # 100 ordered, 60 already announced

    clerk = headers("warehouse") | {"Idempotency-Key": secrets.token_hex(8)}
    assert (
        client.post(
            f"{API}/inbound-shipments/{number}/receive", json={}, headers=headers("warehouse")
        ).status_code
        == 428
    )
    received = client.post(f"{API}/inbound-shipments/{number}/receive", json={}, headers=clerk)
    assert received.status_code == 200, received.get_json()
    assert received.get_json()["status"] == "received"
    retry = client.post(f"{API}/inbound-shipments/{number}/receive", json={}, headers=clerk)
    assert retry.headers["Idempotent-Replayed"] == "true"
    order = client.get(f"{API}/purchase-orders/{a.order}", headers=headers("planner")).get_json()
    assert (order["status"], order["lines"][0]["received_quantity"]) == ("partially_received", 60)
    stock = client.get(
        f"{API}/stock", query_string={"sku": "BRD", "location": "PL-T"}, headers=clerk
    ).get_json()
    assert stock[0]["on_hand"] == 60
    assert [(r["qty"]) for r in po_receipts(app, a.order)] == [40]
    again = client.post(
        f"{API}/inbound-shipments/{number}/receive", json={}, headers=clerk | {"Idempotency-Key": "other"}
    )
    assert again.status_code == 409


def test_a_ship_notice_arriving_before_it_left_is_refused(client, suppliers):
    a, _ = suppliers
    response = ship(client, a, arrive=-3)
    assert response.status_code == 422 and "arrive_at" in response.get_json()["errors"]["json"]


def test_offer_terms_proposed_by_a_supplier_feed_the_snapshot_once_approved(app, client, suppliers, headers):
    a, _ = suppliers
    planner = headers("planner")
    proposed = client.post(
        f"{API}/supplier/offers/{a.offer}/proposals",
        json={"lead_time_hours": 96, "unit_cost": 9.25, "reason": "new plant"},
        headers=a.headers,
    )
    assert proposed.status_code == 201, proposed.get_json()
    proposal = proposed.get_json()
    assert proposal["previous"]["lead_time_hours"] == 48 and proposal["changes"]["unit_cost"] == 9.25

    def offer_in_snapshot():
        with app.app_context():
            offers = build_snapshot(at=DUE)["supply_offers"]
        return next(o for o in offers if o["supplier"] == "SUP-A")

    assert offer_in_snapshot()["lead_time_hours"] == 48
    approved = client.post(f"{API}/offer-proposals/{proposal['id']}/approve", json={}, headers=planner)
    assert approved.status_code == 200 and approved.get_json()["status"] == "accepted"
    assert (offer_in_snapshot()["lead_time_hours"], offer_in_snapshot()["unit_cost"]) == (96, 9.25)

    second = client.post(
        f"{API}/supplier/offers/{a.offer}/proposals", json={"min_quantity": 500}, headers=a.headers
    )
    refused = client.post(f"{API}/offer-proposals/{second.get_json()['id']}/refuse", json={}, headers=planner)
    assert refused.get_json()["status"] == "refused"
    assert offer_in_snapshot()["min_qty"] == 10
    history = client.get(f"{API}/supplier/offer-proposals", headers=a.headers).get_json()
    assert [p["status"] for p in history] == ["refused", "accepted"]


def _publish(app, supplier_rows: list[tuple[str, str, int, int]], *, published_at) -> int:
    """A published run proposing purchases (supplier, sku, qty, days after DUE)."""
    with app.app_context():
        run = PlanningRun(trigger="api", status="succeeded", published_at=published_at)
        db.session.add(run)
        db.session.flush()
        for i, (supplier, sku, qty, days) in enumerate(supplier_rows):
            at = DUE + timedelta(days=days)
            db.session.add(
                PurchaseProposal(
                    run_id=run.id,
                    ref=f"P{i}",
                    sku=sku,
                    qty=qty,
                    supplier=supplier,
                    location="PL-T",
                    order_at=at - timedelta(days=2),
                    receive_at=at,
                )
            )
        db.session.commit()
        return run.id


def test_the_forecast_shows_a_supplier_its_own_unreleased_purchases_by_week_with_the_changes(
    app, client, suppliers
):
    a, b = suppliers
    _publish(app, [("SUP-A", "BRD", 100, 1), ("SUP-B", "CPU", 7, 1)], published_at=DUE - timedelta(days=30))
    run = _publish(
        app,
        [("SUP-A", "BRD", 120, 1), ("SUP-A", "BRD", 30, 2), ("SUP-A", "BRD", 50, 8), ("SUP-B", "CPU", 9, 1)],
        published_at=DUE - timedelta(days=29),
    )
    forecast = client.get(f"{API}/supplier/forecast", headers=a.headers).get_json()
    assert forecast["run"] == run
    # DUE is Sunday 20 December: its week starts on Monday 14th; DUE + 1 and + 2 fall in the next week
    assert forecast["rows"] == [
        {
            "week": "2026-12-21",
            "sku": "BRD",
            "location": "PL-T",
            "quantity": 150,
            "previous_quantity": 100,
            "qty": 150,
            "previous_qty": 100,
            "change": 50,
        },
        {
            "week": "2026-12-28",
            "sku": "BRD",
            "location": "PL-T",
            "quantity": 50,
            "previous_quantity": 0,
            "qty": 50,
            "previous_qty": 0,
            "change": 50,
        },
    ]
    text = client.get(f"{API}/supplier/forecast.csv", headers=a.headers).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["week", "sku", "location", "quantity", "previous_quantity", "change"]
    assert rows[1][:4] == ["2026-12-21", "BRD", "PL-T", "150"]
    assert "CPU" not in text
    b_rows = client.get(f"{API}/supplier/forecast", headers=b.headers).get_json()["rows"]
    assert [(r["sku"], r["quantity"], r["change"]) for r in b_rows] == [("CPU", 9, 2)]


def test_the_digest_and_the_portal_page_tell_what_is_due_and_what_waits(client, suppliers):
    a, b = suppliers
    digest = client.get(f"{API}/supplier/digest", headers=a.headers).get_json()
    assert digest["subject"] == "takt: 1 purchase order(s) to answer, 1 open"
    assert a.order in digest["body"] and b.order not in digest["body"]
    sign_in(client, a.username)
    page = client.get("/portal").get_data(as_text=True)
    assert 'name="viewport"' in page and a.order in page and "Forecast" in page
    form = {"decision": "propose", "arrive_on": "2026-12-24", "csrf_token": csrf_token(client, "/portal")}
    response = client.post(f"/portal/orders/{a.order}", data=form)
    assert response.status_code == 302
    page = client.get("/portal").get_data(as_text=True)
    assert "Awaiting a planner <small>1</small>" in page


def test_the_planner_page_lists_proposals_and_decides_them(app, client, suppliers, seed):
    from core.auth import create_user

    a, _ = suppliers
    proposal = client.post(
        f"{API}/supplier/offers/{a.offer}/proposals", json={"capacity_per_day": 400}, headers=a.headers
    ).get_json()
    seed(lambda: create_user(username="pl", roles=["planner"], password="s3cret-pass"))
    sign_in(client, "pl", "s3cret-pass")
    page = client.get("/purchasing/suppliers").get_data(as_text=True)
    assert "capacity_per_day None → 400" in page
    form = {"decision": "approve", "csrf_token": csrf_token(client, "/purchasing/suppliers")}
    assert client.post(f"/purchasing/offer-proposals/{proposal['id']}", data=form).status_code == 302
    with app.app_context():
        assert db.session.get(SupplyOffer, a.offer).capacity_per_day == 400
