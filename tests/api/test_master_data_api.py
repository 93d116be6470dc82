"""Regions, items and locations over HTTP: CRUD, search, bulk upsert by code, guarded deletes."""

from tests.factories import make_item, make_location, make_region


def test_an_item_is_created_read_updated_and_listed(client, headers):
    planner = headers("planner")
    created = client.post("/api/v1/items", json={"sku": "NB-14", "name": "notebook"}, headers=planner)
    assert created.status_code == 201
    assert created.get_json() | {"created_at": None, "updated_at": None} == {
        "sku": "NB-14",
        "name": "notebook",
        "unit": "pcs",
        "kind": "finished",
        "holding_cost_per_day": 0,
        "whole_units": False,
        "decimals": 6,
        "active": True,
        "created_at": None,
        "updated_at": None,
    }
    patched = client.patch("/api/v1/items/NB-14", json={"holding_cost_per_day": 0.25}, headers=planner)
    assert patched.get_json()["holding_cost_per_day"] == 0.25
    assert client.get("/api/v1/items/NB-14", headers=headers()).get_json()["name"] == "notebook"
    assert [i["sku"] for i in client.get("/api/v1/items?q=note", headers=headers()).get_json()] == ["NB-14"]


def test_items_filter_by_kind_and_active_and_paginate(client, headers, seed):
    seed(make_item, "A", kind="material")
    seed(make_item, "B", kind="finished")
    seed(make_item, "C", kind="material", active=False)

    def skus(query):
        return [i["sku"] for i in client.get(f"/api/v1/items?{query}", headers=headers()).get_json()]

    assert skus("kind=material") == ["A", "C"]
    assert skus("active=false") == ["C"]
    assert skus("page=2&page_size=2") == ["C"]


def test_creating_an_existing_sku_is_409(client, headers, seed):
    seed(make_item, "NB-14")
    response = client.post(
        "/api/v1/items", json={"sku": "NB-14", "name": "again"}, headers=headers("planner")
    )
    assert response.status_code == 409
    assert response.get_json()["status"] == "item_exists"


def test_an_unknown_item_is_404(client, headers):
    assert client.get("/api/v1/items/NOPE", headers=headers()).status_code == 404
    assert (
        client.patch("/api/v1/items/NOPE", json={"name": "x"}, headers=headers("planner")).status_code == 404
    )
    assert client.delete("/api/v1/items/NOPE", headers=headers("planner")).status_code == 404


def test_bulk_upsert_creates_and_updates_by_sku(client, headers, seed):
    seed(make_item, "NB-14")
    response = client.put(
        "/api/v1/items",
        json=[{"sku": "NB-14", "name": "renamed"}, {"sku": "NB-16", "name": "new"}],
        headers=headers("planner"),
    )
    assert response.get_json() == {"created": 1, "updated": 1}
    assert client.get("/api/v1/items/NB-14", headers=headers()).get_json()["name"] == "renamed"


