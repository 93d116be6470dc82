"""Shared fixtures: the app on SQLite and on PostgreSQL, per-test rollback, clients and tokens.

Every test that asks for `app` runs once per database: `sqlite` always, `postgres` when
`TEST_DATABASE_URL` is set (skipped otherwise). The schema is built by the migrations, so each run
also checks that they work on both databases. `db_session` wraps a test in an outer transaction
that is rolled back (services and views commit to a SAVEPOINT); `committed_db` is for tests that
need real commits across connections or threads, and empties the tables afterwards.
"""

import os
import secrets

import pytest
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import text

from app import create_app
from core import auth
from core.db import db
from core.security import limiter

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


class BoundSession(FlaskSession):
    """A Flask-SQLAlchemy session that honours an explicit `bind` (the test's connection)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind or self.bind or super().get_bind(mapper=mapper, clause=clause, **kwargs)


def _reset_postgres(url: str) -> None:
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request, tmp_path_factory):
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip("TEST_DATABASE_URL is not set")
        _reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "takt-test.sqlite3")


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "SECRET_KEY": secrets.token_hex(16),
            "WTF_CSRF_ENABLED": False,
            "WEBHOOK_ALLOW_PRIVATE_TARGETS": True,  # the tests' own receiver listens on 127.0.0.1
            "COUNT_JOBS_INLINE": True,  # a count job runs in its request: no thread outlives its test
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app):
    """Run the test inside one transaction that is rolled back at the end.

    No app context stays pushed while the test runs, so each request gets its own (and its own `g`).
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"bind": connection, "class_": BoundSession, "join_transaction_mode": "create_savepoint"}
    )
    try:
        yield db.session
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def committed_db(app):
    """Real commits (for concurrency tests); every table is emptied afterwards."""
    yield db
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app, db_session):
    limiter.reset()  # no sign-in attempts counted from earlier tests
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def make_token(app):
    """`make_token("warehouse")` -> a bearer secret for a new user with those roles."""

    def make(*roles: str) -> str:
        with app.app_context():
            user = auth.create_user(username=f"u-{secrets.token_hex(4)}", roles=roles or ("warehouse",))
            _, secret = auth.create_token(user=user)
            db.session.commit()
            return secret

    return make


@pytest.fixture
def headers(make_token):
    """`headers("planner")` -> request headers authenticated with that role."""
    cache = {}

    def build(*roles: str) -> dict:
        key = roles or ("warehouse",)
        if key not in cache:
            cache[key] = {"Authorization": f"Bearer {make_token(*key)}"}
        return dict(cache[key])

    return build
