"""The supplier role: confined to the supplier portal, and to its own supplier's records.

The matrix walks every route of the app: a supplier's token is refused (403) by each view that is not a
supplier view, a supplier's session by each workspace page; two suppliers never see each other's data.
"""

import re

import pytest

from core.db import db
from tests.supplier_factories import later, two_suppliers

API = "/api/v1"
# public, with no data: liveness and the API's own description
OPEN_TO_ALL = {"/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs"}


@pytest.fixture
def suppliers(app, db_session):
    with app.app_context():
        pair = two_suppliers()
        db.session.commit()
        return pair


def _url(rule) -> str:
    """The rule with a value in each variable: 1 for an id, the first choice of an `any`, else "X"."""

    def value(match):
        converter, choices = match.group(1), match.group(2)
        if converter == "any":
            return choices.split(",")[0]
        return "1" if converter in ("id", "int") else "X"

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", value, rule.rule)


def csrf_token(client, url="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def sign_in(client, username: str, password: str = "portal-pass"):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.status_code
    return response


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if (
            rule.rule.startswith(API)
            and rule.rule not in OPEN_TO_ALL
            and not rule.rule.startswith(f"{API}/supplier/")
            and not rule.rule.endswith("<path:filename>")  # static files (the API docs' assets)
        ):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule


def test_every_view_that_is_not_a_supplier_view_refuses_a_supplier_token(app, client, suppliers):
    a, _ = suppliers
    checked = []
    for method, rule in _api_rules(app):
        response = client.open(_url(rule), method=method, headers=a.headers, json={})
        assert response.status_code == 403, (method, rule.rule, response.status_code)
        checked.append(rule.rule)
    assert len(checked) > 60  # the whole API, not a few views


def test_even_a_view_open_to_any_role_refuses_a_supplier(client, suppliers, headers):
    a, _ = suppliers
    assert client.get(f"{API}/me", headers=a.headers).status_code == 403
    assert client.get(f"{API}/suppliers", headers=a.headers).status_code == 403
    assert client.get(f"{API}/suppliers", headers=headers("warehouse")).status_code == 200


def test_every_workspace_page_refuses_a_supplier_session(app, client, suppliers):
    a, _ = suppliers
    sign_in(client, a.username)
    token = csrf_token(client, "/portal")
    pages = [
        rule
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(API)
        and "GET" in rule.methods
        and rule.endpoint not in ("web.login", "web.home", "web.static", "suppliers_web.static")
        and not rule.endpoint.startswith(
            ("suppliers_web.portal", "suppliers_web.forecast", "api-docs", "static")
        )
        and not rule.rule.startswith(("/metrics", "/openapi"))
        and not rule.rule.endswith("<path:filename>")  # static files (the pages' scripts and styles)
    ]
    assert len(pages) >= 8
    for rule in pages:
        response = client.get(_url(rule))
        assert response.status_code == 403, (rule.rule, response.status_code)
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("web.", "suppliers_web.")) and "POST" in rule.methods:
            if rule.endpoint in ("web.login_post", "web.logout", "suppliers_web.acknowledge_order"):
                continue
            assert client.post(_url(rule), data={"csrf_token": token}).status_code == 403, rule.rule


def test_a_supplier_signs_in_to_its_portal_and_sees_only_its_own_orders(client, suppliers):
    a, b = suppliers
    response = sign_in(client, a.username)
    assert response.headers["Location"] == "/portal"
    assert client.get("/").headers["Location"] == "/portal"
    page = client.get("/portal").get_data(as_text=True)
    assert a.order in page and b.order not in page


def test_the_portal_refuses_takt_s_own_roles(client, headers, seed):
    from core.auth import create_user

    seed(lambda: create_user(username="planner-p", roles=["planner"], password="s3cret-pass"))
    assert client.get(f"{API}/supplier/purchase-orders", headers=headers("planner")).status_code == 403
    assert client.get(f"{API}/supplier/purchase-orders", headers=headers("admin")).status_code == 403
    sign_in(client, "planner-p", "s3cret-pass")
    assert client.get("/portal").status_code == 403


def test_a_supplier_reads_and_writes_only_its_own_records(client, suppliers):
    a, b = suppliers
    orders = client.get(f"{API}/supplier/purchase-orders", headers=a.headers).get_json()
    assert [o["number"] for o in orders] == [a.order]
    assert client.get(f"{API}/supplier/purchase-orders/{b.order}", headers=a.headers).status_code == 404
    ack = {"decision": "accept"}
    assert (
        client.post(
            f"{API}/supplier/purchase-orders/{b.order}/acknowledgement", json=ack, headers=a.headers
        ).status_code
        == 404
    )
    ship = {
        "purchase_order": b.order,
        "carrier": "DHL",
        "tracking_ref": "1",
        "arrive_at": later(1),
        "lines": [{"line": 1, "quantity": 1}],
    }
    assert client.post(f"{API}/supplier/shipments", json=ship, headers=a.headers).status_code == 404
    assert (
        client.post(
            f"{API}/supplier/offers/{b.offer}/proposals", json={"unit_cost": 1}, headers=a.headers
        ).status_code
        == 404
    )
    offers = client.get(f"{API}/supplier/offers", headers=a.headers).get_json()
    assert [o["supplier"] for o in offers] == ["SUP-A"]
    # B's own views still show B its order, untouched by A's attempts
    [order] = client.get(f"{API}/supplier/purchase-orders", headers=b.headers).get_json()
    assert (order["number"], order["supplier_status"]) == (b.order, "awaiting")


def test_b_s_shipment_is_not_found_for_a(client, suppliers):
    a, b = suppliers
    ship = {
        "purchase_order": b.order,
        "carrier": "DHL",
        "tracking_ref": "T-1",
        "arrive_at": later(1),
        "lines": [{"line": 1, "quantity": 10}],
    }
    created = client.post(f"{API}/supplier/shipments", json=ship, headers=b.headers)
    assert created.status_code == 201, created.get_json()
    number = created.get_json()["number"]
    assert client.get(f"{API}/supplier/shipments/{number}", headers=a.headers).status_code == 404
    assert client.get(f"{API}/supplier/shipments", headers=a.headers).get_json() == []


def test_the_supplier_role_is_held_alone(client, headers):
    body = {"username": "mixed", "roles": ["supplier", "planner"]}
    response = client.post(f"{API}/suppliers/SUP/users", json={"username": "x"}, headers=headers("planner"))
    assert response.status_code == 403  # binding users is the admin's
    from core.auth import check_roles
    from core.errors import Invalid

    with pytest.raises(Invalid, match="held alone"):
        check_roles(body["roles"])
