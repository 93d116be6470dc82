"""Input refused before any view: bodies over the size limit (chunked ones too), NUL characters, JSON nested
too deeply. Each is a 4xx in the one error shape and changes nothing."""

import io
import json

import pytest

from tests.factories import keyed

RECEIPT = {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": 5}


def chunked(client, path, body: bytes, headers, content_type="application/json"):
    """POST `body` as a server does a chunked upload: no Content-Length, the stream ended by the server."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers=headers,
        environ_overrides={"wsgi.input_terminated": True},
    )


def ledger_length(client, headers):
    return len(client.get("/api/v1/ledger", headers=headers()).get_json())


def test_the_default_body_limit_is_16_mib(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024


def test_a_body_over_the_limit_is_413_naming_the_limit(client, headers, stock, monkeypatch, app):
    stock("SKU-1", "WH-1", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    big = {**RECEIPT, "reason": "x" * 2000}
    response = client.post("/api/v1/movements", json=big, headers=keyed(headers("warehouse")))
    assert response.status_code == 413
    assert response.get_json()["message"] == "the request body is larger than 1000 bytes"
    assert ledger_length(client, headers) == 1


def test_a_chunked_body_over_the_limit_is_413_too(client, headers, stock, monkeypatch, app):
    stock("SKU-1", "WH-1", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    body = json.dumps({**RECEIPT, "reason": "x" * 2000}).encode()
    response = chunked(client, "/api/v1/movements", body, keyed(headers("warehouse")))
    assert response.status_code == 413
    assert response.get_json()["status"] == "too_large"
    assert ledger_length(client, headers) == 1


def test_a_chunked_body_within_the_limit_is_accepted(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    response = chunked(client, "/api/v1/movements", json.dumps(RECEIPT).encode(), keyed(headers("warehouse")))
    assert response.status_code == 201


def test_the_simulate_cap_holds_for_a_chunked_snapshot(client, headers, monkeypatch, app):
    monkeypatch.setitem(app.config, "PLANNING_SIMULATE_MAX_BYTES", 1000)
    body = json.dumps({"contract": "supply-plan/1", "padding": "x" * 5000}).encode()
    response = chunked(client, "/api/v1/planning/simulate", body, headers("planner"))
    assert response.status_code == 413
    assert response.get_json()["message"] == "the request body is larger than 1000 bytes"


def test_a_nul_character_in_a_json_string_is_422_naming_the_field(client, headers):
    response = client.post(
        "/api/v1/regions", json={"code": "north", "name": "No\x00rth"}, headers=headers("planner")
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": {"name": ["must not contain a NUL character"]}}
    assert client.get("/api/v1/regions/north", headers=headers()).status_code == 404


def test_a_nul_character_inside_a_list_is_named_by_its_path(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    batch = {"movements": [RECEIPT, {**RECEIPT, "reason": "a\x00b"}]}
    response = client.post("/api/v1/movements/batch", json=batch, headers=keyed(headers("warehouse")))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "json": {"movements[1].reason": ["must not contain a NUL character"]}
    }
    assert ledger_length(client, headers) == 1


@pytest.mark.parametrize(
    "path", ["/api/v1/items?q=a%00b", "/api/v1/items/SKU%001", "/api/v1/stock?sku=%00"], ids=str
)
def test_a_nul_character_in_the_query_or_path_is_422(client, headers, path):
    response = client.get(path, headers=headers())
    assert response.status_code == 422
    assert "NUL" in response.get_json()["message"]


def test_a_nul_character_in_a_form_field_is_422(client, headers):
    data = {"file": (io.BytesIO(b"sku,location,counted\n"), "count.csv"), "note": "a\x00"}
    response = client.post("/api/v1/counts", data=data, headers=keyed(headers("warehouse")))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"form": {"note": ["must not contain a NUL character"]}}


@pytest.mark.parametrize("depth", [100, 100_000])
def test_json_nested_too_deeply_is_400(client, headers, depth):
    body = ("[" * depth + "]" * depth).encode()
    response = client.post(
        "/api/v1/regions", data=body, content_type="application/json", headers=headers("planner")
    )
    assert response.status_code == 400
    assert response.get_json()["message"] == "json body: nested deeper than 64 levels"


def test_deeply_nested_json_on_a_stock_write_is_400_and_applies_nothing(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    body = ('{"movements": ' + "[" * 50_000 + "]" * 50_000 + "}").encode()
    response = client.post(
        "/api/v1/movements/batch",
        data=body,
        content_type="application/json",
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 400
    assert ledger_length(client, headers) == 1


def test_a_multipart_part_without_a_name_is_no_server_error(client, headers):
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\n2\r\n--b--\r\n"
    response = client.post(
        "/api/v1/counts", data=body, headers=headers() | {"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code < 500