def test_bulk_upsert_refuses_a_code_listed_twice_and_applies_nothing(client, headers):
    response = client.put(
        "/api/v1/items",
        json=[{"sku": "NB-14", "name": "a"}, {"sku": "NB-14", "name": "b"}],
        headers=headers("planner"),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": {"sku": ["listed more than once: NB-14"]}}
    assert client.get("/api/v1/items", headers=headers()).get_json() == []


def test_a_location_in_an_unknown_region_is_422(client, headers):
    response = client.post(
        "/api/v1/locations",
        json={"code": "WH-1", "name": "one", "region": "atlantis"},
        headers=headers("planner"),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": {"region": ["unknown region 'atlantis'"]}}


def test_bulk_upsert_of_locations_with_one_unknown_region_applies_nothing(client, headers, seed):
    seed(make_region, "north")
    response = client.put(
        "/api/v1/locations",
        json=[
            {"code": "WH-1", "name": "one", "region": "north"},
            {"code": "WH-2", "name": "two", "region": "mars"},
        ],
        headers=headers("planner"),
    )
    assert response.status_code == 422
    assert client.get("/api/v1/locations", headers=headers()).get_json() == []


def test_locations_show_and_filter_by_region(client, headers, seed):
    seed(make_location, "WH-N", region="north", latitude=39.9, longitude=116.4)
    seed(make_location, "WH-S", region="south")
    [north] = client.get("/api/v1/locations?region=north", headers=headers()).get_json()
    assert (north["code"], north["region"], north["latitude"], north["allow_negative_stock"]) == (
        "WH-N",
        "north",
        39.9,
        False,
    )
    moved = client.patch("/api/v1/locations/WH-N", json={"region": "south"}, headers=headers("planner"))
    assert moved.get_json()["region"] == "south"


def test_an_unused_item_can_be_deleted(client, headers, seed):
    seed(make_item, "NB-14")
    assert client.delete("/api/v1/items/NB-14", headers=headers("planner")).status_code == 204
    assert client.get("/api/v1/items/NB-14", headers=headers()).status_code == 404


def test_deleting_what_is_in_use_is_409(client, headers, stock):
    stock("NB-14", "WH-1", 1, region="north")
    for path in ("/api/v1/items/NB-14", "/api/v1/locations/WH-1", "/api/v1/regions/north"):
        response = client.delete(path, headers=headers("admin"))
        assert response.status_code == 409, path
        assert response.get_json()["status"] == "in_use"
    assert client.get("/api/v1/items/NB-14", headers=headers()).status_code == 200


def test_only_planners_edit_regions_and_warehouse_staff_edit_items(client, headers):
    region = {"code": "north", "name": "North"}
    assert client.post("/api/v1/regions", json=region, headers=headers("planner")).status_code == 201
    assert (
        client.post("/api/v1/items", json={"sku": "X", "name": "x"}, headers=headers("warehouse")).status_code
        == 201
    )
    assert (
        client.post("/api/v1/items", json={"sku": "Y", "name": "y"}, headers=headers("scheduler")).status_code
        == 403
    )


def test_a_code_must_be_a_plain_identifier(client, headers):
    response = client.post("/api/v1/items", json={"sku": "a b", "name": "x"}, headers=headers("planner"))
    assert response.status_code == 422
    assert "sku" in response.get_json()["errors"]["json"]


def test_warehouse_staff_cannot_switch_a_locations_stock_policy(client, headers, seed):
    seed(make_location, "WH-1", region="north")
    warehouse = headers("warehouse")
    response = client.patch("/api/v1/locations/WH-1", json={"allow_negative_stock": True}, headers=warehouse)
    assert response.status_code == 403
    assert response.get_json()["message"] == (
        "allow_negative_stock: only planners and admins change a location's stock policy"
    )
    created = {"code": "WH-2", "name": "two", "region": "north", "allow_negative_stock": True}
    assert client.post("/api/v1/locations", json=created, headers=warehouse).status_code == 403
    assert client.put("/api/v1/locations", json=[created], headers=warehouse).status_code == 403
    assert client.get("/api/v1/locations/WH-1", headers=warehouse).get_json()["allow_negative_stock"] is False
    assert client.get("/api/v1/locations/WH-2", headers=warehouse).status_code == 404
    # their other edits of a location still go through, and leave the policy alone
    renamed = client.patch("/api/v1/locations/WH-1", json={"name": "renamed"}, headers=warehouse)
    assert renamed.status_code == 200 and renamed.get_json()["allow_negative_stock"] is False
    assert client.get("/api/v1/audit", headers=headers("admin")).get_json() == []


def test_a_planners_change_of_a_locations_stock_policy_is_audited(client, headers, seed, make_token):
    seed(make_location, "WH-1", region="north")
    planner = {"Authorization": f"Bearer {make_token('planner')}"}
    who = client.get("/api/v1/me", headers=planner).get_json()["username"]
    switched = client.patch("/api/v1/locations/WH-1", json={"allow_negative_stock": True}, headers=planner)
    assert switched.status_code == 200 and switched.get_json()["allow_negative_stock"] is True
    again = client.patch("/api/v1/locations/WH-1", json={"allow_negative_stock": True}, headers=planner)
    assert again.status_code == 200  # no change, no entry
    [entry] = client.get("/api/v1/audit?entity=location&key=WH-1", headers=headers("admin")).get_json()
    assert entry | {"id": None, "at": None} == {
        "id": None,
        "at": None,
        "user": who,
        "entity": "location",
        "key": "WH-1",
        "field": "allow_negative_stock",
        "old_value": False,
        "new_value": True,
    }
    assert client.get("/api/v1/audit", headers=headers("warehouse")).status_code == 403
