"""Two suppliers on the portal, each with a user, a token and an open purchase order, over the small
supply chain of `procurement_factories` (plant PL-T): SUP sells BRD, SUP2 sells CPU."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core import auth
from procurement import service as procurement_service
from suppliers import access
from tests.procurement_factories import build_world, offer_terms

DUE = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class PortalSupplier:
    code: str
    username: str
    token: str
    order: str  # its open purchase order
    offer: int

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


def supplier_on_portal(code: str, sku: str, *, user_id: int, qty: int = 100) -> PortalSupplier:
    """A supplier with an offer of `sku` to PL-T, a portal user (password `portal-pass`), a token and a
    released purchase order of `qty` due at `DUE`."""
    procurement_service.save_supplier(code, {"name": f"Supplier {code}"})
    offer, _ = procurement_service.save_offer(supplier=code, sku=sku, location="PL-T", fields=offer_terms())
    user = access.add_supplier_user(supplier=code, username=f"{code.lower()}-clerk", password="portal-pass")
    _, secret = auth.create_token(user=user)
    order = procurement_service.create_purchase_order(
        supplier=code,
        location="PL-T",
        lines=[{"sku": sku, "qty": Decimal(qty), "unit_cost": Decimal(5)}],
        receive_at=DUE,
        user_id=user_id,
    )
    return PortalSupplier(code, user.username, secret, order.number, offer.id)


def two_suppliers() -> tuple[PortalSupplier, PortalSupplier]:
    """The world of `build_world` with suppliers A (SUP-A: BRD) and B (SUP-B: CPU) on the portal."""
    admin = build_world()
    return supplier_on_portal("SUP-A", "BRD", user_id=admin), supplier_on_portal(
        "SUP-B", "CPU", user_id=admin
    )


def later(days: float) -> str:
    return (DUE + timedelta(days=days)).isoformat().replace("+00:00", "Z")
