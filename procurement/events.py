"""Purchasing events other domains react to (published through `core.events`)."""

from dataclasses import dataclass

from procurement.models import PurchaseOrder


@dataclass(frozen=True)
class PurchaseOrderReleased:
    """The order has just been placed with its supplier (created released, or released from proposed)."""

    order: PurchaseOrder


@dataclass(frozen=True)
class PurchaseOrderCancelled:
    """A released order (its supplier had it) has just been cancelled."""

    order: PurchaseOrder
