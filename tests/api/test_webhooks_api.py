"""Webhook subscriptions over HTTP: only public targets, unless the deployment allows private ones."""

import socket

import pytest

from core.db import db
from planning.webhooks import transport
from planning.webhooks.models import WebhookSubscription


@pytest.fixture
def public_only(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(WebhookSubscription))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hooks",
        "http://192.168.1.10/hooks",
        "http://172.16.0.1/hooks",
        "http://100.64.0.1/hooks",
        "http://[::1]/hooks",
        "http://[fd00::1]/hooks",
        "http://[fe80::1]/hooks",
        "http://0.0.0.0/hooks",
    ],
)
def test_a_subscription_to_a_private_address_is_refused(client, headers, app, public_only, url):
    before = _count(app)
    response = client.post("/api/v1/webhooks", json={"url": url}, headers=headers("planner"))
    assert response.status_code == 422, response.get_json()
    assert "public addresses only" in response.get_json()["errors"]["json"]["url"][0]
    assert _count(app) == before


def test_a_host_name_is_resolved_before_it_is_accepted(client, headers, app, public_only, monkeypatch):
    def resolve(host, port, *args, **kwargs):
        address = {"metadata.example": "169.254.169.254", "hooks.example": "93.184.215.14"}[host]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(transport.socket, "getaddrinfo", resolve)
    refused = client.post(
        "/api/v1/webhooks", json={"url": "http://metadata.example/x"}, headers=headers("planner")
    )
    assert refused.status_code == 422
    accepted = client.post(
        "/api/v1/webhooks", json={"url": "https://hooks.example/takt"}, headers=headers("planner")
    )
    assert accepted.status_code == 201


def test_a_host_that_does_not_resolve_is_refused(client, headers, public_only, monkeypatch):
    def resolve(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(transport.socket, "getaddrinfo", resolve)
    response = client.post(
        "/api/v1/webhooks", json={"url": "http://nowhere.example/"}, headers=headers("planner")
    )
    assert response.status_code == 422
    assert "does not resolve" in response.get_json()["errors"]["json"]["url"][0]


def test_a_public_address_is_accepted(client, headers, public_only):
    response = client.post(
        "/api/v1/webhooks", json={"url": "http://93.184.215.14/hooks"}, headers=headers("planner")
    )
    assert response.status_code == 201 and response.get_json()["secret"]


def test_the_deployment_may_allow_private_targets(client, headers, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_TARGETS", True)
    response = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hooks"}, headers=headers("planner")
    )
    assert response.status_code == 201
