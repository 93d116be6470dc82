"""The one planning lock across processes and hosts.

PostgreSQL: a session-level advisory lock held on a dedicated connection for the whole run; if the
process dies the connection closes and the server releases the lock. SQLite: a file lock beside the
database file, released by the operating system when the process dies.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout
from flask import current_app
from sqlalchemy import text

from core.db import db

ADVISORY_KEY = 0x74616B74  # "takt"


@contextmanager
def planning_lock() -> Iterator[bool]:
    """Try to take the planning lock without waiting; yield whether it was taken."""
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock() as taken:
            yield taken
    else:
        with _file_lock() as taken:
            yield taken


@contextmanager
def _advisory_lock() -> Iterator[bool]:
    connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
        try:
            yield bool(taken)
        finally:
            if taken:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
    finally:
        connection.close()


@contextmanager
def _file_lock() -> Iterator[bool]:
    lock = FileLock(lock_file_path(), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def lock_file_path() -> str:
    database = db.engine.url.database
    if database and database != ":memory:":
        return database + ".planning.lock"
    return os.path.join(current_app.instance_path, "planning.lock")
