"""Prometheus metrics of the web service."""


def test_metrics_count_requests_by_route(client, headers):
    client.get("/api/v1/me", headers=headers())
    body = client.get("/metrics").get_data(as_text=True)
    assert 'flask_http_request_total{method="GET",status="200"}' in body
    assert 'url_rule="/api/v1/me"' in body
