"""The kernel over HTTP: authentication, roles, the one error shape."""

from tests.factories import keyed


def test_health_needs_no_token(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_missing_token_is_401_in_the_error_shape(client):
    response = client.get("/api/v1/stock")
    assert response.status_code == 401
    assert response.get_json() == {
        "code": 401,
        "status": "unauthorized",
        "message": "authentication required",
    }


def test_unknown_token_is_401(client):
    response = client.get("/api/v1/stock", headers={"Authorization": "Bearer takt_nope"})
    assert response.status_code == 401
    assert response.get_json()["message"] == "invalid or revoked token"


def test_wrong_role_is_403(client, headers):
    response = client.post("/api/v1/regions", json={"code": "north"}, headers=headers("warehouse"))
    assert response.status_code == 403
    assert response.get_json()["required_roles"] == ["planner"]


def test_revoked_token_stops_working(client, app, make_token):
    from core import auth
    from core.db import db

    secret = make_token("planner")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    with app.app_context():
        token = auth.authenticate_token(secret)
        auth.revoke_token(token.token_id)
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_token_carries_only_its_scoped_roles(client, app):
    from core import auth
    from core.db import db

    with app.app_context():
        user = auth.create_user(username="both", roles=["warehouse", "planner"])
        _, secret = auth.create_token(user=user, roles=["warehouse"])
        db.session.commit()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert me["roles"] == ["warehouse"]


def test_invalid_body_is_422_with_field_errors(client, headers):
    response = client.post(
        "/api/v1/movements",
        json={"kind": "teleport", "quantity": "many"},
        headers=keyed(headers("warehouse")),
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert set(errors) >= {"kind", "quantity", "sku"}


def test_unknown_route_is_json_404(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_wrong_method_is_405_with_allow_header(client, headers):
    response = client.delete("/api/v1/stock", headers=headers())
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_an_admins_token_scoped_to_one_role_acts_with_that_role(client, app):
    from core import auth
    from core.db import db

    with app.app_context():
        admin = auth.create_user(username="root", roles=["admin"])
        _, secret = auth.create_token(user=admin, roles=["warehouse"])
        db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=bearer).get_json()["roles"] == ["warehouse"]
    assert client.post("/api/v1/regions", json={"code": "north"}, headers=bearer).status_code == 403


def test_a_token_loses_the_roles_its_user_loses(client, app):
    from core import auth
    from core.db import db

    with app.app_context():
        user = auth.create_user(username="demoted", roles=["admin"])
        _, secret = auth.create_token(user=user)
        user.roles = "warehouse"
        db.session.commit()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert me["roles"] == []


def test_a_browser_session_does_not_authorize_the_api(client, app):
    from core import auth
    from core.db import db

    with app.app_context():
        user = auth.create_user(username="cookie-only", roles=["warehouse"], password="pw")
        db.session.commit()
        user_id = user.id
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:0"  # a valid browser session (user id, session version)
        session["_fresh"] = True
    response = client.post(
        "/api/v1/movements", json={"kind": "receipt", "sku": "X", "location": "Y", "quantity": 1}
    )
    assert response.status_code == 401
    assert "Bearer" in response.get_json()["message"]
