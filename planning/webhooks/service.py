"""Webhook outbox: events are written with the plan that causes them, then delivered at least once.

Each request is a JSON POST signed with the subscription's secret:
`X-Takt-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, with `X-Takt-Timestamp` and
`X-Takt-Event-Id` (receivers de-duplicate on it). A delivery that fails is retried with exponential
backoff (capped) until it succeeds or `WEBHOOK_MAX_ATTEMPTS` is reached; nothing is dropped silently.
Whatever goes wrong with one delivery is that delivery's failure, never the others'. A subscription
that is deleted (inactive) receives nothing more; its pending deliveries stay listed, unsent. Targets
are vetted by `transport`: public addresses only, unless `WEBHOOK_ALLOW_PRIVATE_TARGETS` is on.
"""

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from core.db import db, utcnow
from core.errors import Invalid, NotFound
from planning.webhooks import transport
from planning.webhooks.models import OutboxEvent, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 3600.0


def create_subscription(
    *, url: str, customer: str | None, channel: str | None, user_id: int, secret: str | None = None
) -> WebhookSubscription:
    """Subscribe `url` to confirmations (of one customer, one channel, or all); the secret signs them."""
    try:
        transport.target_addresses(url, allow_private=_allow_private_targets())
    except transport.TargetRefused as refused:
        raise Invalid("url", str(refused)) from refused
    subscription = WebhookSubscription(
        url=url,
        customer=customer,
        channel=channel,
        created_by_id=user_id,
        secret=secret or secrets.token_urlsafe(32),
    )
    db.session.add(subscription)
    db.session.flush()
    return subscription


def _allow_private_targets() -> bool:
    return bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"])


def get_subscription(subscription_id: int) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return subscription


def emit(
    *, type: str, payload: dict, order_number: str | None, customer: str | None, channel: str | None
) -> OutboxEvent:
    """Write an event to the outbox with one pending delivery per matching active subscription."""
    event = OutboxEvent(
        event_id=str(uuid.uuid4()),
        type=type,
        order_number=order_number,
        customer=customer,
        channel=channel,
        payload=payload,
    )
    db.session.add(event)
    stmt = select(WebhookSubscription).where(
        WebhookSubscription.active.is_(True),
        or_(WebhookSubscription.customer.is_(None), WebhookSubscription.customer == customer),
        or_(WebhookSubscription.channel.is_(None), WebhookSubscription.channel == channel),
    )
    for subscription in db.session.scalars(stmt):
        db.session.add(WebhookDelivery(event=event, subscription=subscription))
    db.session.flush()
    return event


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def request_body(event: OutboxEvent) -> bytes:
    document = {
        "id": event.event_id,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, sort_keys=True).encode()


def deliver_due(*, limit: int = 100) -> dict:
    """Send due deliveries one by one (each in its own transaction); return counts by outcome."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    for _ in range(limit):
        delivery = _claim_due()
        if delivery is None:
            break
        counts[_attempt(delivery)] += 1
        db.session.commit()
    return counts


def _claim_due() -> WebhookDelivery | None:
    stmt = (
        select(WebhookDelivery)
        .join(WebhookDelivery.subscription)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= utcnow(),
            WebhookSubscription.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    return db.session.scalars(stmt).first()


def _attempt(delivery: WebhookDelivery) -> str:
    delivery.attempts += 1
    try:
        error = _send(delivery)
    except Exception:  # one delivery's fault, whatever it is, is that delivery's failure only
        log.exception("webhook delivery %s failed", delivery.id)
        error = "connection failed"
    if error is None:
        delivery.status, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), None
        return "delivered"
    delivery.last_error = error
    if delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status = "failed"
        return "failed"
    delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (delivery.attempts - 1))
    delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)
    return "retrying"


def _send(delivery: WebhookDelivery) -> str | None:
    """Sign and POST one delivery; None when the receiver took it, else a generic reason."""
    body, timestamp = request_body(delivery.event), str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "takt-webhooks/1",
        "X-Takt-Event-Id": delivery.event.event_id,
        "X-Takt-Event-Type": delivery.event.type,
        "X-Takt-Timestamp": timestamp,
        "X-Takt-Signature": sign(delivery.subscription.secret, timestamp, body),
    }
    return transport.post(
        delivery.subscription.url,
        body,
        headers,
        timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"],
        allow_private=_allow_private_targets(),
    )
