"""`POST /quotes`: the earliest promise for a prospective order against the residual of the plan in force."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db, utcnow
from orders.models import CustomerOrder
from tests.factories import keyed
from tests.quote_factories import build_network, hours_after, publish

URL = "/api/v1/quotes"


@pytest.fixture
def network(seed):
    """The quote network with an empty plan published on it; returns the plan's start."""
    seed(build_network)
    return seed(lambda: publish().plan_start)


def ask(client, headers, *lines, hold=False, key=None, **fields):
    body = {"customer": "CS", "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines], **fields}
    if hold:
        body["hold"] = True
    sent = headers("sales")
    if key:
        sent["Idempotency-Key"] = key
    return client.post(URL, json=body, headers=sent)


def test_a_quote_on_stock_near_the_customer_takes_only_the_delivery_time(client, headers, network):
    answer = ask(client, headers, ("FG", 5)).get_json()
    assert answer["quotable"] and not answer["held"]
    # 6 h by truck, rounded up to the hour
    assert 6 - 0.01 <= hours_after(answer["promised_at"], utcnow()) <= 7.1
    line = answer["lines"][0]
    assert (line["from"], line["mode"], line["reason"]) == ("WH-S", "truck", "stock")
    assert answer["explanation"].startswith("5 FG on hand at WH-S; truck from WH-S to south takes 6 h")
    assert answer["uses"] == {"purchases": [], "production": [], "transfers": []}


def test_a_quote_wanted_later_is_promised_at_the_requested_time(client, headers, network):
    wanted = (network + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = ask(client, headers, ("FG", 5), requested_at=wanted).get_json()
    assert answer["promised_at"] == wanted
    assert answer["explanation"].endswith("on time")


@pytest.mark.parametrize(
    ("sku", "qty", "reason", "words", "at_least_hours", "uses"),
    [
        # 10 at WH-S: the rest comes from WH-N by truck
        ("FG", 30, "transfer", "transfer from WH-N by truck (24 h)", 24 + 6, "transfers"),
        # made at PL-N, then railed to WH-S
        (
            "MADE",
            20,
            "transfer",
            "transfer from PL-N by rail (36 h); production on L1",
            24 + 36 + 6,
            "production",
        ),
        # bought into WH-S
        ("BUY", 7, "procurement", "waits for PO to SUP: 72 h lead time", 72 + 6, "purchases"),
    ],
)
def test_without_stock_the_quote_adds_transfer_production_or_purchase_time(
    client, headers, network, sku, qty, reason, words, at_least_hours, uses
):
    answer = ask(client, headers, (sku, qty)).get_json()
    assert answer["quotable"], answer
    assert answer["reason"] == reason, answer
    assert words in answer["explanation"]
    assert at_least_hours - 0.01 <= hours_after(answer["promised_at"], utcnow()) <= at_least_hours + 1.1
    assert answer["uses"][uses], answer["uses"]
    assert all(use["quantity"] > 0 for use in answer["uses"][uses])  # the API's name for a quantity
    assert answer["lines"][0]["from"] == "WH-S"


def test_several_lines_are_promised_at_the_latest_line(client, headers, network):
    both = ask(client, headers, ("FG", 5), ("BUY", 7)).get_json()
    bought = ask(client, headers, ("BUY", 7)).get_json()
    assert both["promised_at"] == bought["promised_at"]
    assert [line["promised_at"] for line in both["lines"]] == [both["promised_at"]] * 2  # ship-complete
    assert both["reason"] == "procurement"
    assert "line 2 of 2 is the latest" in both["explanation"]
    apart = ask(client, headers, ("FG", 5), ("BUY", 7), ship_complete=False).get_json()
    assert apart["promised_at"] == apart["lines"][1]["promised_at"]  # the latest line, not rounded
    assert 72 + 6 - 0.01 <= hours_after(apart["promised_at"], utcnow()) <= 72 + 6 + 1.1
    assert hours_after(apart["lines"][0]["promised_at"], utcnow()) < 7.1  # the stock line goes at once


def test_an_unquotable_order_says_why(client, headers, network):
    nothing = ask(client, headers, ("FG", 5), ("NONE", 1))
    assert nothing.status_code == 200
    assert nothing.get_json()["quotable"] is False
    assert nothing.get_json()["reasons"] == [
        "line 2: no source for NONE (no stock, receipt, supplier or route)"
    ]
    island = ask(client, headers, ("FG", 5), region="island").get_json()
    assert island["reasons"] == ["no lane delivers to island"]
    too_much = ask(client, headers, ("SCARCE", 21)).get_json()
    assert "SCARCE cannot reach south within the horizon" in too_much["reasons"][0]


def test_bad_input_is_a_422_naming_the_field_and_no_plan_a_409(client, headers, seed):
    seed(build_network)
    unknown = ask(client, headers, ("NOPE", 1))
    assert unknown.status_code == 422 and "lines[0].sku" in unknown.get_json()["errors"]["json"]
    assert ask(client, headers, ("FG", 1), priority=7).status_code == 422
    assert ask(client, headers, ("FG", 0)).status_code == 422
    none_yet = ask(client, headers, ("FG", 1))
    assert none_yet.status_code == 409 and none_yet.get_json()["status"] == "no_plan_in_force"


def test_only_sales_and_planners_quote(client, headers, network):
    body = {"customer": "CS", "lines": [{"sku": "FG", "quantity": 1}]}
    assert client.post(URL, json=body, headers=headers("warehouse")).status_code == 403
    assert client.post(URL, json=body, headers=headers("planner")).status_code == 200
    assert client.post(URL, json=body).status_code == 401


def test_a_quote_changes_nothing_unless_held(client, headers, network, app):
    for _ in range(3):
        assert ask(client, headers, ("FG", 8)).get_json()["lines"][0]["reason"] == "stock"
    with app.app_context():
        assert db.session.scalars(select(CustomerOrder)).all() == []


def test_a_held_quote_is_an_accepted_order_with_its_promise_and_reserves_what_it_used(
    client, headers, network, app
):
    held = ask(client, headers, ("FG", 8), hold=True, key="q-1")
    answer = held.get_json()
    assert held.status_code == 200 and answer["held"] and answer["order"].startswith("SO-")
    assert answer["lines"][0]["reason"] == "stock"
    with app.app_context():
        order = db.session.scalar(select(CustomerOrder).where(CustomerOrder.number == answer["order"]))
        assert order.status == "confirmed"
        assert order.promised_at.strftime("%Y-%m-%dT%H:%M:%SZ") == answer["promised_at"]
        confirmation = order.latest_confirmation
        assert (confirmation.run_ref, confirmation.explanation) == ("quote", answer["explanation"])
        assert confirmation.lines[0].deliveries[0].from_code == "WH-S"
    # 2 FG are left free at WH-S: the next quote for 8 waits for a transfer
    after = ask(client, headers, ("FG", 8)).get_json()
    assert after["reason"] == "transfer" and after["promised_at"] > answer["promised_at"]
    assert ask(client, headers, ("FG", 2)).get_json()["reason"] == "stock"


def test_a_hold_is_idempotent_and_needs_a_key(client, headers, network, app):
    first = ask(client, headers, ("FG", 3), hold=True, key="q-2").get_json()
    again = ask(client, headers, ("FG", 3), hold=True, key="q-2")
    assert again.headers.get("Idempotent-Replayed") == "true" and again.get_json() == first
    assert ask(client, headers, ("FG", 3), hold=True).status_code == 428
    with app.app_context():
        assert len(db.session.scalars(select(CustomerOrder)).all()) == 1
    assert ask(client, headers, ("FG", 7)).get_json()["reason"] == "stock"  # 10 - 3 left, not 10 - 6
    assert ask(client, headers, ("FG", 8)).get_json()["reason"] == "transfer"


def test_an_unquotable_hold_holds_nothing(client, headers, network, app):
    answer = ask(client, headers, ("NONE", 1), hold=True, key="q-3").get_json()
    assert answer["quotable"] is False and answer["held"] is False and answer["order"] is None
    with app.app_context():
        assert db.session.scalars(select(CustomerOrder)).all() == []


def test_the_residual_is_what_the_plan_left_free(client, headers, seed):
    seed(build_network)

    def plan_taking_fg_at_wh_s(snapshot):
        plan = publish.__globals__["empty_plan"](snapshot)
        plan["transfers"] = [
            {
                "id": "T1",
                "from": "WH-S",
                "to": "WH-N",
                "mode": "truck",
                "sku": "FG",
                "qty": 9,
                "depart_at": snapshot["plan_start"],
                "arrive_at": snapshot["plan_start"],
            }
        ]
        return plan

    seed(lambda: publish(plan_taking_fg_at_wh_s))
    assert ask(client, headers, ("FG", 1)).get_json()["reason"] == "stock"
    assert ask(client, headers, ("FG", 2)).get_json()["reason"] == "transfer"


def test_stock_movements_after_the_plan_change_what_is_free(client, headers, network):
    mover = headers("warehouse")
    issue = {"kind": "issue", "sku": "FG", "location": "WH-S", "quantity": 6}
    assert client.post("/api/v1/movements", json=issue, headers=keyed(mover)).status_code == 201
    assert ask(client, headers, ("FG", 5)).get_json()["reason"] == "transfer"
    receipt = {"kind": "receipt", "sku": "BUY", "location": "WH-S", "quantity": 40}
    assert client.post("/api/v1/movements", json=receipt, headers=keyed(mover)).status_code == 201
    assert ask(client, headers, ("BUY", 40)).get_json()["reason"] == "stock"


def test_an_adjustment_committed_after_a_later_one_is_still_applied(client, headers, network, app):
    """A process applies adjustments by id; one committed late (a lower id than one applied already) is
    still found, through the recent window, and applied once."""
    from quotes.models import QuoteAdjustment
    from quotes.residual import movement_entries

    with app.app_context():  # ids above any used (PostgreSQL's sequence may be ahead of the rows)
        base = max(db.session.scalar(select(func.max(QuoteAdjustment.id))) or 0, 1000)

    def adjust(adjustment_id, changes):
        with app.app_context():
            entries = movement_entries(changes, int(utcnow().timestamp()))
            db.session.add(QuoteAdjustment(id=base + adjustment_id, kind="movement", entries=entries))
            db.session.commit()

    adjust(5, [("BUY", "WH-S", 1)])
    assert ask(client, headers, ("FG", 5)).get_json()["reason"] == "stock"  # this process applied up to 5
    adjust(3, [("FG", "WH-S", -6)])  # committed now, with an id below 5
    for _ in range(2):  # applied, and only once: 4 of the 10 FG are left
        assert ask(client, headers, ("FG", 5)).get_json()["reason"] == "transfer"
        assert ask(client, headers, ("FG", 4)).get_json()["reason"] == "stock"
