"""Releasing a plan over HTTP: planners only, idempotent, superseded plans refused."""

import pytest

from tests.release_fixtures import load_demo, publish_greedy_run


@pytest.fixture
def run_id(seed):
    planner = seed(load_demo)
    return seed(publish_greedy_run, user_id=planner)


def test_a_planner_releases_a_selection_and_sees_the_new_purchase_orders(client, headers, run_id):
    auth = headers("planner")
    response = client.post(
        f"/api/v1/planning/runs/{run_id}/release", json={"purchases": ["PO-P1"]}, headers=auth
    )
    assert response.status_code == 200
    number = response.get_json()["created"]["purchases"][0]["number"]
    order = client.get(f"/api/v1/purchase-orders/{number}", headers=headers("warehouse")).get_json()
    assert order["status"] == "released" and order["plan_ref"] == f"run {run_id}/PO-P1"


@pytest.mark.parametrize("role", ["warehouse", "scheduler"])
def test_only_planners_release(client, headers, run_id, role):
    response = client.post(
        f"/api/v1/planning/runs/{run_id}/release", json={"purchases": "all"}, headers=headers(role)
    )
    assert response.status_code == 403


def test_a_repeated_release_is_409_already_released(client, headers, run_id):
    auth = headers("planner")
    url = f"/api/v1/planning/runs/{run_id}/release"
    assert client.post(url, json={"productions": "all"}, headers=auth).status_code == 200
    again = client.post(url, json={"productions": "all"}, headers=auth)
    assert again.status_code == 409 and again.get_json()["status"] == "already_released"


def test_a_retried_release_with_its_key_replays_the_first_answer(client, headers, run_id):
    auth = {**headers("planner"), "Idempotency-Key": "release-1"}
    url = f"/api/v1/planning/runs/{run_id}/release"
    first = client.post(url, json={"purchases": "all"}, headers=auth)
    again = client.post(url, json={"purchases": "all"}, headers=auth)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()


def test_a_superseded_plan_is_409_naming_the_newer_run(client, headers, run_id, seed):
    newer = seed(publish_greedy_run)
    response = client.post(
        f"/api/v1/planning/runs/{run_id}/release", json={"purchases": "all"}, headers=headers("planner")
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["status"] == "plan_superseded" and body["current_run"] == newer


def test_an_empty_selection_is_422(client, headers, run_id):
    response = client.post(f"/api/v1/planning/runs/{run_id}/release", json={}, headers=headers("planner"))
    assert response.status_code == 422
