"""Prometheus metrics of the web service, readable only with the metrics token."""

import pytest

TOKEN = "metrics-scrape-token-0123456789"


@pytest.fixture
def metrics_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return {"Authorization": f"Bearer {TOKEN}"}


def test_metrics_count_requests_by_route(client, headers, metrics_token):
    client.get("/api/v1/me", headers=headers())
    body = client.get("/metrics", headers=metrics_token).get_data(as_text=True)
    assert 'flask_http_request_total{method="GET",status="200"}' in body
    assert 'url_rule="/api/v1/me"' in body


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "]
)
def test_metrics_without_the_right_token_are_refused(client, metrics_token, authorization):
    response = client.get("/metrics", headers={"Authorization": authorization} if authorization else {})
    assert response.status_code == 401
    assert "flask_http_request_total" not in response.get_data(as_text=True)


def test_an_api_token_does_not_read_metrics(client, headers, metrics_token):
    assert client.get("/metrics", headers=headers("admin")).status_code == 401


def test_without_a_metrics_token_set_nobody_reads_metrics(client, headers, app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    response = client.get("/metrics", headers=headers("admin"))
    assert response.status_code == 403 and "SCM_METRICS_TOKEN" in response.get_json()["message"]
