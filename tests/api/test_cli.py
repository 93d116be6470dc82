"""The shell commands: `flask users create`, `flask tokens create|revoke`, `flask demo`."""

import hashlib

from sqlalchemy import select

from core.db import db
from core.models import ApiToken, User
from inventory import service
from inventory.models import StockBalance


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_users_create_makes_a_user_with_roles(runner, app):
    result = runner.invoke(args=["users", "create", "alice", "--role", "planner", "--role", "warehouse"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "alice"))
        assert user.role_set == {"planner", "warehouse"}


def test_users_create_refuses_a_taken_name(runner):
    runner.invoke(args=["users", "create", "alice", "--role", "planner"])
    result = runner.invoke(args=["users", "create", "alice", "--role", "planner"])
    assert result.exit_code == 1
    assert "user 'alice' exists" in result.output


def test_users_create_refuses_an_unknown_role(runner):
    result = runner.invoke(args=["users", "create", "bob", "--role", "king"])
    assert result.exit_code == 2


def test_a_created_token_authenticates_and_is_stored_only_as_its_hash(runner, client, app):
    runner.invoke(args=["users", "create", "alice", "--role", "planner", "--role", "warehouse"])
    result = runner.invoke(args=["tokens", "create", "alice", "--role", "planner", "--name", "ci"])
    secret = result.output.strip()
    me = client.get("/api/v1/me", headers=bearer(secret)).get_json()
    assert (me["username"], me["roles"]) == ("alice", ["planner"])
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.name == "ci"))
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (token.token_hash, token.prefix)


def test_a_revoked_token_stops_working(runner, client, app):
    runner.invoke(args=["users", "create", "alice", "--role", "planner"])
    secret = runner.invoke(args=["tokens", "create", "alice"]).output.strip()
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.prefix == secret[:12]))
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code == 0
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_tokens_create_for_an_unknown_user_fails(runner):
    result = runner.invoke(args=["tokens", "create", "nobody"])
    assert result.exit_code == 1
    assert "no user 'nobody'" in result.output


def test_demo_loads_a_consistent_company_once_and_prints_a_token_per_role(runner, client, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "demo data loaded" in first.output
    tokens = {
        line.split()[0]: line.split("token=")[1] for line in first.output.splitlines() if "token=" in line
    }
    assert set(tokens) == {"warehouse", "planner", "scheduler", "sales", "admin", "supplier"}
    me = client.get("/api/v1/me", headers=bearer(tokens["warehouse"])).get_json()
    assert me["username"] == "demo-warehouse"
    portal = client.get("/api/v1/supplier/purchase-orders", headers=bearer(tokens["supplier"])).get_json()
    assert {o["number"] for o in portal} and all(o["location"] == "PL-HF" for o in portal)  # SUP-SZ's
    with app.app_context():
        balances = db.session.scalars(select(StockBalance)).all()
        assert len(balances) > 20
        assert {(b.item_id, b.location_id): b.on_hand for b in balances} == service.ledger_sums()
    again = runner.invoke(args=["demo"])
    assert "already loaded" in again.output
    assert client.get("/api/v1/me", headers=bearer(tokens["warehouse"])).status_code == 401
