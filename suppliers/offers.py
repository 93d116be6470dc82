"""Offer updates as proposals: a supplier proposes new terms for one of its offers (lead time, capacity
per day, minimum, price); a planner approves them (the offer changes, so the next snapshot plans with
them) or refuses them (nothing changes). Every proposal stays, with the terms it replaced: the history."""

from sqlalchemy import Select, select

from core.db import db, utcnow
from core.errors import Invalid, NotFound
from core.formats import as_number
from core.lifecycle import InvalidTransition
from procurement import service as procurement_service
from procurement.models import Supplier, SupplyOffer
from suppliers.acknowledge import notify
from suppliers.models import OfferProposal

TERMS = ("lead_time_hours", "capacity_per_day", "min_qty", "unit_cost")


def supplier_offers_query(supplier: Supplier) -> Select:
    return procurement_service.offers_query(supplier=supplier.code)


def _terms(offer: SupplyOffer) -> dict:
    return {name: as_number(getattr(offer, name)) for name in TERMS}


def propose_offer_terms(
    *, supplier: Supplier, offer_id: int, changes: dict, user_id: int, reason: str | None = None
) -> OfferProposal:
    """A supplier's proposal of new terms for its own offer (404 for another's)."""
    offer = db.session.get(SupplyOffer, offer_id)
    if offer is None or offer.supplier_id != supplier.id:
        raise NotFound(f"no supply offer {offer_id}")
    if not changes:
        raise Invalid("terms", f"propose at least one of {', '.join(TERMS)}")
    proposal = OfferProposal(
        offer=offer,
        supplier_id=supplier.id,
        changes={name: as_number(value) for name, value in changes.items()},
        previous=_terms(offer),
        reason=reason,
        created_by_id=user_id,
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def offer_proposals_query(*, supplier_id: int | None = None, status: str | None = None) -> Select:
    stmt = select(OfferProposal).order_by(OfferProposal.id.desc())
    if supplier_id is not None:
        stmt = stmt.where(OfferProposal.supplier_id == supplier_id)
    if status:
        stmt = stmt.where(OfferProposal.status == status)
    return stmt


def get_offer_proposal(proposal_id: int) -> OfferProposal:
    proposal = db.session.get(OfferProposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no offer proposal {proposal_id}")
    return proposal


def decide_offer_proposal(
    *, proposal_id: int, approve: bool, user_id: int, note: str | None = None
) -> OfferProposal:
    """Approve (the offer takes the proposed terms) or refuse a pending proposal; 409 if decided."""
    stmt = select(OfferProposal).where(OfferProposal.id == proposal_id).with_for_update(of=OfferProposal)
    proposal = db.session.scalar(stmt.execution_options(populate_existing=True))
    if proposal is None:
        raise NotFound(f"no offer proposal {proposal_id}")
    if proposal.status != "pending":
        raise InvalidTransition(
            f"offer proposal {proposal_id} is {proposal.status}", current_status=proposal.status
        )
    if approve:
        procurement_service.update_offer(proposal.offer, _decimals(proposal.changes))
    proposal.status = "accepted" if approve else "refused"
    proposal.decided_by_id, proposal.decided_at, proposal.note = user_id, utcnow(), note
    offer = proposal.offer
    notify(
        offer.supplier,
        "offer_proposal.accepted" if approve else "offer_proposal.refused",
        {
            "proposal": proposal.id,
            "offer": offer.id,
            "sku": offer.item.sku,
            "terms": proposal.changes,
            "note": note,
        },
    )
    db.session.flush()
    return proposal


def _decimals(changes: dict) -> dict:
    from decimal import Decimal

    return {name: None if value is None else Decimal(str(value)) for name, value in changes.items()}
