"""Two planners releasing the same proposals at the same moment: the row locks let one create them."""

import threading

from sqlalchemy import select

from core.db import db
from core.errors import Conflict
from planning.runs.release import release_plan
from planning.runs.service import get_run
from procurement.models import PurchaseOrder
from tests.release_fixtures import load_demo, publish_greedy_run


def test_two_concurrent_releases_of_a_plan_create_each_purchase_order_once(app, committed_db):
    with app.app_context():
        planner = load_demo()
        db.session.commit()
        run_id = publish_greedy_run(user_id=planner)
        proposals = len(get_run(run_id).purchases)
    barrier, outcomes = threading.Barrier(2), []

    def attempt():
        with app.app_context():
            barrier.wait()
            try:
                release_plan(run_id=run_id, selection={"purchases": "all"}, user_id=planner)
                db.session.commit()
                outcomes.append("applied")
            except Conflict as error:
                db.session.rollback()
                outcomes.append(error.code)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_released", "applied"]
    with app.app_context():
        refs = db.session.scalars(select(PurchaseOrder.plan_ref).where(PurchaseOrder.source == "plan")).all()
        assert proposals > 0 and len(refs) == len(set(refs)) == proposals
