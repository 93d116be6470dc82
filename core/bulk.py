"""Many rows written at once, with no ORM object per row: a plan's publish, a generated company.

On PostgreSQL the rows are sent by COPY (an update: into a temporary table, then one `UPDATE ... FROM` it),
on the session's connection, inside its transaction: psycopg parses a statement of one parameter per value
(what an executemany of a thousand rows a statement sends) far slower than the server runs it, and an array
per column is dumped element by element in Python. Elsewhere (SQLite) an executemany.
"""

import json

from sqlalchemy import JSON, Table, any_, bindparam, insert, literal, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from core.db import db, dialect_name


def insert_rows(table: Table, rows: list[dict], *, ids: bool = False) -> list[int]:
    """Insert `rows` (dicts of the same columns, every column without a server default given); with `ids`,
    their new ids in order (on PostgreSQL drawn from the table's sequence beforehand)."""
    if not rows:
        return []
    if dialect_name() != "postgresql":
        if not ids:
            db.session.execute(insert(table), rows)
            return []
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(db.session.execute(stmt, rows).scalars())
    new_ids = _next_ids(table, len(rows)) if ids else []
    if ids:
        rows = [row | {"id": i} for row, i in zip(rows, new_ids, strict=True)]
    _copy(table.name, table, tuple(rows[0]), rows)
    return new_ids


def update_rows(table: Table, rows: list[dict]) -> None:
    """Set the columns of each row (dicts of `id` and the same columns) on the row with that id."""
    if not rows:
        return
    columns = tuple(c for c in rows[0] if c != "id")
    if dialect_name() != "postgresql":
        stmt = update(table).where(table.c.id == bindparam("row_id"))
        stmt = stmt.values({c: bindparam(f"new_{c}", type_=table.c[c].type) for c in columns})
        db.session.execute(stmt, [{"row_id": r["id"], **{f"new_{c}": r[c] for c in columns}} for r in rows])
        return
    staged = f"staged_{table.name}"
    listed = ", ".join(("id", *columns))
    db.session.execute(
        text(f"CREATE TEMPORARY TABLE {staged} AS SELECT {listed} FROM {table.name} WITH NO DATA")
    )
    _copy(staged, table, ("id", *columns), rows)
    assignments = ", ".join(f"{c} = {staged}.{c}" for c in columns)
    db.session.execute(
        text(f"UPDATE {table.name} SET {assignments} FROM {staged} WHERE {table.name}.id = {staged}.id")
    )
    db.session.execute(text(f"DROP TABLE {staged}"))


def among(column, values: list):
    """`column IN values` for a long list: on PostgreSQL `column = ANY(array)`, one parameter instead of one
    per value (each parsed by psycopg in Python)."""
    if dialect_name() == "postgresql":
        return column == any_(literal(values, ARRAY(column.type)))
    return column.in_(values)


def _next_ids(table: Table, count: int) -> list[int]:
    stmt = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
    return list(db.session.scalars(stmt, {"table": table.name, "count": count}))


def _copy(into: str, table: Table, columns: tuple[str, ...], rows: list[dict]) -> None:
    """COPY `rows` into the table named `into` (the session's connection and transaction); JSON as text."""
    as_json = {c for c in columns if isinstance(table.c[c].type, JSON)}
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {into} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c]) if c in as_json and row[c] is not None else row[c] for c in columns]
            )
