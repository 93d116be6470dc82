"""Releasing a published plan: proposals become real documents once, and only from the plan in force."""

import pytest
from sqlalchemy import select

from core.errors import Conflict, Invalid
from logistics.models import Shipment
from planning.runs.release import release_plan
from planning.runs.service import get_run
from procurement.models import PurchaseOrder
from procurement.production.models import ProductionOrder
from tests.release_fixtures import load_demo, publish_greedy_run


@pytest.fixture
def planner(session) -> int:
    return load_demo()


@pytest.fixture
def run_id(planner) -> int:
    return publish_greedy_run(user_id=planner)


def test_releasing_all_creates_released_documents_tagged_with_the_plan(session, planner, run_id):
    result = release_plan(run_id=run_id, selection="all", user_id=planner)
    run = get_run(run_id)
    orders = session.scalars(select(PurchaseOrder).where(PurchaseOrder.source == "plan")).all()
    assert sorted(o.plan_ref for o in orders) == sorted(f"run {run_id}/{p.ref}" for p in run.purchases)
    assert {o.status for o in orders} == {"released"}
    assert [p.released_ref for p in run.purchases] == [c["number"] for c in result["created"]["purchases"]]
    made = session.scalars(select(ProductionOrder).where(ProductionOrder.source == "plan")).all()
    assert len(made) == len(run.productions) and {m.status for m in made} == {"released"}
    shipments = session.scalars(select(Shipment).where(Shipment.source == "plan")).all()
    deliveries = [d for c in run.confirmations for d in c.deliveries]
    assert len(shipments) == len(run.transfers) + len(deliveries)
    assert all(d.released_ref for d in deliveries)


def test_a_second_release_of_the_same_proposals_is_409_and_creates_nothing(session, planner, run_id):
    release_plan(run_id=run_id, selection={"purchases": ["PO-P1"]}, user_id=planner)
    count = len(session.scalars(select(PurchaseOrder)).all())
    with pytest.raises(Conflict) as refused:
        release_plan(run_id=run_id, selection={"purchases": ["PO-P1"]}, user_id=planner)
    assert refused.value.code == "already_released"
    assert len(session.scalars(select(PurchaseOrder)).all()) == count


def test_already_released_proposals_in_a_wider_selection_are_skipped_and_reported(session, planner, run_id):
    first = release_plan(run_id=run_id, selection={"purchases": ["PO-P1"]}, user_id=planner)
    second = release_plan(run_id=run_id, selection={"purchases": "all"}, user_id=planner)
    assert second["skipped"]["purchases"] == [
        {"ref": "PO-P1", "released_ref": first["created"]["purchases"][0]["number"]}
    ]
    assert "PO-P1" not in [c["ref"] for c in second["created"]["purchases"]]


def test_a_plan_superseded_by_a_newer_run_cannot_be_released(session, planner, run_id):
    newer = publish_greedy_run(user_id=planner)
    with pytest.raises(Conflict) as refused:
        release_plan(run_id=run_id, selection="all", user_id=planner)
    assert refused.value.code == "plan_superseded"
    assert f"run {newer}" in str(refused.value)
    assert session.scalars(select(PurchaseOrder).where(PurchaseOrder.source == "plan")).all() == []


def test_a_ref_the_plan_does_not_have_is_refused(session, planner, run_id):
    with pytest.raises(Invalid):
        release_plan(run_id=run_id, selection={"productions": ["MO-NOPE"]}, user_id=planner)


def test_a_delivery_whose_stock_is_not_there_is_created_planned(session, planner, run_id):
    from inventory.models import StockBalance

    for balance in session.scalars(select(StockBalance)):
        balance.on_hand = 0
    session.flush()
    result = release_plan(run_id=run_id, selection={"deliveries": "all"}, user_id=planner)
    assert result["created"]["deliveries"]
    assert {c["status"] for c in result["created"]["deliveries"]} == {"planned"}


def test_a_selection_of_nothing_is_409_nothing_to_release(session, planner, run_id):
    with pytest.raises(Conflict) as refused:
        release_plan(run_id=run_id, selection={"purchases": []}, user_id=planner)
    assert refused.value.code == "nothing_to_release"
