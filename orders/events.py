"""Order events: what happens to an order that other domains react to, without orders knowing them.

A handler runs inside the transaction that changes the order, before the change: one that raises refuses
it, and the caller's rollback undoes what the other handlers did. The composition root (`app.py`)
subscribes the handlers of each app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from orders.models import CustomerOrder

HANDLERS = "takt_order_handlers"


@dataclass(frozen=True)
class OrderCancelled:
    """The order (its row locked, still in its old status) is being cancelled."""

    order: CustomerOrder


def subscribe(app: Flask, event_type: type, handler: Callable) -> None:
    """Have `handler(event)` called for every `event_type` published in `app`."""
    app.extensions.setdefault(HANDLERS, {}).setdefault(event_type, []).append(handler)


def publish(event: OrderCancelled) -> None:
    """Call the current app's handlers of the event's type, in the order they subscribed."""
    for handler in current_app.extensions.get(HANDLERS, {}).get(type(event), ()):
        handler(event)
