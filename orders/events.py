"""Order events: what happens to an order that other domains react to, without orders knowing them
(published and subscribed through `core.events`)."""

from dataclasses import dataclass

from core.events import publish, subscribe
from orders.models import CustomerOrder

__all__ = ["OrderCancelled", "publish", "subscribe"]


@dataclass(frozen=True)
class OrderCancelled:
    """The order (its row locked, still in its old status) is being cancelled."""

    order: CustomerOrder
