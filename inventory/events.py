"""Inventory events: stock changed, for the domains above that keep something derived from it.

Published through `core.events` inside the movement's transaction (see `service.post_movements`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class StockMoved:
    """Movements were posted: `changes` lists (sku, location code, change of on hand, reference type) for
    each balance each movement changed; `reference_type` "free" is a movement no document made."""

    changes: tuple[tuple[str, str, float, str], ...]
