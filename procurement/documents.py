"""What purchase and production orders share: numbers, row-locked status transitions, snapshot values."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from core.db import db
from core.errors import Conflict, NotFound


class WrongStatus(Conflict):
    code = "wrong_status"


def lock_document(model, number: str, what: str):
    """The document with `number`, locked for the rest of the transaction (404 if there is none)."""
    stmt = (
        select(model)
        .where(model.number == number)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
    document = db.session.scalar(stmt)
    if document is None:
        raise NotFound(f"no {what} {number!r}")
    return document


def require_status(document, allowed: tuple[str, ...], action: str) -> None:
    """409 naming the current status unless `document` is in one of the `allowed` statuses."""
    if document.status not in allowed:
        raise WrongStatus(
            f"cannot {action} {document.number}: it is {document.status} (needs {' or '.join(allowed)})",
            current_status=document.status,
        )


def as_number(value: Decimal | None) -> int | float | None:
    """A Decimal as the JSON number the planning contract expects (int when whole)."""
    if value is None:
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def iso(moment: datetime) -> str:
    """An instant as ISO 8601 in UTC with a `Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
