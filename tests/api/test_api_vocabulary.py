"""The API reads as one: quantities are `quantity` (and `shipped_quantity`, `received_quantity`,
`min_quantity`, `quantity_per`, ...): the older name (`qty`, ...) is still read and still written beside
it (deprecated); a count CSV comes as a `text/csv` body or a multipart `file`, refusals name the field (and a
batch's line)."""

import io
import secrets
from datetime import timedelta

import pytest

from core.db import db
from orders.models import CustomerOrder
from tests.factories import keyed
from tests.procurement_factories import build_world

API = "/api/v1"


@pytest.fixture
def world(app, db_session):
    with app.app_context():
        build_world()
        db.session.commit()


def released_order(client, headers) -> str:
    body = {
        "supplier": "SUP",
        "location": "PL-T",
        "receive_at": "2026-11-24T08:00:00Z",
        "status": "released",
        "lines": [{"sku": "BRD", "quantity": 100}],
    }
    response = client.post(f"{API}/purchase-orders", json=body, headers=headers("planner"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["lines"][0]["quantity"] == 100
    return response.get_json()["number"]


def receive(client, headers, number, body):
    url = f"{API}/purchase-orders/{number}/lines/1/receive"
    return client.post(
        url, json=body, headers=dict(headers("warehouse"), **{"Idempotency-Key": secrets.token_hex(8)})
    )


def test_receiving_a_purchase_line_takes_quantity_and_still_reads_qty(client, headers, world):
    number = released_order(client, headers)
    assert receive(client, headers, number, {"quantity": 30}).status_code == 200
    response = receive(client, headers, number, {"qty": 20})  # the older name, deprecated
    assert response.status_code == 200 and response.get_json()["lines"][0]["received_quantity"] == 50


def test_both_names_with_different_values_is_a_422_naming_the_field(client, headers, world):
    number = released_order(client, headers)
    response = receive(client, headers, number, {"quantity": 3, "qty": 4})
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"] == {
        "quantity": ["`qty` is the older name of `quantity` (deprecated): give one, or both alike"]
    }
    alike = receive(client, headers, number, {"quantity": 3, "qty": 3})
    assert alike.status_code == 200 and alike.get_json()["lines"][0]["received_quantity"] == 3


def _purchase(name, value):
    line = {"sku": "BRD", name: value}
    return (
        "post",
        "/purchase-orders",
        {"supplier": "SUP", "location": "PL-T", "receive_at": "2026-11-24T08:00:00Z"} | {"lines": [line]},
    )


def _production(name, value):
    return (
        "post",
        "/production-orders",
        {
            "sku": "NB",
            "resource": "L1",
            name: value,
            "start_at": "2026-11-23T06:00:00Z",
        },
    )


def _order(name, value):
    return (
        "post",
        "/orders",
        {"customer": "C1", "requested_at": "2026-11-23T12:00:00Z", "lines": [{"sku": "NB", name: value}]},
    )


def _offer(name, value):
    offer = {"supplier": "SUP", "sku": "CPU", "location": "PL-T", "lead_time_hours": 72, "unit_cost": 180}
    return "post", "/supply-offers", offer | {name: value}


def _route(name, value):
    route = {"sku": "SUB", "resource": "L1", "hours_per_unit": 0.1, "lead_time_hours": 8, "unit_cost": 3}
    return "put", "/routes", [route | {"components": [{"sku": "BRD", name: value}]}]


# (the request, its field's new and older name, where the answer has it, where a refusal names it)
RENAMED = {
    "purchase line": (_purchase, "quantity", "qty", lambda r: r["lines"][0], ["lines", "0"]),
    "production order": (_production, "quantity", "qty", lambda r: r, []),
    "order line": (_order, "quantity", "qty", lambda r: r["lines"][0], ["lines", "0"]),
    "offer": (_offer, "min_quantity", "min_qty", lambda r: r, []),
    "route component": (_route, "quantity_per", "qty_per", None, ["0", "components", "0"]),
}


@pytest.fixture
def customer(client, headers, world):
    body = {"code": "C1", "name": "Customer", "region": "east"}
    assert client.post(f"{API}/customers", json=body, headers=headers("planner")).status_code == 201


def _send(client, headers, request, name, value):
    method, path, body = request(name, value)
    return getattr(client, method)(f"{API}{path}", json=body, headers=headers("planner"))


def _answered(client, headers, case, response):
    part = RENAMED[case][3]
    if part is not None:
        return part(response.get_json())
    routes = client.get(f"{API}/routes", query_string={"sku": "SUB", "resource": "L1"}, headers=headers())
    return routes.get_json()[0]["components"][0]


@pytest.mark.parametrize("case", RENAMED)
def test_the_new_name_is_taken_and_answered_with_the_older_one_beside_it(client, headers, customer, case):
    request, new, older, _, _ = RENAMED[case]
    response = _send(client, headers, request, new, 20)
    assert response.status_code in (200, 201), response.get_json()
    answered = _answered(client, headers, case, response)
    assert (answered[new], answered[older]) == (20, 20)


@pytest.mark.parametrize("case", RENAMED)
def test_the_older_name_is_still_read(client, headers, customer, case):
    request, new, older, _, _ = RENAMED[case]
    response = _send(client, headers, request, older, 30)  # deprecated
    assert response.status_code in (200, 201), response.get_json()
    assert _answered(client, headers, case, response)[new] == 30


@pytest.mark.parametrize("case", RENAMED)
def test_both_names_with_different_values_are_a_422_naming_the_field(client, headers, customer, case):
    request, new, older, _, where = RENAMED[case]
    method, path, body = request(new, 5)
    target = body
    for step in where:
        target = target[int(step)] if isinstance(target, list) else target[step]
    target[older] = 6
    response = getattr(client, method)(f"{API}{path}", json=body, headers=headers("planner"))
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    for step in where:
        errors = errors[step]
    assert list(errors) == [new] and f"`{older}` is the older name of `{new}`" in errors[new][0]


def test_the_older_names_are_marked_deprecated_in_the_openapi_schema(client):
    schemas = client.get(f"{API}/openapi.json").get_json()["components"]["schemas"]
    line = schemas["PurchaseOrderLine"]["properties"]
    assert "deprecated" not in line["quantity"] and "deprecated" not in line["received_quantity"]
    assert line["qty"]["deprecated"] is True and line["qty_received"]["deprecated"] is True
    assert "older name of `quantity`" in line["qty"]["description"]
    assert schemas["OrderLine"]["properties"]["shipped_qty"]["deprecated"] is True
    assert schemas["RouteComponent"]["properties"]["qty_per"]["deprecated"] is True


def test_the_planner_contract_keeps_qty(client, headers, world):
    snapshot = client.get(f"{API}/planning/snapshot", headers=headers("planner")).get_json()
    offer = snapshot["supply_offers"][0]
    assert "min_qty" in offer and "min_quantity" not in offer


def test_a_missing_quantity_is_a_422_naming_it(client, headers, world):
    number = released_order(client, headers)
    response = receive(client, headers, number, {})
    assert response.status_code == 422 and "quantity" in response.get_json()["errors"]["json"]


def test_a_count_is_accepted_as_a_text_csv_body(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    response = client.post(
        f"{API}/counts",
        data="sku,location,counted\nSKU-1,WH-1,2\n",
        content_type="text/csv",
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["movements"][0]["entries"][0]["delta"] == -3


def test_a_count_as_a_multipart_file_still_works(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    data = {"file": (io.BytesIO(b"sku,location,counted\nSKU-1,WH-1,7\n"), "count.csv")}
    response = client.post(f"{API}/counts", data=data, headers=keyed(headers("warehouse")))
    assert response.status_code == 201 and response.get_json()["movements"][0]["entries"][0]["delta"] == 2


def test_a_count_without_a_csv_says_how_to_send_one(client, headers):
    response = client.post(f"{API}/counts", json={"rows": []}, headers=keyed(headers("warehouse")))
    assert response.status_code == 422
    assert "text/csv" in response.get_json()["errors"]["json"]["file"][0]


def test_a_body_that_is_not_json_is_named_not_a_generic_text(client, headers):
    response = client.post(
        f"{API}/movements",
        data="{not json",
        content_type="application/json",
        headers=keyed(headers("warehouse")),
    )
    body = response.get_json()
    assert response.status_code in (400, 422) and "browser (or proxy)" not in body["message"]
    assert "JSON" in body["message"]


def test_a_refused_batch_names_the_line_and_the_field(client, headers):
    batch = {"movements": [{"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 1}] * 3}
    batch["movements"] = [
        *batch["movements"],
        {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": "x"},
    ]
    response = client.post(f"{API}/movements/batch", json=batch, headers=keyed(headers("warehouse")))
    body = response.get_json()
    assert response.status_code == 422 and body["status"] == "invalid"
    assert "movements[3].quantity" in body["message"]


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v1/orders/SO-NOPE"])
def test_the_same_refusal_has_the_same_status_from_the_framework_or_a_domain(client, headers, path):
    body = client.get(path, headers=headers("planner")).get_json()
    assert body["code"] == 404 and body["status"] == "not_found"


def test_the_api_docs_are_served_from_the_installed_package_not_a_cdn(client):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert (
        page.status_code == 200 and "cdn." not in html and "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    )
    assert "cdn." not in page.headers["Content-Security-Policy"]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        response = client.get(f"/api/v1/docs/assets/{asset}")
        assert response.status_code == 200 and len(response.get_data()) > 10_000
        response.close()


def test_the_orders_api_filters_late_orders_by_item_and_words(client, headers, seed):
    from tests.release_fixtures import load_demo, publish_greedy_run

    seed(publish_greedy_run, user_id=seed(load_demo))

    def promise_a_day_late():
        order = db.session.scalar(db.select(CustomerOrder).filter_by(number="SO-1003"))
        order.status, order.promised_at = "confirmed", order.requested_at + timedelta(days=1)

    seed(promise_a_day_late)
    late = client.get(f"{API}/orders", query_string={"late": "true", "page_size": 200}, headers=headers())
    assert [r["number"] for r in late.get_json()] == ["SO-1003"]
    found = client.get(f"{API}/orders", query_string={"q": "so-1007"}, headers=headers()).get_json()
    assert [r["number"] for r in found] == ["SO-1007"]
    with_item = client.get(f"{API}/orders", query_string={"sku": "NB-14"}, headers=headers()).get_json()
    assert with_item and all(any(line["sku"] == "NB-14" for line in r["lines"]) for r in with_item)
