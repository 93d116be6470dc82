"""Domain events: what happens in one domain that others react to, without the first knowing them.

A handler runs inside the transaction of the change it reacts to: one that raises refuses the change, and
the caller's rollback undoes what the other handlers did. The composition root (`app.py`) subscribes the
handlers of each app.
"""

from collections.abc import Callable

from flask import Flask, current_app

HANDLERS = "takt_event_handlers"


def subscribe(app: Flask, event_type: type, handler: Callable) -> None:
    """Have `handler(event)` called for every `event_type` published in `app`."""
    app.extensions.setdefault(HANDLERS, {}).setdefault(event_type, []).append(handler)


def publish(event) -> None:
    """Call the current app's handlers of the event's type, in the order they subscribed."""
    for handler in current_app.extensions.get(HANDLERS, {}).get(type(event), ()):
        handler(event)
