"""Lanes and shipments over HTTP: lifecycle, idempotent retries, forbidden steps and roles."""

import io

import pytest

from core.db import db
from tests.factories import keyed
from tests.logistics_factories import balance, make_order, make_user, make_world

LEDGER = "/api/v1/ledger"


@pytest.fixture
def world(app, client):
    with app.app_context():
        make_world(user_id=make_user())
        make_order("SO-1", lines=(("NB", 5),))
        db.session.commit()
    return client


def stock(app, sku="NB", location="WH-A"):
    with app.app_context():
        return balance(sku, location)


def new_transfer(client, headers, qty=10):
    body = {
        "kind": "transfer",
        "from": "WH-A",
        "to": "WH-B",
        "mode": "truck",
        "lines": [{"sku": "NB", "quantity": qty}],
    }
    response = client.post("/api/v1/shipments", json=body, headers=headers("planner"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def step(client, headers, number, action, role, **extra):
    return client.post(f"/api/v1/shipments/{number}/{action}", json={}, headers=keyed(headers(role)) | extra)


# -- lanes ---------------------------------------------------------------------------------------------


def test_a_planner_creates_lanes_to_a_location_or_a_region(world, headers):
    planner = headers("planner")
    body = {"from": "WH-B", "to": "east", "mode": "courier", "transit_hours": 4, "unit_cost": 2.5}
    response = world.post("/api/v1/lanes", json=body, headers=planner)
    assert response.status_code == 201
    lane = response.get_json()
    assert (lane["to"], lane["capacity_per_day"], lane["valid_to"]) == ("east", None, None)
    assert world.post("/api/v1/lanes", json=body, headers=planner).status_code == 409
    listed = world.get("/api/v1/lanes?to=east", headers=headers("scheduler")).get_json()
    assert [(x["from"], x["mode"]) for x in listed] == [("WH-B", "courier")]


def test_a_lane_to_an_unknown_place_is_invalid(world, headers):
    body = {"from": "WH-A", "to": "mars", "mode": "air", "transit_hours": 4}
    response = world.post("/api/v1/lanes", json=body, headers=headers("planner"))
    assert response.status_code == 422
    assert "to" in response.get_json()["errors"]["json"]


def test_lanes_are_bulk_upserted_by_from_to_and_mode(world, headers):
    rows = [
        {"from": "WH-A", "to": "WH-B", "mode": "truck", "transit_hours": 20},
        {"from": "WH-A", "to": "WH-B", "mode": "rail", "transit_hours": 30, "capacity_per_day": 800},
    ]
    response = world.put("/api/v1/lanes", json=rows, headers=headers("planner"))
    assert response.get_json() == {"created": 1, "updated": 1}
    lanes = world.get("/api/v1/lanes?from=WH-A&to=WH-B", headers=headers()).get_json()
    assert sorted((x["mode"], x["transit_hours"]) for x in lanes) == [("rail", 30), ("truck", 20)]


def test_lanes_are_listed_by_their_validity_at_an_instant(world, headers):
    def modes(at):
        lanes = world.get(f"/api/v1/lanes?from=PL-C&at={at}", headers=headers()).get_json()
        return [lane["mode"] for lane in lanes]

    assert modes("2026-11-01T00:00:00Z") == []
    assert modes("2026-12-01T00:00:00Z") == ["rail"]
    assert modes("2027-01-01T00:00:00Z") == []  # valid_to is exclusive


def test_a_lane_used_by_a_shipment_cannot_be_deleted(world, headers):
    shipment = new_transfer(world, headers)
    response = world.delete(f"/api/v1/lanes/{shipment['lane_id']}", headers=headers("planner"))
    assert response.status_code == 409
    patched = world.patch(
        f"/api/v1/lanes/{shipment['lane_id']}",
        json={"valid_to": "2030-01-01T00:00:00Z"},
        headers=headers("planner"),
    )
    assert patched.get_json()["valid_to"] == "2030-01-01T00:00:00+00:00"


# -- shipment lifecycle --------------------------------------------------------------------------------


def test_a_transfer_goes_through_its_lifecycle_over_http(world, headers, app):
    number = new_transfer(world, headers, qty=10)["number"]
    assert step(world, headers, number, "release", "planner").get_json()["status"] == "released"
    assert stock(app) == (100, 10)
    dispatched = step(world, headers, number, "dispatch", "warehouse")
    assert dispatched.get_json()["status"] == "in_transit"
    assert stock(app) == (90, 0)
    assert step(world, headers, number, "deliver", "warehouse").get_json()["status"] == "delivered"
    assert stock(app, location="WH-B") == (10, 0)
    entries = world.get(f"{LEDGER}?reference={number}", headers=headers()).get_json()
    assert sorted((e["kind"], e["location"], e["delta"]) for e in entries) == [
        ("issue", "WH-A", -10),
        ("receipt", "WH-B", 10),
    ]


def test_a_retried_dispatch_with_the_same_idempotency_key_applies_once(world, headers, app):
    number = new_transfer(world, headers, qty=10)["number"]
    step(world, headers, number, "release", "planner")
    key = {"Idempotency-Key": f"dispatch-{number}"}
    first = step(world, headers, number, "dispatch", "warehouse", **key)
    again = step(world, headers, number, "dispatch", "warehouse", **key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert stock(app) == (90, 0)
    assert len(world.get(f"{LEDGER}?reference={number}", headers=headers()).get_json()) == 1


def test_a_retried_delivery_with_the_same_idempotency_key_receives_once(world, headers, app):
    number = new_transfer(world, headers, qty=10)["number"]
    step(world, headers, number, "release", "planner")
    step(world, headers, number, "dispatch", "warehouse")
    key = {"Idempotency-Key": f"deliver-{number}"}
    assert step(world, headers, number, "deliver", "warehouse", **key).status_code == 200
    assert step(world, headers, number, "deliver", "warehouse", **key).status_code == 200
    assert stock(app, location="WH-B") == (10, 0)
    assert step(world, headers, number, "deliver", "warehouse").status_code == 409


def test_releasing_more_than_is_free_is_409_and_reserves_nothing(world, headers, app):
    body = {
        "kind": "transfer",
        "from": "WH-A",
        "to": "WH-B",
        "mode": "truck",
        "lines": [{"sku": "NB", "quantity": 60}, {"sku": "NB", "quantity": 60}],
    }
    number = world.post("/api/v1/shipments", json=body, headers=headers("planner")).get_json()["number"]
    response = step(world, headers, number, "release", "planner")
    assert response.status_code == 409
    assert response.get_json()["status"] == "insufficient_stock"
    assert stock(app) == (100, 0)
    assert world.get(f"/api/v1/shipments/{number}", headers=headers()).get_json()["status"] == "planned"


@pytest.mark.parametrize(
    ("done", "action", "role"),
    [
        ((), "dispatch", "warehouse"),
        ((), "deliver", "warehouse"),
        (("release",), "release", "planner"),
        (("release", "dispatch"), "cancel", "planner"),
        (("release", "dispatch", "deliver"), "dispatch", "warehouse"),
    ],
)
def test_a_forbidden_step_is_409_and_changes_nothing(world, headers, app, done, action, role):
    number = new_transfer(world, headers, qty=10)["number"]
    roles = {"release": "planner", "dispatch": "warehouse", "deliver": "warehouse"}
    for previous in done:
        assert step(world, headers, number, previous, roles[previous]).status_code == 200
    before = (
        world.get(f"/api/v1/shipments/{number}", headers=headers()).get_json(),
        stock(app),
        stock(app, location="WH-B"),
    )
    response = step(world, headers, number, action, role)
    assert response.status_code == 409
    assert response.get_json()["status"] == "invalid_transition"
    after = (
        world.get(f"/api/v1/shipments/{number}", headers=headers()).get_json(),
        stock(app),
        stock(app, location="WH-B"),
    )
    assert after == before


def test_a_delivery_ships_its_order(world, headers):
    body = {
        "kind": "delivery",
        "from": "WH-A",
        "to": "north",
        "mode": "truck",
        "order": "SO-1",
        "lines": [{"sku": "NB", "quantity": 5, "order_line": "1"}],
    }
    number = world.post("/api/v1/shipments", json=body, headers=headers("planner")).get_json()["number"]
    for action, role in (("release", "planner"), ("dispatch", "warehouse"), ("deliver", "warehouse")):
        assert step(world, headers, number, action, role).status_code == 200
    order = world.get("/api/v1/orders/SO-1", headers=headers()).get_json()
    assert (order["status"], order["lines"][0]["shipped_quantity"]) == ("shipped", 5)
    listed = world.get("/api/v1/shipments?order=SO-1&kind=delivery", headers=headers()).get_json()
    assert [s["number"] for s in listed] == [number]


def test_an_inbound_shipment_names_its_purchase_order(world, headers):
    body = {
        "kind": "inbound",
        "from": "SUP-SZ",
        "to": "PL-C",
        "mode": "sea",
        "lines": [{"sku": "BOARD", "quantity": 5}],
    }
    assert world.post("/api/v1/shipments", json=body, headers=headers("planner")).status_code == 422
    created = world.post(
        "/api/v1/shipments", json=body | {"purchase_order": "PO-9"}, headers=headers("planner")
    ).get_json()
    assert (created["from"], created["to"], created["purchase_order"]) == ("SUP-SZ", "PL-C", "PO-9")


def test_tracking_events_are_recorded_and_listed(world, headers):
    number = new_transfer(world, headers)["number"]
    event = {
        "occurred_at": "2026-11-22T10:00:00Z",
        "status": "picked up",
        "place": "WH-A",
        "carrier_reference": "SF-1",
    }
    assert (
        world.post(f"/api/v1/shipments/{number}/events", json=event, headers=headers("warehouse")).status_code
        == 201
    )
    events = world.get(f"/api/v1/shipments/{number}/events", headers=headers("scheduler")).get_json()
    assert [(e["status"], e["carrier_reference"]) for e in events] == [("picked up", "SF-1")]
    assert (
        world.get(f"/api/v1/shipments/{number}", headers=headers()).get_json()["carrier_reference"] == "SF-1"
    )


# -- roles ---------------------------------------------------------------------------------------------


def test_warehouse_staff_dispatch_and_deliver_but_cannot_release_or_edit_lanes(world, headers):
    number = new_transfer(world, headers)["number"]
    assert step(world, headers, number, "release", "warehouse").status_code == 403
    lane = {"from": "WH-B", "to": "east", "mode": "truck", "transit_hours": 4}
    assert world.post("/api/v1/lanes", json=lane, headers=headers("warehouse")).status_code == 403
    assert step(world, headers, number, "release", "planner").status_code == 200
    assert step(world, headers, number, "dispatch", "warehouse").status_code == 200


def test_planners_release_but_do_not_dispatch(world, headers):
    number = new_transfer(world, headers)["number"]
    assert step(world, headers, number, "release", "planner").status_code == 200
    assert step(world, headers, number, "dispatch", "planner").status_code == 403


def test_the_scheduler_only_reads(world, headers):
    number = new_transfer(world, headers)["number"]
    scheduler = headers("scheduler")
    assert world.get("/api/v1/shipments", headers=scheduler).status_code == 200
    assert world.get("/api/v1/lanes", headers=scheduler).status_code == 200
    for action in ("release", "dispatch", "deliver", "cancel"):
        assert step(world, headers, number, action, "scheduler").status_code == 403
    lane = {"from": "WH-B", "to": "east", "mode": "truck", "transit_hours": 4}
    assert world.post("/api/v1/lanes", json=lane, headers=scheduler).status_code == 403


def test_warehouse_staff_receive_and_count_but_do_not_edit_offers(world, headers):
    warehouse = headers("warehouse")
    receipt = {"kind": "receipt", "sku": "NB", "location": "WH-B", "quantity": 5}
    assert world.post("/api/v1/movements", json=receipt, headers=keyed(warehouse)).status_code == 201
    count = {"file": (io.BytesIO(b"sku,location,counted\nNB,WH-B,4\n"), "count.csv")}
    assert world.post("/api/v1/counts", data=count, headers=keyed(warehouse)).status_code == 201
    offer = {"supplier": "SUP", "sku": "BOARD", "location": "PL-C", "lead_time_hours": 48, "unit_cost": 3}
    assert world.post("/api/v1/supply-offers", json=offer, headers=warehouse).status_code == 403
