"""Stock over HTTP: movements, balances, the ledger, stock as of a past time, count uploads."""

import io

import pytest

from tests.factories import keyed, make_location


def on_hand(client, headers, sku, location):
    rows = client.get(f"/api/v1/stock?sku={sku}&location={location}", headers=headers()).get_json()
    return rows[0]["on_hand"] if rows else None


def test_a_receipt_is_201_with_its_ledger_effect_and_the_poster(client, headers, stock):
    stock("SKU-1", "WH-1", 10)
    me = client.get("/api/v1/me", headers=headers("warehouse")).get_json()
    response = client.post(
        "/api/v1/movements",
        json={"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 2.5, "reference": "PO-1"},
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "receipt"
    assert body["quantity"] == 2.5
    assert (body["from_location"], body["to_location"]) == (None, "WH-1")
    assert body["entries"] == [{"location": "WH-1", "delta": 2.5, "balance_after": 12.5}]
    assert body["created_by"] == me["user_id"]
    assert on_hand(client, headers, "SKU-1", "WH-1") == 12.5


def test_an_issue_below_zero_is_409_and_changes_nothing(client, headers, stock):
    stock("SKU-1", "WH-1", 3)
    response = client.post(
        "/api/v1/movements",
        json={"kind": "issue", "sku": "SKU-1", "location": "WH-1", "quantity": 4},
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 409
    assert response.get_json() == {
        "code": 409,
        "status": "insufficient_stock",
        "message": "issue of 4 SKU-1 at WH-1 would take stock to -1",
        "sku": "SKU-1",
        "location": "WH-1",
        "on_hand": 3,
    }
    assert on_hand(client, headers, "SKU-1", "WH-1") == 3
    assert len(client.get("/api/v1/ledger?sku=SKU-1", headers=headers()).get_json()) == 1


def test_only_warehouse_staff_post_movements(client, headers, stock):
    stock("SKU-1", "WH-1", 3)
    movement = {"kind": "issue", "sku": "SKU-1", "location": "WH-1", "quantity": 1}
    assert (
        client.post("/api/v1/movements", json=movement, headers=keyed(headers("planner"))).status_code == 403
    )
    assert client.post("/api/v1/movements", json=movement, headers=keyed(headers("admin"))).status_code == 201


def test_a_transfer_moves_stock_between_two_locations(client, headers, stock, seed):
    stock("SKU-1", "WH-1", 10)
    seed(make_location, "WH-2")
    response = client.post(
        "/api/v1/movements",
        json={
            "kind": "transfer",
            "sku": "SKU-1",
            "from_location": "WH-1",
            "to_location": "WH-2",
            "quantity": 4,
        },
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 201
    assert [(e["location"], e["delta"]) for e in response.get_json()["entries"]] == [
        ("WH-1", -4),
        ("WH-2", 4),
    ]
    assert (on_hand(client, headers, "SKU-1", "WH-1"), on_hand(client, headers, "SKU-1", "WH-2")) == (6, 4)


def test_a_movement_names_the_fields_its_kind_needs(client, headers):
    response = client.post(
        "/api/v1/movements",
        json={"kind": "transfer", "sku": "SKU-1", "location": "WH-1", "quantity": 1},
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {"location", "from_location", "to_location"}


def test_an_unknown_location_is_422_on_that_field(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    response = client.post(
        "/api/v1/movements",
        json={"kind": "receipt", "sku": "SKU-1", "location": "WH-404", "quantity": 1},
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": {"location": ["unknown location 'WH-404'"]}}


def test_a_count_sets_the_balance(client, headers, stock):
    stock("SKU-1", "WH-1", 10)
    response = client.post(
        "/api/v1/movements",
        json={"kind": "count", "sku": "SKU-1", "location": "WH-1", "quantity": 7},
        headers=keyed(headers("warehouse")),
    )
    assert response.get_json()["entries"] == [{"location": "WH-1", "delta": -3, "balance_after": 7}]


def test_a_location_allowing_negative_stock_accepts_an_issue_below_zero(client, headers, stock):
    stock("SKU-1", "PL-1", 1, allow_negative_stock=True)
    response = client.post(
        "/api/v1/movements",
        json={"kind": "issue", "sku": "SKU-1", "location": "PL-1", "quantity": 3},
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 201
    assert on_hand(client, headers, "SKU-1", "PL-1") == -2


def test_a_batch_is_applied_whole(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    response = client.post(
        "/api/v1/movements/batch",
        json={
            "movements": [
                {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 4},
                {"kind": "issue", "sku": "SKU-1", "location": "WH-1", "quantity": 5},
            ]
        },
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 201
    assert [m["kind"] for m in response.get_json()["movements"]] == ["receipt", "issue"]
    assert on_hand(client, headers, "SKU-1", "WH-1") == 0


def test_a_batch_with_one_bad_movement_applies_nothing(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    response = client.post(
        "/api/v1/movements/batch",
        json={
            "movements": [
                {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 4},
                {"kind": "issue", "sku": "SKU-1", "location": "WH-1", "quantity": 6},
            ]
        },
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 409
    assert on_hand(client, headers, "SKU-1", "WH-1") == 1
    assert len(client.get("/api/v1/ledger", headers=headers()).get_json()) == 1


def test_a_5000_line_transfer_document_posts_whole_in_line_order(client, headers, stock):
    stock("SKU-1", "WH-1", 5000)
    stock("SKU-2", "WH-2", 1)
    lines = [
        {"kind": "transfer", "sku": "SKU-1", "from_location": "WH-1", "to_location": "WH-2", "quantity": 1}
    ] * 5000
    response = client.post(
        "/api/v1/movements/batch", json={"movements": lines}, headers=keyed(headers("warehouse"))
    )
    assert response.status_code == 201
    posted = response.get_json()["movements"]
    assert [m["id"] for m in posted] == sorted(m["id"] for m in posted)
    assert posted[-1]["entries"] == [
        {"location": "WH-1", "delta": -1, "balance_after": 0},
        {"location": "WH-2", "delta": 1, "balance_after": 5000},
    ]
    assert (on_hand(client, headers, "SKU-1", "WH-1"), on_hand(client, headers, "SKU-1", "WH-2")) == (0, 5000)
    ledger = client.get("/api/v1/ledger?sku=SKU-1&page_size=3", headers=headers()).get_json()
    assert [(e["location"], e["balance_after"]) for e in ledger] == [
        ("WH-2", 5000),
        ("WH-1", 0),
        ("WH-2", 4999),
    ]


def test_a_document_of_5001_lines_is_422_and_changes_nothing(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    lines = [{"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 1}] * 5001
    response = client.post(
        "/api/v1/movements/batch", json={"movements": lines}, headers=keyed(headers("warehouse"))
    )
    assert response.status_code == 422
    assert "movements" in response.get_json()["errors"]["json"]
    assert on_hand(client, headers, "SKU-1", "WH-1") == 1


def test_a_document_naming_an_unknown_sku_is_422_on_that_line(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    lines = [{"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 1}] * 3
    lines[2] = {**lines[2], "sku": "NOPE"}
    response = client.post(
        "/api/v1/movements/batch", json={"movements": lines}, headers=keyed(headers("warehouse"))
    )
    assert response.status_code == 422
    assert "movements[2].sku" in str(response.get_json()["errors"])
    assert on_hand(client, headers, "SKU-1", "WH-1") == 1


def test_balances_filter_and_paginate(client, headers, stock):
    for sku in ("SKU-1", "SKU-2", "SKU-3"):
        stock(sku, "WH-N", 1, region="north")
    stock("SKU-1", "WH-S", 1, region="south")
    page = client.get("/api/v1/stock?page=2&page_size=2", headers=headers())
    assert [(b["sku"], b["location"]) for b in page.get_json()] == [("SKU-2", "WH-N"), ("SKU-3", "WH-N")]
    assert '"total": 4' in page.headers["X-Pagination"]
    south = client.get("/api/v1/stock?region=south", headers=headers()).get_json()
    assert south == [
        {
            "sku": "SKU-1",
            "location": "WH-S",
            "region": "south",
            "on_hand": 1,
            "reserved": 0,
            "free": 1,
            "updated_at": south[0]["updated_at"],
        }
    ]
    assert client.get("/api/v1/stock?below_zero_free=true", headers=headers()).get_json() == []
    assert len(client.get("/api/v1/stock?sku=SKU-1", headers=headers()).get_json()) == 2


def test_the_ledger_lists_history_newest_first_with_who_and_why(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    client.post(
        "/api/v1/movements",
        json={"kind": "issue", "sku": "SKU-1", "location": "WH-1", "quantity": 2, "reason": "damaged"},
        headers=keyed(headers("warehouse")),
    )
    entries = client.get("/api/v1/ledger?sku=SKU-1", headers=headers()).get_json()
    assert [(e["kind"], e["delta"], e["balance_after"], e["reason"]) for e in entries] == [
        ("issue", -2, 3, "damaged"),
        ("receipt", 5, 5, ""),
    ]
    assert client.get("/api/v1/ledger?kind=count", headers=headers()).get_json() == []


def test_stock_as_of_now_matches_the_balances(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    now = client.get("/api/v1/stock/as-of?at=2999-01-01T00:00:00Z", headers=headers()).get_json()
    assert now == [{"sku": "SKU-1", "location": "WH-1", "on_hand": 5}]
    assert client.get("/api/v1/stock/as-of?at=2000-01-01T00:00:00", headers=headers()).get_json() == []


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+00:01", "9999-12-31T23:59:00-01:00"])
def test_an_instant_outside_the_utc_calendar_is_422_not_500(client, headers, at):
    response = client.get("/api/v1/stock/as-of", query_string={"at": at}, headers=headers())
    assert response.status_code == 422
    assert "at" in str(response.get_json()["errors"])


def test_a_movement_can_be_read_back_by_id(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    [entry] = client.get("/api/v1/ledger", headers=headers()).get_json()
    response = client.get(f"/api/v1/movements/{entry['movement_id']}", headers=headers())
    assert response.get_json()["sku"] == "SKU-1"
    assert client.get("/api/v1/movements/999999", headers=headers()).status_code == 404


def upload(client, headers, text: str, **extra):
    data = {"file": (io.BytesIO(text.encode()), "count.csv"), **extra}
    return client.post(
        "/api/v1/counts", data=data, headers=keyed(headers("warehouse")), content_type="multipart/form-data"
    )


def test_a_count_upload_posts_every_row(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    stock("SKU-2", "WH-1", 5)
    response = upload(client, headers, "sku,location,counted\nSKU-1,WH-1,4\nSKU-2,WH-1,8\n")
    assert response.status_code == 201
    assert [m["entries"][0]["delta"] for m in response.get_json()["movements"]] == [-1, 3]


def test_a_count_upload_with_bad_rows_names_them_and_posts_nothing(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    response = upload(client, headers, "sku,location,counted\nSKU-1,WH-1,4\nSKU-9,WH-1,1\n")
    assert response.status_code == 422
    assert response.get_json()["rows"] == {"row 3": ["unknown sku 'SKU-9'"]}
    assert on_hand(client, headers, "SKU-1", "WH-1") == 5


def test_a_count_upload_must_be_utf8(client, headers):
    response = upload(client, headers, "")
    assert response.status_code == 422
    bad = client.post(
        "/api/v1/counts",
        data={"file": (io.BytesIO(b"\xff\xfe\x00"), "count.csv")},
        headers=keyed(headers("warehouse")),
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {"json": {"file": ["must be a UTF-8 CSV file"]}}


def test_a_count_upload_with_a_quantity_beyond_the_ledger_range_is_422_naming_the_row(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    response = upload(client, headers, "sku,location,counted\nSKU-1,WH-1,4\nSKU-1,WH-1,1e20\n")
    assert response.status_code == 422
    assert response.get_json()["rows"] == {
        "row 3": ["counted '1e20' is beyond the ledger's range (less than 1000000000000)"]
    }
    assert on_hand(client, headers, "SKU-1", "WH-1") == 5


def test_a_count_upload_over_the_row_limit_is_413_naming_the_row(client, headers, stock, app, monkeypatch):
    stock("SKU-1", "WH-1", 5)
    monkeypatch.setitem(app.config, "COUNT_CSV_MAX_ROWS", 2)
    response = upload(client, headers, "sku,location,counted\n" + "SKU-1,WH-1,4\n" * 3)
    assert response.status_code == 413
    assert response.get_json()["message"] == "row 4: a count may have at most 2 rows; split the file"
    assert on_hand(client, headers, "SKU-1", "WH-1") == 5


def test_a_count_upload_over_the_size_limit_is_413(client, headers, stock, app, monkeypatch):
    stock("SKU-1", "WH-1", 5)
    monkeypatch.setitem(app.config, "COUNT_CSV_MAX_BYTES", 500)
    response = upload(client, headers, "sku,location,counted\n" + "SKU-1,WH-1,4\n" * 100)
    assert response.status_code == 413
    assert response.get_json()["message"] == "the request body is larger than 500 bytes"
    assert on_hand(client, headers, "SKU-1", "WH-1") == 5


def test_the_count_limits_default_to_5000_rows_and_2_mib(app):
    assert (app.config["COUNT_CSV_MAX_ROWS"], app.config["COUNT_CSV_MAX_BYTES"]) == (5000, 2 * 1024 * 1024)


def test_a_movement_taking_a_balance_beyond_the_ledger_range_is_422(client, headers, stock):
    stock("SKU-1", "WH-1", 900_000_000_000)
    receipt = {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 200_000_000_000}
    response = client.post("/api/v1/movements", json=receipt, headers=keyed(headers("warehouse")))
    assert response.status_code == 422
    assert "beyond the ledger's range" in response.get_json()["errors"]["json"]["quantity"][0]
    assert on_hand(client, headers, "SKU-1", "WH-1") == 900_000_000_000


def test_a_movement_of_an_inactive_item_is_409_and_changes_nothing(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    planner = headers("planner")
    assert client.patch("/api/v1/items/SKU-1", json={"active": False}, headers=planner).status_code == 200
    for movement in (
        {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 1},
        {"kind": "issue", "sku": "SKU-1", "location": "WH-1", "quantity": 1},
    ):
        response = client.post("/api/v1/movements", json=movement, headers=keyed(headers("warehouse")))
        assert response.status_code == 409
        assert response.get_json()["status"] == "item_inactive"
        assert response.get_json()["message"] == (
            "item SKU-1 is inactive: its stock does not move (reactivate it first)"
        )
    assert on_hand(client, headers, "SKU-1", "WH-1") == 5
    assert client.patch("/api/v1/items/SKU-1", json={"active": True}, headers=planner).status_code == 200
    receipt = {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 1}
    assert (
        client.post("/api/v1/movements", json=receipt, headers=keyed(headers("warehouse"))).status_code == 201
    )


def test_a_count_upload_with_a_nul_character_is_422_naming_the_row(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    response = upload(client, headers, "sku,location,counted\nSKU-1,WH-1,4\nSKU\x00-1,WH-1,4\n")
    assert response.status_code == 422
    assert response.get_json()["rows"] == {"row 3": ["must not contain a NUL character"]}
    assert on_hand(client, headers, "SKU-1", "WH-1") == 5
