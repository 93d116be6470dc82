"""Master records by natural key, for every domain: save one, upsert a list, delete one nothing uses.

A domain's `save_<thing>(key, fields, create=...)` resolves its references and calls `save_by_key`; its
bulk `PUT` hands that function to `upsert_many`; its `DELETE` calls `delete_unused`. None commits.
"""

from collections import Counter

from sqlalchemy import select

from core.db import db, referring_rows
from core.errors import Conflict, Invalid, NotFound


def save_by_key(model, column, key, fields: dict, *, create: bool | None, what: str):
    """Create or update the `model` row whose natural key `column` is `key`; return (row, created).

    `create` True: the row must be new (409 `<what>_exists`); False: it must exist (404); None: upsert.
    """
    row = db.session.scalar(select(model).where(column == key))
    if row is not None and create is True:
        raise Conflict(f"{what} {key!r} exists", code=f"{what}_exists")
    if row is None and create is False:
        raise NotFound(f"no {what} {key!r}")
    created = row is None
    if created:
        row = model(**{column.key: key})
        db.session.add(row)
    for name, value in fields.items():
        setattr(row, name, value)
    db.session.flush()
    return row, created


def upsert_many(save, keys: str | tuple[str, ...], rows: list[dict], *, field: str | None = None) -> dict:
    """Bulk upsert by natural key (one field or several) in one transaction; return the counts.

    `save(<key>=..., fields=...)` creates or updates one row and returns (row, created); a key listed
    twice is a 422 on `field` (default: the key's fields joined by '/').
    """
    keys = (keys,) if isinstance(keys, str) else keys
    seen = Counter("/".join(str(row[k]) for k in keys) for row in rows)
    duplicates = sorted(k for k, n in seen.items() if n > 1)
    if duplicates:
        raise Invalid(field or "/".join(keys), f"listed more than once: {', '.join(duplicates)}")
    created = 0
    for row in rows:
        fields = {k: v for k, v in row.items() if k not in keys}
        created += save(**{k: row[k] for k in keys}, fields=fields)[1]
    return {"created": created, "updated": len(rows) - created}


def delete_unused(row, what: str) -> None:
    """Delete a master record nothing refers to; 409 naming what refers to it (deactivate it instead)."""
    referrers = referring_rows(row)
    if referrers:
        named = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in sorted(referrers.items()))
        message = f"{what} is referred to by {named}; deactivate it instead"
        raise Conflict(message, code="in_use", referred_to_by=referrers)
    db.session.delete(row)
    db.session.flush()
