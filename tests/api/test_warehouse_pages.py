"""The warehouse and master-data pages through the test client: who may book, what a refusal shows, and
that a form's idempotency key books once."""

import io
import re

import pytest

from core.auth import create_user
from tests.factories import balance_of, make_item, make_location, make_region


def csrf_token(client, url="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


@pytest.fixture
def sign_in(client, seed):
    def sign(*roles: str):
        name = f"{'-'.join(roles)}-user"
        seed(lambda: create_user(username=name, roles=list(roles), password="s3cret-pass"))
        token = csrf_token(client)
        client.post("/login", data={"username": name, "password": "s3cret-pass", "csrf_token": token})
        return token

    return sign


@pytest.fixture
def place(seed):
    seed(make_region, "north")
    seed(make_location, "WH-1", region="north")
    seed(make_item, "SKU-1")


def book(client, token, kind, key="k-1", **fields):
    return client.post(f"/warehouse/{kind}", data={"csrf_token": token, "idempotency_key": key, **fields})


def on_hand(app, sku, location):
    with app.app_context():
        balance = balance_of(sku, location)
        return float(balance.on_hand) if balance else 0.0


def test_a_receipt_books_once_however_often_its_form_is_sent(client, app, sign_in, place):
    token = sign_in("warehouse")
    first = book(client, token, "receipt", sku="SKU-1", location="WH-1", quantity="5")
    again = book(client, token, "receipt", sku="SKU-1", location="WH-1", quantity="5")
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert on_hand(app, "SKU-1", "WH-1") == 5
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Received 5 pcs of <b>SKU-1</b> into WH-1" in page


def test_a_refusal_is_the_form_again_with_the_reason_and_nothing_booked(client, app, sign_in, place):
    token = sign_in("warehouse")
    short = book(client, token, "issue", sku="SKU-1", location="WH-1", quantity="3")
    assert short.status_code == 409
    assert "would take stock to -3" in short.get_data(as_text=True)
    unknown = book(client, token, "receipt", key="k-2", sku="NOPE", location="WH-1", quantity="1,5")
    assert unknown.status_code == 422
    assert "unknown sku &#39;NOPE&#39;" in unknown.get_data(as_text=True)
    # the key of a refused post stays unused: the corrected form books with it
    fixed = book(client, token, "receipt", key="k-2", sku="SKU-1", location="WH-1", quantity="1,5")
    assert fixed.status_code == 303
    assert on_hand(app, "SKU-1", "WH-1") == 1.5


def test_a_post_without_its_key_books_nothing(client, app, sign_in, place):
    token = sign_in("warehouse")
    response = client.post(
        "/warehouse/receipt", data={"csrf_token": token, "sku": "SKU-1", "location": "WH-1", "quantity": "1"}
    )
    assert response.status_code == 428
    assert on_hand(app, "SKU-1", "WH-1") == 0


def test_only_warehouse_staff_book_and_everyone_signs_in_first(client, sign_in, place):
    assert client.get("/warehouse/receipt").status_code == 302  # to the sign-in page
    token = sign_in("planner")
    assert client.get("/warehouse/receipt").status_code == 200
    assert book(client, token, "receipt", sku="SKU-1", location="WH-1", quantity="1").status_code == 403
    assert client.get("/warehouse/nothing").status_code == 404


def test_an_import_page_checks_then_applies_and_refuses_whom_the_api_refuses(client, sign_in):
    token = sign_in("scheduler")
    upload = {
        "csrf_token": token,
        "idempotency_key": "i-1",
        "file": (io.BytesIO(b"code,name\nnorth,North\n"), "r.csv"),
    }
    assert client.get("/data/regions").status_code == 200  # everyone reads
    assert (
        client.post("/data/regions/import", data=upload, content_type="multipart/form-data").status_code
        == 403
    )
    client.post("/logout", data={"csrf_token": token})
    token = sign_in("planner")
    checked = client.post(
        "/data/regions/check",
        data={"csrf_token": token, "file": (io.BytesIO(b"code,name\nnorth,North\n!bad,Bad\n"), "r.csv")},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200
    assert '<td class="row">3</td><td>code</td>' in checked.get_data(as_text=True)
    assert "North" not in client.get("/data/regions").get_data(as_text=True)  # the check changed nothing
    upload = {
        "csrf_token": token,
        "idempotency_key": "i-2",
        "file": (io.BytesIO(b"code,name\nnorth,North\n"), "r.csv"),
    }
    applied = client.post("/data/regions/import", data=upload, content_type="multipart/form-data")
    assert applied.status_code == 303
    assert "Imported: 1 created, 0 updated." in client.get(applied.headers["Location"]).get_data(as_text=True)
