"""Confirmation webhooks: signed, retried while the receiver is down, delivered once it is back."""

from sqlalchemy import update

from core import auth
from core.db import db, utcnow
from planning.webhooks import service
from planning.webhooks.models import WebhookDelivery
from tests.webhook_receiver import Receiver


def _subscribe(url, **filters):
    user = auth.create_user(username=f"hook-{url[-12:]}-{len(filters)}", roles=["planner"])
    return service.create_subscription(
        url=url, user_id=user.id, customer=filters.get("customer"), channel=filters.get("channel")
    )


def _emit(number="SO-1", customer="ACME", channel="b2b"):
    return service.emit(
        type="order.confirmation",
        payload={"order": number, "status": "confirmed"},
        order_number=number,
        customer=customer,
        channel=channel,
    )


def test_an_event_is_delivered_signed_with_its_id(app, committed_db):
    with Receiver() as receiver, app.app_context():
        subscription = _subscribe(receiver.url)
        event = _emit()
        db.session.commit()
        assert service.deliver_due() == {"delivered": 1, "retrying": 0, "failed": 0}
        [request] = receiver.requests
        headers = request["headers"]
        assert headers["X-Takt-Event-Id"] == event.event_id
        expected = service.sign(subscription.secret, headers["X-Takt-Timestamp"], request["body"])
        assert headers["X-Takt-Signature"] == expected
        assert request["json"]["data"] == {"order": "SO-1", "status": "confirmed"}
        assert service.deliver_due() == {"delivered": 0, "retrying": 0, "failed": 0}


def test_events_wait_while_the_receiver_is_down_and_none_are_lost(app, committed_db):
    with Receiver() as receiver, app.app_context():
        _subscribe(receiver.url)
        receiver.up = False
        events = [_emit(number=f"SO-{i}") for i in range(3)]
        db.session.commit()
        assert service.deliver_due() == {"delivered": 0, "retrying": 3, "failed": 0}
        assert service.deliver_due() == {"delivered": 0, "retrying": 0, "failed": 0}  # backing off
        receiver.up = True
        db.session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow()))
        db.session.commit()
        assert service.deliver_due() == {"delivered": 3, "retrying": 0, "failed": 0}
        received = sorted(r["headers"]["X-Takt-Event-Id"] for r in receiver.requests)
        assert received == sorted(e.event_id for e in events)


def test_a_delivery_gives_up_after_its_attempts_and_says_why(app, committed_db):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 1
    try:
        with Receiver() as receiver, app.app_context():
            _subscribe(receiver.url)
            receiver.up = False
            _emit()
            db.session.commit()
            assert service.deliver_due()["failed"] == 1
            delivery = db.session.scalars(db.select(WebhookDelivery)).one()
            assert delivery.status == "failed" and delivery.last_error == "HTTP 503"
    finally:
        app.config["WEBHOOK_MAX_ATTEMPTS"] = 25


def test_subscriptions_receive_only_their_customer_or_channel(app, committed_db):
    with app.app_context():
        everyone = _subscribe("http://127.0.0.1:9/all")
        acme = _subscribe("http://127.0.0.1:9/acme", customer="ACME")
        shops = _subscribe("http://127.0.0.1:9/b2c", channel="b2c")
        _emit(customer="ACME", channel="b2b")
        db.session.commit()
        targets = {d.subscription_id for d in db.session.scalars(db.select(WebhookDelivery))}
        assert targets == {everyone.id, acme.id}
        assert shops.id not in targets


def _deliveries_by_url():
    return {d.subscription.url: d for d in db.session.scalars(db.select(WebhookDelivery))}


def test_a_receiver_with_a_malformed_answer_fails_only_its_own_delivery(app, committed_db):
    with Receiver() as broken, Receiver() as healthy, app.app_context():
        broken.malformed = True
        _subscribe(broken.url)
        _subscribe(healthy.url, customer="ACME")
        _emit()
        db.session.commit()
        assert service.deliver_due() == {"delivered": 1, "retrying": 1, "failed": 0}
        assert len(healthy.requests) == 1
        delivery = _deliveries_by_url()[broken.url]
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.last_error == "connection failed"
        assert delivery.next_attempt_at > utcnow()  # backing off


def test_any_fault_of_one_delivery_is_retried_and_the_others_still_go(app, committed_db, monkeypatch):
    real_post = service.transport.post

    def post(url, *args, **kwargs):
        if url.endswith("/bad"):
            raise RuntimeError("a fault nobody foresaw")
        return real_post(url, *args, **kwargs)

    monkeypatch.setattr(service.transport, "post", post)
    with Receiver() as healthy, app.app_context():
        _subscribe(healthy.url + "/bad")
        _subscribe(healthy.url)
        _emit()
        db.session.commit()
        assert service.deliver_due() == {"delivered": 1, "retrying": 1, "failed": 0}
        assert _deliveries_by_url()[healthy.url + "/bad"].last_error == "connection failed"


def test_a_deleted_subscription_receives_nothing_more(app, committed_db):
    with Receiver() as receiver, app.app_context():
        subscription = _subscribe(receiver.url)
        _emit(number="SO-1")
        subscription.active = False  # what DELETE /webhooks/<id> does
        db.session.commit()
        assert service.deliver_due() == {"delivered": 0, "retrying": 0, "failed": 0}
        assert receiver.requests == []
        assert _deliveries_by_url()[receiver.url].status == "pending"  # still listed, never sent


def test_a_redirect_is_not_followed_and_fails_the_delivery(app, committed_db):
    with Receiver() as redirecting, Receiver() as elsewhere, app.app_context():
        redirecting.redirect_to = elsewhere.url
        _subscribe(redirecting.url)
        _emit()
        db.session.commit()
        assert service.deliver_due()["retrying"] == 1
        assert elsewhere.requests == []
        assert _deliveries_by_url()[redirecting.url].last_error == "HTTP 302"


def test_a_closed_port_is_a_generic_connection_failure(app, committed_db):
    with Receiver() as receiver:
        closed = receiver.url  # the server is gone once the block ends
    with app.app_context():
        _subscribe(closed)
        _emit()
        db.session.commit()
        service.deliver_due()
        assert _deliveries_by_url()[closed].last_error == "connection failed"


def test_a_subscription_whose_address_became_private_is_not_sent_to(app, committed_db, monkeypatch):
    with Receiver() as receiver, app.app_context():
        _subscribe(receiver.url)
        _emit()
        db.session.commit()
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
        assert service.deliver_due()["retrying"] == 1
        assert receiver.requests == []
        assert _deliveries_by_url()[receiver.url].last_error == "target not allowed"


def test_a_receiver_answering_a_byte_at_a_time_is_cut_off_at_the_timeout(app, committed_db, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 1)
    with Receiver() as slow, app.app_context():
        slow.drip_seconds = 0.25  # each byte well within the timeout, the whole answer far beyond it
        _subscribe(slow.url)
        _emit()
        db.session.commit()
        assert service.deliver_due() == {"delivered": 0, "retrying": 1, "failed": 0}
        assert _deliveries_by_url()[slow.url].last_error == "connection failed"
