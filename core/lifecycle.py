"""Document lifecycles: each document keeps a transitions table, and one helper locks a document and
applies an action to it, or refuses with one error.

A table maps an action to the statuses it starts from and the status it leads to (None where the
service decides, as a receipt that leaves a purchase order received or partially received). A refused
action is a 409 `invalid_transition` naming the document's current status, whatever the document.
"""

from sqlalchemy import select

from core.db import db
from core.errors import Conflict, NotFound

Transitions = dict[str, tuple[tuple[str, ...], str | None]]


class InvalidTransition(Conflict):
    code = "invalid_transition"


def lock_document(model, number: str, what: str):
    """The document with `number`, locked for the rest of the transaction (404 if there is none): two
    concurrent actions on one document run one after the other, the second seeing the first's status."""
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


def next_status(document, transitions: Transitions, action: str, what: str) -> str | None:
    """The status `action` leads `document` to; 409 naming its current status if that forbids it."""
    allowed, target = transitions[action]
    if document.status not in allowed:
        raise InvalidTransition(
            f"cannot {action} {what} {document.number}: it is {document.status} "
            f"(needs {' or '.join(allowed)})",
            current_status=document.status,
        )
    return target


def transition(document, transitions: Transitions, action: str, what: str) -> None:
    """Apply `action` to `document` (its status becomes the table's target), or 409 changing nothing."""
    target = next_status(document, transitions, action, what)
    if target is not None:
        document.status = target
