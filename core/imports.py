"""Imports of master data and orders from CSV or xlsx: check every row first, then apply all or nothing.

A domain declares an `Importer`: the API's own schema for one record (so a row is validated exactly as
an API request is), the service function that saves one record, the query its export lists, and who may
import. `run_import` loads every row with the schema, saves each record in a savepoint of its own to
find what only the services see (an unknown region, a closed order), and collects each refusal as
(row, field, reason). A dry run, or any refusal, rolls everything back; otherwise all of it stays for the
caller to commit. An importer with `lines` reads one file row per nested line (an order's lines),
grouped by the record's key.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.errors import DomainError, NotFound
from core.fields import OLDER_NAMES, Quantity
from core.tables import number_from_text

ROW = "__row__"


class ImportRefused(DomainError):
    """An import with refused rows: nothing applied; `rows` lists each (row, field, reason)."""

    status = 422
    code = "import_refused"


@dataclass(frozen=True)
class Importer:
    name: str  # as in URLs: items, locations, orders
    title: str
    schema: type[Schema]  # the API's create schema: a row loads as that request would
    save: Callable[[dict], bool]  # create or update one loaded record; True when created
    rows: Callable[[], Select]  # the records an export lists, in order
    editors: tuple[str, ...]  # roles that may import (admin always)
    key: tuple[str, ...]  # the columns that name a record
    lines: str | None = None  # the schema's list of nested lines, one file row each

    @property
    def columns(self) -> list[str]:
        """The file's columns: the schema's fields as a request names them (then the lines' fields)."""
        names = [_name(n, f) for n, f in self.schema().load_fields.items() if n != self.lines]
        names = [*self.key, *(name for name in names if name not in self.key)]  # the key first
        if self.lines:
            names += [_name(n, f) for n, f in self._line_schema().load_fields.items()]
        return names

    def _line_schema(self) -> Schema:
        return self.schema().fields[self.lines].inner.schema


def _name(name: str, field: fields.Field) -> str:
    return field.data_key or name


def importers() -> dict[str, Importer]:
    return current_app.extensions["takt_importers"]


def get_importer(name: str) -> Importer:
    found = importers().get(name)
    if found is None:
        raise NotFound(f"nothing imports {name!r}; known: {', '.join(sorted(importers()))}")
    return found


def register_importers(app, importers_: list[Importer]) -> None:
    app.extensions["takt_importers"] = {importer.name: importer for importer in importers_}


# -- reading rows -------------------------------------------------------------------------------------


def _cell(field: fields.Field, value):
    """A cell as the schema expects it in JSON: numbers for numbers, text for text, ISO for times."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if isinstance(field, fields.String):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value) if not isinstance(value, bool) else value
    if isinstance(field, Quantity | fields.Number) and isinstance(value, str):
        return number_from_text(value)
    if isinstance(field, fields.Integer) and isinstance(value, float) and value.is_integer():
        return int(value)  # a spreadsheet's numbers are floats
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _payload(schema: Schema, row: dict) -> dict:
    """The row's cells for `schema`'s fields (empty ones left out: their defaults apply)."""
    payload = {}
    for name, field in schema.load_fields.items():
        key = _name(name, field)
        value = _cell(field, row.get(key))
        if value is None and key in OLDER_NAMES:  # a file in the older words (`qty`): deprecated
            value = _cell(field, row.get(OLDER_NAMES[key]))
        if value is not None:
            payload[key] = value
    return payload


@dataclass
class Record:
    rows: list[int]  # the file rows it came from (an order: one per line)
    data: dict | None  # loaded, or None when the schema refused it


def _records(importer: Importer, table: list[dict], errors: list[dict]) -> list[Record]:
    """Group the rows into records and load each with the schema; refusals go to `errors`."""
    groups: dict[tuple, list[dict]] = {}
    for row in table:
        key = tuple(str(row.get(k) or "").strip() for k in importer.key)
        groups.setdefault(key if importer.lines else (row[ROW],), []).append(row)
    records = []
    schema = importer.schema()  # one instance for every row: building one copies all its fields
    line_schema = importer._line_schema() if importer.lines else None
    for rows in groups.values():
        payload = _payload(schema, rows[0])
        if line_schema is not None:
            payload[importer.lines] = [_payload(line_schema, row) for row in rows]
        numbers = [row[ROW] for row in rows]
        try:
            records.append(Record(numbers, schema.load(payload)))
        except ValidationError as error:
            errors.extend(_schema_errors(importer, numbers, error.messages))
            records.append(Record(numbers, None))
    return records


def _schema_errors(importer: Importer, rows: list[int], messages: dict) -> Iterator[dict]:
    for name, reasons in messages.items():
        if name == importer.lines and isinstance(reasons, dict):
            for index, line_reasons in reasons.items():
                row = rows[index] if isinstance(index, int) and index < len(rows) else rows[0]
                yield from _schema_errors(importer, [row], line_reasons)
        else:
            yield {"row": rows[0], "field": name, "reason": _reason(reasons)}


def _reason(reasons) -> str:
    if isinstance(reasons, dict):
        return "; ".join(_reason(v) for v in reasons.values())
    return "; ".join(map(str, reasons)) if isinstance(reasons, list) else str(reasons)


def _duplicates(importer: Importer, records: list[Record], errors: list[dict]) -> None:
    """A record named twice in one file is refused (its later rows), as the API's bulk upsert does."""
    if importer.lines:
        return
    seen: dict[tuple, int] = {}
    attributes = [_attribute(importer, column) for column in importer.key]
    for record in records:
        if record.data is None:
            continue
        key = tuple(str(record.data.get(attribute)) for attribute in attributes)
        if key in seen:
            errors.append(
                {"row": record.rows[0], "field": "/".join(importer.key), "reason": f"also on row {seen[key]}"}
            )
            record.data = None
        else:
            seen[key] = record.rows[0]


def _attribute(importer: Importer, column: str) -> str:
    """The loaded name of a file column (`region` is loaded as `region_code`)."""
    for name, field in importer.schema().load_fields.items():
        if _name(name, field) == column:
            return field.attribute or name
    return column


# -- applying -----------------------------------------------------------------------------------------


def run_import(importer: Importer, table: list[dict], *, dry_run: bool) -> dict:
    """Check and save every record; keep the changes only when none is refused and it is no dry run.

    Returns {rows, records, created, updated, errors: [{row, field, reason}], applied, dry_run}; with
    refusals and no dry run, raises `ImportRefused` (422) carrying the same errors."""
    errors: list[dict] = []
    records = _records(importer, table, errors)
    _duplicates(importer, records, errors)
    outer = db.session.begin_nested()
    counts = None if errors else _save_all(importer, records)
    if counts is None:  # a refusal: again, each record in a savepoint of its own, to find every one
        outer.rollback()
        outer = db.session.begin_nested()
        counts = _save_each(importer, records, errors)
    errors.sort(key=lambda e: (e["row"], e["field"]))
    applied = not dry_run and not errors
    if applied:
        outer.commit()
    else:
        outer.rollback()
    report = {"rows": len(table), "records": len(records), "created": counts[0], "updated": counts[1]}
    report |= {"errors": errors, "applied": applied, "dry_run": dry_run}
    if errors and not dry_run:
        raise ImportRefused(_summary(errors), errors=_by_row(errors), rows=errors, report=report)
    return report


def _save_all(importer: Importer, records: list[Record]) -> tuple[int, int] | None:
    """Save every record (the usual case: a file without refusals); None at the first refusal."""
    created = 0
    for record in records:
        try:
            created += importer.save(dict(record.data))
        except (DomainError, IntegrityError):
            return None
    return created, len(records) - created


def _save_each(importer: Importer, records: list[Record], errors: list[dict]) -> tuple[int, int]:
    """Save each record in a savepoint of its own, collecting every refusal; (created, updated)."""
    created = updated = 0
    for record in records:
        if record.data is None:
            continue
        step = db.session.begin_nested()
        try:
            was_created = importer.save(dict(record.data))
            step.commit()
        except (DomainError, IntegrityError) as error:
            step.rollback()
            errors.extend(_service_errors(record, error))
            continue
        created, updated = created + was_created, updated + (not was_created)
    return created, updated


def _service_errors(record: Record, error: Exception) -> list[dict]:
    row = record.rows[0]
    if isinstance(error, IntegrityError):
        return [
            {"row": row, "field": "", "reason": "breaks a database rule: " + str(error.orig).splitlines()[0]}
        ]
    named = [
        {"row": row, "field": name, "reason": _reason(reasons)}
        for located in (error.errors or {}).values()
        for name, reasons in located.items()
    ]
    return named or [{"row": row, "field": "", "reason": error.message}]


def _summary(errors: list[dict]) -> str:
    rows = sorted({e["row"] for e in errors})
    first = errors[0]
    shown = f"row {first['row']}" + (f" {first['field']}" if first["field"] else "") + f": {first['reason']}"
    return f"nothing imported: {len(rows)} row(s) refused, e.g. {shown}"


def _by_row(errors: list[dict]) -> dict:
    """The errors in the one error shape's `errors`: by row, then by field."""
    by_row: dict = {}
    for error in errors:
        by_row.setdefault(f"row {error['row']}", {}).setdefault(error["field"] or "row", []).append(
            error["reason"]
        )
    return {"file": by_row}


# -- exporting ----------------------------------------------------------------------------------------


def export_rows(importer: Importer) -> Iterator[dict]:
    """Every record as file rows with the import's columns (an order: a row per line)."""
    schema = importer.schema()
    for record in db.session.scalars(importer.rows()):
        dumped = schema.dump(record)
        if not importer.lines:
            yield dumped
            continue
        head = {k: v for k, v in dumped.items() if k != importer.lines}
        for line in dumped.get(importer.lines) or []:
            yield head | line
