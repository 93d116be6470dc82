"""Property-based run of the whole OpenAPI spec (schemathesis) as an admin: no 5xx, and every
response's status and body as the spec documents them.

It runs against its own app and SQLite file (with the demo company loaded), so the data it leaves
behind cannot disturb other tests; PostgreSQL adds nothing to a contract check.
"""

import secrets

import pytest
import schemathesis
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from core import auth
from core.db import db
from inventory.demo import load_inventory_demo

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def spec_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("schemathesis") / "takt.sqlite3"
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{path}", "TESTING": True, "SECRET_KEY": secrets.token_hex(16)}
    )
    with app.app_context():
        upgrade()
        admin = auth.create_user(username="schemathesis", roles=["admin"])
        load_inventory_demo(user_id=admin.id)
        _, app.config["TEST_ADMIN_TOKEN"] = auth.create_token(user=admin)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


# The spec is read at collection time from an app that never touches its database; the calls go
# to `spec_app`. (schemathesis' lazy `from_fixture` loader does not run under pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app({"DATABASE_URL": "sqlite://"}))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, spec_app):
    bearer = {"Authorization": f"Bearer {spec_app.config['TEST_ADMIN_TOKEN']}"}
    case.call_and_validate(app=spec_app, headers=bearer, checks=CHECKS)
