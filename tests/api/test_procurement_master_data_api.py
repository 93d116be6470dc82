"""Suppliers, supply offers, resources, calendars and routes over HTTP: planners edit, others read."""

import pytest

from core.db import db
from tests.procurement_factories import build_world

API = "/api/v1"
OFFER = {"supplier": "SUP", "sku": "CPU", "location": "PL-T", "lead_time_hours": 72, "unit_cost": 180}
ROUTE = {"sku": "SUB", "resource": "L2", "hours_per_unit": 0.1, "lead_time_hours": 8, "unit_cost": 3}


@pytest.fixture
def world(app, db_session):
    with app.app_context():
        build_world()
        db.session.commit()


@pytest.fixture
def planner(headers):
    return headers("planner")


def test_a_planner_creates_lists_and_updates_suppliers(client, world, planner):
    created = client.post(f"{API}/suppliers", json={"code": "SUP-2", "name": "Second"}, headers=planner)
    assert created.status_code == 201 and created.get_json()["active"] is True
    assert (
        client.post(f"{API}/suppliers", json={"code": "SUP-2", "name": "Again"}, headers=planner).status_code
        == 409
    )
    rows = [{"code": "SUP-2", "name": "Renamed"}, {"code": "SUP-3", "name": "Third"}]
    assert client.put(f"{API}/suppliers", json=rows, headers=planner).get_json() == {
        "created": 1,
        "updated": 1,
    }
    listed = client.get(f"{API}/suppliers", query_string={"q": "SUP-"}, headers=planner).get_json()
    assert [(s["code"], s["name"]) for s in listed] == [("SUP-2", "Renamed"), ("SUP-3", "Third")]
    patched = client.patch(f"{API}/suppliers/SUP-3", json={"active": False}, headers=planner).get_json()
    assert patched["active"] is False


def test_a_supplier_with_offers_cannot_be_deleted_but_an_unused_one_can(client, world, planner):
    response = client.delete(f"{API}/suppliers/SUP", headers=planner)
    assert response.status_code == 409 and response.get_json()["status"] == "in_use"
    client.post(f"{API}/suppliers", json={"code": "SUP-2", "name": "Second"}, headers=planner)
    assert client.delete(f"{API}/suppliers/SUP-2", headers=planner).status_code == 204
    assert client.get(f"{API}/suppliers/SUP-2", headers=planner).status_code == 404


def test_an_offer_is_created_once_and_then_upserted_by_supplier_sku_and_location(client, world, planner):
    created = client.post(f"{API}/supply-offers", json=OFFER, headers=planner)
    assert created.status_code == 201
    offer = created.get_json()
    assert (offer["order_cost"], offer["min_quantity"], offer["multiple"], offer["valid_to"]) == (
        0,
        0,
        None,
        None,
    )
    assert client.post(f"{API}/supply-offers", json=OFFER, headers=planner).status_code == 409
    bulk = [dict(OFFER, unit_cost=175), dict(OFFER, location="WH-T", multiple=10)]
    assert client.put(f"{API}/supply-offers", json=bulk, headers=planner).get_json() == {
        "created": 1,
        "updated": 1,
    }
    assert client.get(f"{API}/supply-offers/{offer['id']}", headers=planner).get_json()["unit_cost"] == 175
    listed = client.get(f"{API}/supply-offers", query_string={"sku": "CPU"}, headers=planner).get_json()
    assert [(o["location"], o["multiple"]) for o in listed] == [("PL-T", None), ("WH-T", 10)]


def test_offers_filter_by_validity(client, world, planner):
    client.post(f"{API}/supply-offers", json=dict(OFFER, valid_from="2027-01-01T00:00:00Z"), headers=planner)
    listed = client.get(
        f"{API}/supply-offers", query_string={"valid_at": "2026-12-01T00:00:00Z"}, headers=planner
    )
    assert [o["sku"] for o in listed.get_json()] == ["BRD"]


def test_an_offer_is_patched_and_deleted_by_id(client, world, planner):
    offer_id = client.post(f"{API}/supply-offers", json=OFFER, headers=planner).get_json()["id"]
    patched = client.patch(f"{API}/supply-offers/{offer_id}", json={"capacity_per_day": 500}, headers=planner)
    assert patched.get_json()["capacity_per_day"] == 500
    assert client.delete(f"{API}/supply-offers/{offer_id}", headers=planner).status_code == 204
    assert client.get(f"{API}/supply-offers/{offer_id}", headers=planner).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sku": "NOPE"}, "sku"),
        ({"supplier": "NOPE"}, "supplier"),
        ({"multiple": 0}, "multiple"),
        ({"unit_cost": -1}, "unit_cost"),
        ({"valid_from": "2027-01-02T00:00:00Z", "valid_to": "2027-01-01T00:00:00Z"}, "valid_to"),
        ({"valid_from": "0001-01-01T00:00:00-05:00"}, "valid_from"),
    ],
)
def test_a_bad_offer_is_422_on_its_field(client, world, planner, change, field):
    response = client.post(f"{API}/supply-offers", json=dict(OFFER, **change), headers=planner)
    assert response.status_code == 422 and field in response.get_json()["errors"]["json"]


