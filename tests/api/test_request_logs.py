"""A request's logs carry its id and path; the logs its thread writes after it do not."""

import structlog


def test_a_request_leaves_nothing_in_the_threads_log_context(client):
    # bound for the request's logs and unbound when it ends: what this thread logs next, outside any request
    # (a planning run, a Dask client in the tests), does not claim to be part of it
    response = client.get("/api/v1/health", headers={"X-Request-Id": "req-7"})
    assert response.status_code == 200
    assert structlog.contextvars.get_contextvars() == {}
