"""Who speaks for a supplier: users of role `supplier` bound to one supplier, and the supplier of the
caller. Every portal view asks `caller_supplier()` and reads or writes that supplier's records only."""

from flask import g
from sqlalchemy import select

from core import auth
from core.auth import RoleRequired, current_principal
from core.db import db
from core.models import User
from procurement import service as procurement_service
from procurement.models import Supplier
from suppliers.models import SupplierUser


def add_supplier_user(*, supplier: str, username: str, password: str | None = None) -> User:
    """Create a user of role `supplier` who speaks for `supplier` (its tokens too)."""
    bound_to = procurement_service.get_supplier(supplier)
    user = auth.create_user(username=username, roles=["supplier"], password=password)
    db.session.add(SupplierUser(user_id=user.id, supplier_id=bound_to.id))
    db.session.flush()
    return user


def supplier_users(supplier: str) -> list[User]:
    bound_to = procurement_service.get_supplier(supplier)
    stmt = (
        select(User)
        .join(SupplierUser, SupplierUser.user_id == User.id)
        .where(SupplierUser.supplier_id == bound_to.id)
        .order_by(User.username)
    )
    return list(db.session.scalars(stmt))


def supplier_of(user_id: int) -> Supplier | None:
    binding = db.session.get(SupplierUser, user_id)
    return binding.supplier if binding else None


def caller_supplier() -> Supplier:
    """The supplier the caller speaks for; 403 if it is bound to none (or the supplier is inactive)."""
    if "supplier" in g and g.supplier is not None:
        return g.supplier
    principal = current_principal()
    supplier = supplier_of(principal.id) if "supplier" in principal.roles else None
    if supplier is None or not supplier.active:
        raise RoleRequired("the caller speaks for no active supplier", required_roles=["supplier"])
    g.supplier = supplier
    return supplier
