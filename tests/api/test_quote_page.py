"""The quote form in the workspace: sales staff ask for a promise, see it explained, and may hold it."""

import re

import pytest
from sqlalchemy import func, select

from core.auth import create_user
from core.db import db
from orders.models import CustomerOrder
from tests.quote_factories import build_network, publish


def csrf_token(client, url) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def form_key(text: str) -> str:
    return re.search(r'name="idempotency_key" id="quote-key" value="([^"]+)"', text).group(1)


@pytest.fixture
def signed_in(client, seed):
    seed(build_network)
    seed(publish)

    def sign(role: str):
        seed(lambda: create_user(username=f"{role}-page", roles=[role], password="s3cret-pass"))
        form = {
            "username": f"{role}-page",
            "password": "s3cret-pass",
            "csrf_token": csrf_token(client, "/login"),
        }
        assert client.post("/login", data=form).status_code == 302
        return client

    return sign


def test_sales_staff_quote_from_the_workspace_and_see_why(signed_in):
    client = signed_in("sales")
    page = client.get("/quote").get_data(as_text=True)
    assert 'name="lines"' in page and ">Quote</a>" in page
    form = {
        "customer": "CS",
        "lines": "FG 4\nBUY 2",
        "priority": "2",
        "ship_complete": "on",
        "csrf_token": csrf_token(client, "/quote"),
    }
    answer = client.post("/quote", data=form, headers={"HX-Request": "true"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Promised" in text
    assert "waits for PO to SUP: 72 h lead time" in text and "line 2 of 2 is the latest" in text
    assert "Held as order" not in text


def test_a_held_quote_from_the_form_is_an_order_once_however_often_it_is_sent(signed_in, app):
    client = signed_in("sales")
    page = client.get("/quote").get_data(as_text=True)
    form = {
        "customer": "CS",
        "lines": "FG 4",
        "priority": "1",
        "ship_complete": "on",
        "hold": "on",
        "csrf_token": csrf_token(client, "/quote"),
        "idempotency_key": form_key(page),
    }
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(CustomerOrder))
    first = client.post("/quote", data=form, headers={"HX-Request": "true"}).get_data(as_text=True)
    number = re.search(r"Held as order <a [^>]+>(SO-\d+)</a>", first).group(1)
    again = client.post("/quote", data=form, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(r"Held as order <a [^>]+>(SO-\d+)</a>", again).group(1) == number  # a double submit
    fresh = form_key(first)  # the answer brings the form a new key: the next hold is a new order
    assert fresh != form["idempotency_key"] and 'hx-swap-oob="true"' in first
    other = client.post("/quote", data={**form, "idempotency_key": fresh}, headers={"HX-Request": "true"})
    assert re.search(r"Held as order <a [^>]+>(SO-\d+)</a>", other.get_data(as_text=True)).group(1) != number
    without = client.post("/quote", data={k: v for k, v in form.items() if k != "idempotency_key"})
    assert without.status_code == 428
    with app.app_context():
        order = db.session.scalar(select(CustomerOrder).where(CustomerOrder.number == number))
        assert (order.status, order.priority) == ("confirmed", 1)
        assert db.session.scalar(select(func.count()).select_from(CustomerOrder)) == before + 2


def test_the_form_names_a_bad_field_and_refuses_other_roles(signed_in):
    client = signed_in("sales")
    form = {"customer": "CS", "lines": "NOPE 1", "csrf_token": csrf_token(client, "/quote")}
    refused = client.post("/quote", data=form, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "lines[0].sku" in refused.get_data(as_text=True)
    garbled = client.post("/quote", data={**form, "lines": "FG four"}, headers={"HX-Request": "true"})
    assert garbled.status_code == 422 and "line 1: each line is" in garbled.get_data(as_text=True)
    unquotable = client.post("/quote", data={**form, "lines": "NONE 1"}, headers={"HX-Request": "true"})
    assert "Not quotable: line 1: no source for NONE" in unquotable.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/quote")})
    clerk = signed_in("warehouse")
    assert clerk.get("/quote").status_code == 403
    assert ">Quote</a>" not in clerk.get("/orders").get_data(as_text=True)
