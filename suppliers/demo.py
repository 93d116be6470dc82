"""The demo's supplier on the portal: `demo-supplier` (made by `flask demo` with the other demo users)
speaks for SUP-SZ, whose open purchase order of boards awaits its answer."""

from sqlalchemy import select

from core.db import db
from core.models import User
from procurement import service as procurement_service
from suppliers.models import SupplierUser

DEMO_SUPPLIER = "SUP-SZ"


def load_suppliers_demo(*, user_id: int) -> None:
    user = db.session.scalar(select(User).where(User.username == "demo-supplier"))
    if user is None or db.session.get(SupplierUser, user.id) is not None:
        return
    supplier = procurement_service.get_supplier(DEMO_SUPPLIER)
    db.session.add(SupplierUser(user_id=user.id, supplier_id=supplier.id))
    db.session.flush()