def test_a_bulk_upsert_listing_an_offer_twice_is_422_and_saves_nothing(client, world, planner):
    response = client.put(f"{API}/supply-offers", json=[OFFER, OFFER], headers=planner)
    assert response.status_code == 422
    assert client.get(f"{API}/supply-offers", query_string={"sku": "CPU"}, headers=planner).get_json() == []


def test_a_resource_stands_in_a_plant_and_has_a_calendar(client, world, planner):
    body = {"code": "L2", "location": "WH-T", "hours_per_day": 8}
    assert client.post(f"{API}/resources", json=body, headers=planner).status_code == 422
    assert (
        client.post(f"{API}/resources", json=dict(body, location="PL-T"), headers=planner).status_code == 201
    )
    days = [{"day": "2026-12-25", "hours": 0, "note": "closed"}, {"day": "2026-12-20", "hours": 20}]
    put = client.put(f"{API}/resources/L2/calendar", json={"days": days}, headers=planner)
    assert put.status_code == 200
    calendar = client.get(f"{API}/resources/L2/calendar", headers=planner).get_json()
    assert [(d["day"], d["hours"]) for d in calendar] == [("2026-12-20", 20), ("2026-12-25", 0)]
    client.put(f"{API}/resources/L2/calendar", json={"days": days[:1]}, headers=planner)
    assert len(client.get(f"{API}/resources/L2/calendar", headers=planner).get_json()) == 1
    assert (
        client.put(f"{API}/resources/L2/calendar", json={"days": [days[0]] * 2}, headers=planner).status_code
        == 422
    )
    assert client.get(f"{API}/resources/L9/calendar", headers=planner).status_code == 404


def test_routes_are_upserted_by_sku_and_resource_with_their_components(client, world, planner):
    client.post(
        f"{API}/resources", json={"code": "L2", "location": "PL-T", "hours_per_day": 8}, headers=planner
    )
    rows = [
        dict(ROUTE, components=[{"sku": "BRD", "quantity_per": 2}]),
        dict(ROUTE, resource="L1", unit_cost=4),
    ]
    assert client.put(f"{API}/routes", json=rows, headers=planner).get_json() == {"created": 1, "updated": 1}
    routes = client.get(f"{API}/routes", query_string={"sku": "SUB"}, headers=planner).get_json()
    assert [(r["resource"], r["unit_cost"], r["components"]) for r in routes] == [
        ("L1", 4, []),
        ("L2", 3, [{"sku": "BRD", "quantity_per": 2, "qty_per": 2}]),
    ]
    route_id = routes[1]["id"]
    patched = client.patch(
        f"{API}/routes/{route_id}", json={"components": [{"sku": "CPU", "quantity_per": 1}]}, headers=planner
    )
    assert patched.get_json()["components"] == [{"sku": "CPU", "quantity_per": 1, "qty_per": 1}]
    assert client.post(f"{API}/routes", json=ROUTE, headers=planner).status_code == 409
    assert client.delete(f"{API}/routes/{route_id}", headers=planner).status_code == 204


def test_a_resource_with_routes_and_a_route_with_orders_cannot_be_deleted(client, world, planner):
    assert client.delete(f"{API}/resources/L1", headers=planner).status_code == 409
    order = {"sku": "SUB", "resource": "L1", "quantity": 1, "start_at": "2026-11-23T06:00:00Z"}
    client.post(f"{API}/production-orders", json=order, headers=planner)
    route_id = client.get(f"{API}/routes", query_string={"sku": "SUB"}, headers=planner).get_json()[0]["id"]
    assert client.delete(f"{API}/routes/{route_id}", headers=planner).status_code == 409


WRITES = [
    ("post", "/suppliers", {"code": "X", "name": "X"}),
    ("patch", "/suppliers/SUP", {"name": "X"}),
    ("post", "/supply-offers", OFFER),
    ("put", "/supply-offers", [OFFER]),
    ("post", "/resources", {"code": "L2", "location": "PL-T", "hours_per_day": 8}),
    ("put", "/resources/L1/calendar", {"days": []}),
    ("put", "/routes", [dict(ROUTE, resource="L1")]),
]


@pytest.mark.parametrize("role", ["warehouse", "scheduler"])
@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_only_planners_edit_purchasing_and_production_master_data(
    client, world, headers, role, method, path, body
):
    response = getattr(client, method)(f"{API}{path}", json=body, headers=headers(role))
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/suppliers", "/supply-offers", "/resources", "/routes", "/resources/L1"])
def test_every_role_reads_master_data(client, world, headers, path):
    assert client.get(f"{API}{path}", headers=headers("scheduler")).status_code == 200


@pytest.mark.parametrize(
    ("path", "referrers"),
    [
        ("/items/BRD", {"supply_offers": 1, "route_components": 1}),
        ("/items/SUB", {"routes": 1, "route_components": 1}),
        ("/locations/PL-T", {"resources": 1, "supply_offers": 1}),
        ("/regions/east", {"locations": 2}),
    ],
)
def test_deleting_master_data_that_documents_refer_to_is_409_naming_them(
    client, world, path, referrers, headers
):
    response = client.delete(f"{API}{path}", headers=headers("admin"))
    assert response.status_code == 409
    body = response.get_json()
    assert body["status"] == "in_use" and body["referred_to_by"] == referrers
    assert "is referred to by" in body["message"] and "deactivate it instead" in body["message"]
    assert client.get(f"{API}{path}", headers=headers()).status_code == 200
