"""`Idempotency-Key`: a retried write returns the first result and applies nothing."""

import io

import pytest

RECEIPT = {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 5}


def post(client, headers, body, key, role="warehouse"):
    return client.post("/api/v1/movements", json=body, headers={**headers(role), "Idempotency-Key": key})


def ledger_length(client, headers):
    return len(client.get("/api/v1/ledger", headers=headers()).get_json())


def test_a_retry_returns_the_first_result_and_applies_nothing(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    first = post(client, headers, RECEIPT, "k-1")
    retry = post(client, headers, RECEIPT, "k-1")
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert ledger_length(client, headers) == 2


def test_the_same_key_with_another_body_is_409(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    post(client, headers, RECEIPT, "k-1")
    response = post(client, headers, {**RECEIPT, "quantity": 6}, "k-1")
    assert response.status_code == 409
    assert response.get_json()["status"] == "idempotency_key_reused"
    assert ledger_length(client, headers) == 2


def test_a_refused_request_is_not_remembered_so_its_retry_runs_again(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    issue = {"kind": "issue", "sku": "SKU-1", "location": "WH-1", "quantity": 3}
    assert post(client, headers, issue, "k-2").status_code == 409
    stock("SKU-1", "WH-1", 5)
    assert post(client, headers, issue, "k-2").status_code == 201


def test_keys_belong_to_their_user(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    post(client, headers, RECEIPT, "shared")
    other = post(client, headers, RECEIPT, "shared", role="admin")
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other.headers
    assert ledger_length(client, headers) == 3


def test_a_batch_retry_applies_nothing(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    batch = {"movements": [RECEIPT, {**RECEIPT, "quantity": 2}]}
    bearer = {**headers("warehouse"), "Idempotency-Key": "b-1"}
    first = client.post("/api/v1/movements/batch", json=batch, headers=bearer)
    retry = client.post("/api/v1/movements/batch", json=batch, headers=bearer)
    assert retry.get_json() == first.get_json()
    assert ledger_length(client, headers) == 3


def test_an_overlong_key_is_422(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    response = post(client, headers, RECEIPT, "k" * 201)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]["json"]


def test_a_retried_count_upload_applies_once_though_its_multipart_boundary_changes(client, headers, stock):
    stock("SKU-1", "WH-1", 5)
    bearer = {**headers("warehouse"), "Idempotency-Key": "count-1"}

    def upload(csv: str):
        data = {"file": (io.BytesIO(csv.encode()), "count.csv")}
        return client.post("/api/v1/counts", data=data, headers=bearer, content_type="multipart/form-data")

    first, retry = (
        upload("sku,location,counted\nSKU-1,WH-1,4\n"),
        upload("sku,location,counted\nSKU-1,WH-1,4\n"),
    )
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert upload("sku,location,counted\nSKU-1,WH-1,3\n").status_code == 409
    assert ledger_length(client, headers) == 2


STOCK_WRITES = [
    ("/api/v1/movements", {"json": RECEIPT}),
    ("/api/v1/movements/batch", {"json": {"movements": [RECEIPT]}}),
    ("/api/v1/counts", {"data": {"file": "sku,location,counted\nSKU-1,WH-1,4\n"}}),
    ("/api/v1/purchase-orders/PO-000001/lines/1/receive", {"json": {"quantity": 1}}),
    ("/api/v1/production-orders/MO-000001/start", {}),
    ("/api/v1/production-orders/MO-000001/complete", {}),
    ("/api/v1/shipments/SH-000001/dispatch", {"json": {}}),
    ("/api/v1/shipments/SH-000001/deliver", {"json": {}}),
]


@pytest.mark.parametrize(("path", "body"), STOCK_WRITES, ids=[p for p, _ in STOCK_WRITES])
def test_a_write_that_moves_stock_without_a_key_is_428_and_applies_nothing(
    client, headers, stock, path, body
):
    stock("SKU-1", "WH-1", 1)
    before = ledger_length(client, headers)
    if "data" in body:  # a fresh upload per request (a file object is read once)
        body = {"data": {"file": (io.BytesIO(body["data"]["file"].encode()), "c.csv")}}
    response = client.post(path, headers=headers("admin"), **body)
    assert response.status_code == 428
    assert response.get_json()["status"] == "idempotency_key_required"
    assert "Idempotency-Key" in response.get_json()["message"]
    assert ledger_length(client, headers) == before


def test_the_spec_marks_the_key_required_on_every_write_that_moves_stock(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, _ in STOCK_WRITES:
        template = path.replace("PO-000001", "{number}").replace("MO-000001", "{number}")
        template = template.replace("SH-000001", "{number}").replace("lines/1/", "lines/{line_no}/")
        parameters = spec["paths"][template]["post"]["parameters"]
        key = next(p for p in parameters if p["name"] == "Idempotency-Key")
        assert key["required"] is True, template
        assert "428" in spec["paths"][template]["post"]["responses"]
