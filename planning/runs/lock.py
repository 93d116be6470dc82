"""The one planning lock across processes and hosts.

PostgreSQL: a session-level advisory lock held on a dedicated connection for the whole run; if the
process dies the connection closes and the server releases the lock. SQLite: a file lock beside the
database file, released by the operating system when the process dies.

The lock connection may also die while its process lives on (a network cut, `pg_terminate_backend`): the
lock is then free and another process may plan. So a run fences its publish: inside the publish
transaction it asks the server whether the backend of its lock connection still holds the lock
(`PlanningLock.still_held`).
"""

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from filelock import FileLock, Timeout
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.db import db

ADVISORY_KEY = 0x74616B74  # "takt"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanningLock:
    """The outcome of trying to take the lock: true if taken; on PostgreSQL the backend that holds it."""

    taken: bool
    backend_pid: int | None = None

    def __bool__(self) -> bool:
        return self.taken

    def still_held(self) -> bool:
        """Whether the lock is still ours, asked on the session's own connection (inside its transaction)."""
        if not self.taken:
            return False
        if self.backend_pid is None:  # a file lock lives as long as this process
            return True
        held = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND pid = :pid AND classid = 0 AND objid::bigint = :k"
        )
        return db.session.scalar(held, {"pid": self.backend_pid, "k": ADVISORY_KEY}) > 0


@contextmanager
def planning_lock() -> Iterator[PlanningLock]:
    """Try to take the planning lock without waiting; yield it (true if taken)."""
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock() as lock:
            yield lock
    else:
        with _file_lock() as lock:
            yield lock


@contextmanager
def _advisory_lock() -> Iterator[PlanningLock]:
    connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        taken, pid = connection.execute(
            text("SELECT pg_try_advisory_lock(:k), pg_backend_pid()"), {"k": ADVISORY_KEY}
        ).one()
        try:
            yield PlanningLock(bool(taken), pid)
        finally:
            if taken:
                _unlock(connection)
    finally:
        connection.close()


def _unlock(connection) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
    except DBAPIError:  # the lock connection died: the server released the lock with it
        log.warning("the planning lock's connection was lost before unlocking", exc_info=True)


@contextmanager
def _file_lock() -> Iterator[PlanningLock]:
    lock = FileLock(lock_file_path(), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        yield PlanningLock(False)
        return
    try:
        yield PlanningLock(True)
    finally:
        lock.release()


def lock_file_path() -> str:
    database = db.engine.url.database
    if database and database != ":memory:":
        return database + ".planning.lock"
    return os.path.join(current_app.instance_path, "planning.lock")
