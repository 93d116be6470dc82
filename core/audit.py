"""The audit trail of policy changes: who changed which setting of which record, when, old → new.

A service asks `changes` which audited fields a write would change, refuses or goes on, and `record`s them in
the same transaction as the change itself.
"""

from sqlalchemy import Select, select

from core.db import db
from core.models import AuditEntry


def changes(current, fields: dict, *, audited: tuple[str, ...], defaults: dict) -> dict[str, tuple]:
    """{field: (old, new)} for each field of `audited` whose value `fields` changes on `current` (None: a new
    record, whose values start as `defaults`)."""
    changed = {}
    for name in audited:
        old = defaults.get(name) if current is None else getattr(current, name)
        if name in fields and fields[name] != old:
            changed[name] = (old, fields[name])
    return changed


def record(*, entity: str, key: str, changed: dict[str, tuple], user_id: int | None) -> None:
    """One audit entry per changed field."""
    db.session.add_all(
        AuditEntry(entity=entity, key=key, field=name, old_value=old, new_value=new, user_id=user_id)
        for name, (old, new) in changed.items()
    )


def audit_query(*, entity: str | None = None, key: str | None = None) -> Select:
    """Audit entries, newest first, by entity and key."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if key:
        stmt = stmt.where(AuditEntry.key == key)
    return stmt
