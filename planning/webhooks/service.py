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

from core.bulk import insert_rows
from core.db import db, utcnow
from core.errors import Invalid, NotFound
from planning.webhooks import transport
from planning.webhooks.models import OutboxEvent, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 3600.0


def create_subscription(
    *,
    url: str,
    customer: str | None,
    channel: str | None,
    user_id: int,
    secret: str | None = None,
    supplier: str | None = None,
) -> WebhookSubscription:
    """Subscribe `url` to confirmations (of one customer, one channel, or all), or to one supplier's own
    events (`supplier`); the secret signs them."""
    try:
        transport.target_addresses(url, allow_private=_allow_private_targets())
    except transport.TargetRefused as refused:
        raise Invalid("url", str(refused)) from refused
    subscription = WebhookSubscription(
        url=url,
        customer=customer,
        channel=channel,
        supplier=supplier,
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
    *,
    type: str,
    payload: dict,
    order_number: str | None,
    customer: str | None,
    channel: str | None,
    supplier: str | None = None,
) -> OutboxEvent:
    """Write an event to the outbox with one pending delivery per matching active subscription: a
    supplier's event goes to that supplier's subscriptions only, any other to no supplier's."""
    event = OutboxEvent(
        event_id=str(uuid.uuid4()),
        type=type,
        order_number=order_number,
        customer=customer,
        channel=channel,
        payload=payload,
    )
    db.session.add(event)
    if supplier is not None:
        matching = WebhookSubscription.supplier == supplier
    else:
        matching = WebhookSubscription.supplier.is_(None) & or_(
            WebhookSubscription.customer.is_(None), WebhookSubscription.customer == customer
        )
        matching &= or_(WebhookSubscription.channel.is_(None), WebhookSubscription.channel == channel)
    stmt = select(WebhookSubscription).where(WebhookSubscription.active.is_(True), matching)
    for subscription in db.session.scalars(stmt):
        db.session.add(WebhookDelivery(event=event, subscription=subscription))
    db.session.flush()
    return event


def emit_many(events: list[dict], *, type: str) -> int:
    """Write many events of one `type` to the outbox at once, each with one pending delivery per matching
    active subscription (as `emit`, a statement per table and thousand rows); `events` are dicts of
    `payload`, `order_number`, `customer` and `channel`. Returns the deliveries written."""
    if not events:
        return 0
    stmt = select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    subscriptions = [(s.id, s.customer, s.channel) for s in db.session.scalars(stmt)]
    now = utcnow()
    rows = [{"event_id": str(uuid.uuid4()), "type": type, "created_at": now, **event} for event in events]
    ids = insert_rows(OutboxEvent.__table__, rows, ids=True)
    deliveries = [
        {
            "event_id": event_id,
            "subscription_id": sid,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
        }
        for event_id, event in zip(ids, events, strict=True)
        for sid, customer, channel in subscriptions
        if customer in (None, event["customer"]) and channel in (None, event["channel"])
    ]
    insert_rows(WebhookDelivery.__table__, deliveries)
    return len(deliveries)


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


def deliver_due(*, limit: int = 100, batch: int = 25) -> dict:
    """Send up to `limit` due deliveries; return counts by outcome. They are claimed `batch` at a time (their
    rows locked: another scheduler skips them), each attempt's outcome is its own, and each batch is committed
    once (a process that dies mid-batch sends that batch again: at least once, receivers de-duplicate)."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    sent = 0
    while sent < limit:
        claimed = _claim_due(min(batch, limit - sent))
        if not claimed:
            break
        for delivery in claimed:
            counts[_attempt(delivery)] += 1
        sent += len(claimed)
        db.session.commit()
    return counts


def _claim_due(count: int) -> list[WebhookDelivery]:
    stmt = (
        select(WebhookDelivery)
        .join(WebhookDelivery.subscription)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= utcnow(),
            WebhookSubscription.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(count)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    return list(db.session.scalars(stmt))


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
