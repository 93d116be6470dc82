"""Planning runs over HTTP: an external scheduler triggers, anyone signed in reads; the process that executes
a run decides its budget."""

from core.db import db
from planning.runs import service
from tests import planning_fakes as fakes
from tests.unit.solver.conftest import order
from tests.unit.solver.conftest import snapshot as solver_snapshot


def test_a_scheduler_token_queues_a_run_with_202(client, headers):
    response = client.post("/api/v1/planning/runs", json={}, headers=headers("scheduler"))
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "queued" and body["trigger"] == "api"


def test_a_trigger_during_a_run_is_409_naming_the_run(client, headers):
    first = client.post("/api/v1/planning/runs", json={}, headers=headers("planner")).get_json()
    response = client.post("/api/v1/planning/runs", json={}, headers=headers("planner"))
    assert response.status_code == 409
    assert response.get_json()["run_id"] == first["id"]


def test_a_retried_trigger_with_its_key_returns_the_same_run(client, headers):
    auth = {**headers("scheduler"), "Idempotency-Key": "cycle-2026-11-22T08"}
    first = client.post("/api/v1/planning/runs", json={}, headers=auth)
    again = client.post("/api/v1/planning/runs", json={}, headers=auth)
    assert first.status_code == again.status_code == 202
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"


def test_warehouse_staff_cannot_trigger_runs(client, headers):
    assert client.post("/api/v1/planning/runs", json={}, headers=headers("warehouse")).status_code == 403


def test_a_queued_run_has_no_plan_yet(client, headers):
    run = client.post("/api/v1/planning/runs", json={}, headers=headers("planner")).get_json()
    response = client.get(f"/api/v1/planning/runs/{run['id']}/plan", headers=headers("warehouse"))
    assert response.status_code == 404
    progress = client.get(f"/api/v1/planning/runs/{run['id']}/progress", headers=headers("warehouse"))
    assert progress.get_json()["status"] == "queued"


def test_a_finished_run_serves_its_plan_and_snapshot(client, headers, app):
    run = client.post(
        "/api/v1/planning/runs", json={"time_budget_s": 60}, headers=headers("planner")
    ).get_json()
    with app.app_context():
        service.execute_run(
            run["id"], build_snapshot=fakes.empty_snapshot, solve=fakes.plan_with_one_purchase
        )
        db.session.commit()
    reader = headers("warehouse")
    plan = client.get(f"/api/v1/planning/runs/{run['id']}/plan", headers=reader).get_json()
    assert plan["contract"] == "supply-plan/1" and plan["procurement"][0]["qty"] == 150
    snapshot = client.get(f"/api/v1/planning/runs/{run['id']}/snapshot", headers=reader).get_json()
    assert snapshot["plan_start"] == plan["plan_start"]
    listed = client.get("/api/v1/planning/runs?status=succeeded", headers=reader).get_json()
    assert [r["id"] for r in listed] == [run["id"]]


def test_simulate_refuses_a_body_that_is_not_a_snapshot(client, headers):
    response = client.post("/api/v1/planning/simulate", json={"hello": 1}, headers=headers("planner"))
    assert response.status_code == 422
    assert "contract" in response.get_json()["errors"]["json"]


def test_simulate_names_each_malformed_field(client, headers):
    snapshot = solver_snapshot(orders=[order("SO-1", 2)])
    ok = client.post("/api/v1/planning/simulate", json=snapshot, headers=headers("planner"))
    assert ok.status_code == 202, ok.get_json()
    snapshot["lanes"][0]["transit_hours"] = -1
    snapshot["orders"] = [{"id": "SO-1", "lines": "many"}]
    response = client.post("/api/v1/planning/simulate", json=snapshot, headers=headers("planner"))
    assert response.status_code == 422
    reason = response.get_json()["errors"]["json"]["snapshot"][0]
    assert "lanes[0].transit_hours" in reason and "orders[0]" in reason


def test_unknown_run_is_404(client, headers):
    assert client.get("/api/v1/planning/runs/999999", headers=headers()).status_code == 404


def _execute(app, run_id):
    with app.app_context():
        service.execute_run(run_id, build_snapshot=fakes.empty_snapshot, solve=fakes.plan_reporting_its_limit)
        db.session.commit()


def test_a_run_queued_without_a_budget_runs_with_the_budget_of_the_scheduler(
    client, headers, app, monkeypatch
):
    queued = client.post("/api/v1/planning/runs", json={}, headers=headers("planner")).get_json()
    assert queued["requested_budget_s"] is None and queued["time_budget_s"] is None  # not stamped here
    monkeypatch.setitem(app.config, "PLANNING_RUN_BUDGET_SECONDS", 40)  # the executing process's setting
    _execute(app, queued["id"])
    run = client.get(f"/api/v1/planning/runs/{queued['id']}", headers=headers()).get_json()
    assert run["status"] == "succeeded" and run["time_budget_s"] == 40
    assert run["solver"]["time_limit_s"] <= 40 * service.SOLVER_SHARE


def test_a_budget_above_the_schedulers_is_accepted_and_capped_when_the_run_starts(
    client, headers, app, monkeypatch
):
    queued = client.post("/api/v1/planning/runs", json={"time_budget_s": 900}, headers=headers("planner"))
    assert queued.status_code == 202 and queued.get_json()["requested_budget_s"] == 900
    monkeypatch.setitem(app.config, "PLANNING_RUN_BUDGET_SECONDS", 40)
    _execute(app, queued.get_json()["id"])
    run = client.get(f"/api/v1/planning/runs/{queued.get_json()['id']}", headers=headers()).get_json()
    assert (run["requested_budget_s"], run["time_budget_s"]) == (900, 40)


def test_a_budget_outside_five_seconds_to_an_hour_is_422_naming_the_field(client, headers):
    response = client.post("/api/v1/planning/runs", json={"time_budget_s": 7200}, headers=headers("planner"))
    assert response.status_code == 422
    assert "time_budget_s" in response.get_json()["errors"]["json"]


def test_the_budget_rule_is_in_the_api_schema(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    described = spec["components"]["schemas"]["RunRequest"]["properties"]["time_budget_s"]["description"]
    assert "capped" in described and "SCM_PLANNING_RUN_BUDGET_SECONDS" in described
