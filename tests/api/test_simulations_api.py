"""What-ifs off the web tier: `POST planning/simulate` only queues (202), the scheduler process plans, the
caller polls `GET planning/simulations/{id}`; a size cap (413) and a per-user limit on waiting jobs (429)."""

import time

import pytest

from core.db import db
from planning.checker import verify
from planning.runs import service
from planning.scenarios import generate
from schedules import service as schedules_service
from tests.unit.solver.conftest import order
from tests.unit.solver.conftest import snapshot as solver_snapshot


@pytest.fixture
def no_solver_here(monkeypatch):
    """The web process must never plan: the configured solver fails the test if it is asked for."""

    def refuse():
        raise AssertionError("the web tier asked for the solver")

    monkeypatch.setattr(service, "configured_solver", refuse)


def test_simulate_answers_202_at_once_and_never_blocks_get_me(client, headers, no_solver_here):
    snapshot = generate(orders=200, skus=30, locations=4, suppliers=3, plants=1, seed=5)
    started = time.monotonic()
    queued = client.post(
        "/api/v1/planning/simulate?time_limit_s=120", json=snapshot, headers=headers("planner")
    )
    took = time.monotonic() - started
    assert queued.status_code == 202, queued.get_json()
    assert took < 2.0, f"queuing took {took:.2f} s"  # planning it would take up to its 120 s
    job = queued.get_json()
    assert job["status"] == "queued" and job["time_limit_s"] == 120
    me = client.get("/api/v1/me", headers=headers("planner"))
    assert me.status_code == 200
    polled = client.get(f"/api/v1/planning/simulations/{job['id']}", headers=headers("planner")).get_json()
    assert polled["status"] == "queued" and polled["plan"] is None


def test_the_scheduler_plans_a_queued_simulation_and_the_caller_polls_its_plan(client, headers, app):
    snapshot = solver_snapshot(orders=[order("SO-1", 2)])
    snapshot["stock"] = [{"sku": "NB-14", "location": "WH-N", "on_hand": 5}]
    job = client.post("/api/v1/planning/simulate?time_limit_s=5", json=snapshot, headers=headers("planner"))
    with app.app_context():
        done = [j.id for j in schedules_service.execute_queued_simulations()]
        db.session.commit()
    assert done == [job.get_json()["id"]]
    result = client.get(f"/api/v1/planning/simulations/{job.get_json()['id']}", headers=headers("planner"))
    body = result.get_json()
    assert body["status"] == "succeeded", body["error"]
    assert verify(snapshot, body["plan"])["valid"]
    assert body["plan"]["confirmations"][0]["order_id"] == "SO-1"
    assert body["solver"]["objective"] == body["plan"]["solver"]["objective"]


def test_a_simulation_the_solver_fails_on_is_failed_saying_why(client, headers, app):
    snapshot = solver_snapshot(orders=[order("SO-1", 2)])
    job = client.post("/api/v1/planning/simulate", json=snapshot, headers=headers("planner")).get_json()

    def broken(snapshot, *, time_limit_s):
        raise RuntimeError("solver crashed")

    with app.app_context():
        from planning.runs import simulations

        simulations.execute_queued_simulations(solve=broken)
        db.session.commit()
    body = client.get(f"/api/v1/planning/simulations/{job['id']}", headers=headers("planner")).get_json()
    assert body["status"] == "failed" and body["error"] == "RuntimeError: solver crashed"


def test_a_user_with_too_many_simulations_waiting_gets_429(client, headers, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLANNING_SIMULATIONS_PER_USER", 2)
    snapshot = solver_snapshot(orders=[order("SO-1", 2)])
    for _ in range(2):
        assert (
            client.post("/api/v1/planning/simulate", json=snapshot, headers=headers("planner")).status_code
            == 202
        )
    refused = client.post("/api/v1/planning/simulate", json=snapshot, headers=headers("planner"))
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["status"] == "too_many_simulations" and "at most 2" in body["message"]
    other = client.post("/api/v1/planning/simulate", json=snapshot, headers=headers("scheduler"))
    assert other.status_code == 202  # the limit is per user


def test_a_simulation_is_seen_by_its_requester_only(client, headers):
    snapshot = solver_snapshot(orders=[order("SO-1", 2)])
    job = client.post("/api/v1/planning/simulate", json=snapshot, headers=headers("planner")).get_json()
    url = f"/api/v1/planning/simulations/{job['id']}"
    assert client.get(url, headers=headers("scheduler")).status_code == 404
    assert client.get(url, headers=headers("admin")).status_code == 200
    assert client.get(url, headers=headers("warehouse")).status_code == 403


def test_a_snapshot_beyond_the_cap_is_413(client, headers, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLANNING_SIMULATE_MAX_BYTES", 1000)
    snapshot = solver_snapshot(orders=[order(f"SO-{i}", 2) for i in range(50)])
    response = client.post("/api/v1/planning/simulate", json=snapshot, headers=headers("planner"))
    assert response.status_code == 413
