"""The database: one SQLAlchemy object, the declarative base and the migration extension.

SQLite is the embedded default: every transaction starts with `BEGIN IMMEDIATE`, so writers are
serialised (no lost update, no upgrade deadlock), in WAL mode with a busy timeout. PostgreSQL is the
production database; there the services lock the rows they change.
"""

import os
from datetime import UTC, datetime
from uuid import uuid4

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Select, and_, event, func, inspect, or_, select
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import DateTime, TypeDecorator

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)


class UTCDateTime(TypeDecorator):
    """A timestamp stored with its time zone and always read back as an aware UTC datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: takt stores aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def get_by_key(model, column, value, *, what: str, field: str | None = None):
    """The row of `model` whose natural key `column` equals `value`.

    Missing: 404, or 422 on `field` when the value is a reference inside a request body.
    """
    from core.errors import Invalid, NotFound

    row = db.session.scalar(db.select(model).where(column == value))
    if row is None:
        if field:
            raise Invalid(field, f"unknown {what} {value!r}")
        raise NotFound(f"no {what} {value!r}")
    return row


def where_given(stmt, *filters):
    """`stmt` narrowed by each (value, clause) filter whose value was given: `.where(clause(value))`."""
    for value, clause in filters:
        if value:
            stmt = stmt.where(clause(value))
    return stmt


def search_terms(q: str) -> list[str]:
    """The words of a search box (five at most)."""
    return q.split()[:5]


def contains_word(column, word: str):
    """`column` contains `word`, case-insensitive (`%` and `_` in the word are plain characters)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def search_words(stmt: Select, columns, q: str) -> Select:
    """Rows where every word of `q` is in one of `columns` (case-insensitive)."""
    words = search_terms(q)
    if not words or not columns:
        return stmt
    return stmt.where(and_(*(or_(*(contains_word(c, w) for c in columns)) for w in words)))


def referring_rows(row) -> dict[str, int]:
    """How many rows of each table refer to `row` through a foreign key (leaving out the tables of the
    children the ORM deletes with it): what stops it being deleted."""
    mapper = inspect(row).mapper
    owned = {rel.target for rel in mapper.relationships if rel.cascade.delete}
    counts: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        if table in owned:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is not mapper.local_table:
                continue
            value = getattr(row, mapper.get_property_by_column(fk.column).key)
            found = db.session.scalar(select(func.count()).select_from(table).where(fk.parent == value))
            if found:
                counts[table.name] = counts.get(table.name, 0) + found
    return counts


def utcnow() -> datetime:
    return datetime.now(UTC)


def assign_number(document, prefix: str) -> None:
    """Add `document` and number it `<prefix><id, 6 digits>`: unique under concurrency, as its id is."""
    document.number = f"new-{uuid4().hex[:27]}"
    db.session.add(document)
    db.session.flush()
    document.number = f"{prefix}{document.id:06d}"
    db.session.flush()


def dialect_name() -> str:
    """The session's database: "postgresql" or "sqlite" (a key for statements built once per dialect)."""
    return db.session.get_bind().dialect.name


def upsert_insert(model, dialect: str):
    """An INSERT into `model` that can say `on_conflict_do_nothing/update` on the `dialect` database."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


def is_sqlite(engine=None) -> bool:
    return (engine or db.engine).dialect.name == "sqlite"


def configure_sqlite(engine, busy_timeout_ms: int) -> None:
    """Serialise SQLite writers: autocommit driver mode, explicit BEGIN IMMEDIATE, WAL, busy timeout."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_database(app) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    with app.app_context():
        if is_sqlite():
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
