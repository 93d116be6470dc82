"""The engine's connection pool survives a database restart."""

import pytest
from sqlalchemy import create_engine, text

from core.db import db, is_sqlite


def test_pooled_connections_are_pinged_before_use(session):
    assert db.engine.pool._pre_ping is True


def test_the_first_request_after_the_server_dropped_a_pooled_connection_succeeds(app):
    with app.app_context():
        if is_sqlite():
            pytest.skip("a server-side restart is a PostgreSQL matter")
        engine = db.engine
        engine.dispose()
        with engine.connect() as connection:
            pid = connection.scalar(text("SELECT pg_backend_pid()"))
        killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with killer.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        with engine.connect() as connection:  # the pool hands out the dead connection without a ping
            assert connection.scalar(text("SELECT pg_backend_pid()")) != pid
