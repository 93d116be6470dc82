"""The workspace's lists at any size: paged, sorted, searched and filtered by the database, "N of M" shown,
the CSV the whole filtered list; an order's supply pegged to the quantities that serve it."""

import csv
import io
import re
from datetime import timedelta

import pytest

from core.auth import create_user
from core.db import db
from orders.models import CustomerOrder
from planning.runs.models import PlannedConfirmation, PlanningRun
from planning.runs.pegging import order_supply
from tests.release_fixtures import load_demo, publish_greedy_run


@pytest.fixture
def run_id(seed):
    planner = seed(load_demo)
    return seed(publish_greedy_run, user_id=planner)


@pytest.fixture
def reader(client, seed):
    seed(lambda: create_user(username="reader", roles=["warehouse"], password="s3cret-pass"))
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post("/login", data={"username": "reader", "password": "s3cret-pass", "csrf_token": token})
    return client


def first_cells(page: str, table: str) -> list[str]:
    body = page.split(f'id="{table}"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>\s*<td>(?:<a [^>]*>)?([^<]+)", body)
    return [r.strip() for r in rows]


def count_text(page: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r'<span class="count">(.*?)</span>', page).group(1))


def test_the_second_page_of_orders_holds_the_next_rows_and_says_which(reader, run_id, app):
    with app.app_context():
        total = db.session.query(CustomerOrder).count()
    first = reader.get("/orders?per=10").get_data(as_text=True)
    second = reader.get("/orders?per=10&page=2").get_data(as_text=True)
    one, two = first_cells(first, "orders"), first_cells(second, "orders")
    assert len(one) == len(two) == 10 and not set(one) & set(two)
    assert one + two == sorted(one + two)  # by number, page after page
    assert count_text(first) == f"1\u201310 of {total}" and count_text(second) == f"11\u201320 of {total}"
    assert 'rel="next"' in first and "page=2" in first


def test_a_page_past_the_last_shows_the_last(reader, run_id):
    page = reader.get("/orders?per=25&page=999").get_data(as_text=True)
    assert count_text(page).startswith("51\u2013") and first_cells(page, "orders")


def test_orders_sort_by_a_column_either_way(reader, run_id):
    down = first_cells(reader.get("/orders?per=15&sort=-number").get_data(as_text=True), "orders")
    up = first_cells(reader.get("/orders?per=15&sort=number").get_data(as_text=True), "orders")
    assert down == sorted(down, reverse=True) and up == sorted(up) and down[0] > up[-1]


def test_orders_search_and_filters_narrow_the_whole_list(reader, run_id, app):
    found = reader.get("/orders?q=so-1007").get_data(as_text=True)
    assert first_cells(found, "orders") == ["SO-1007"] and count_text(found) == "1\u20131 of 1"
    pending = reader.get("/orders?status=pending").get_data(as_text=True)
    with app.app_context():
        expected = db.session.query(CustomerOrder).filter_by(status="pending").count()
    assert (
        count_text(pending).endswith(f"of {expected}") and pending.count('class="pill pending"') == expected
    )


def test_the_orders_csv_is_every_order_the_filters_select_not_one_page(reader, run_id, app):
    response = reader.get("/orders.csv?status=confirmed&per=5&sort=-number")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    with app.app_context():
        confirmed = db.session.query(CustomerOrder).filter_by(status="confirmed").count()
    assert response.mimetype == "text/csv" and len(rows) == confirmed > 5
    numbers = [r["number"] for r in rows]
    assert numbers == sorted(numbers, reverse=True) and {r["status"] for r in rows} == {"confirmed"}


def test_late_and_unconfirmed_orders_are_highlighted(reader, seed, run_id, app):
    def promise_a_day_late():
        order = db.session.scalar(db.select(CustomerOrder).filter_by(number="SO-1003"))
        order.status, order.promised_at = "confirmed", order.requested_at + timedelta(days=1)

    seed(promise_a_day_late)
    page = reader.get("/orders?per=200").get_data(as_text=True)
    with app.app_context():
        orders = db.session.scalars(db.select(CustomerOrder)).all()
        late = [o for o in orders if o.promised_at and o.promised_at > o.requested_at]
        unconfirmed = [o for o in orders if o.status == "unconfirmed"]
    assert len(re.findall(r'<tr class="late\b', page)) == len(late) >= 1
    assert len(re.findall(r'<tr class="[^"]*\bunconfirmed\b', page)) == len(unconfirmed) > 0


def test_the_stock_list_pages_and_searches(reader, run_id):
    page = reader.get("/stock?per=5&sort=-on_hand").get_data(as_text=True)
    assert count_text(page).startswith("1\u20135 of ")
    found = reader.get("/stock?q=NB-14").get_data(as_text=True)
    assert set(first_cells(found, "stock")) == {"NB-14"}


def test_a_plan_tab_pages_sorts_and_filters_in_the_database(reader, run_id, app):
    url = f"/runs/{run_id}"
    first = first_cells(reader.get(f"{url}?per=5").get_data(as_text=True), "table-confirmations")
    second = first_cells(reader.get(f"{url}?per=5&page=2").get_data(as_text=True), "table-confirmations")
    assert len(first) == 5 and not set(first) & set(second)
    down = first_cells(reader.get(f"{url}?sort=-order&per=8").get_data(as_text=True), "table-confirmations")
    assert down == sorted(down, reverse=True)
    with app.app_context():
        rows = db.session.scalars(db.select(PlannedConfirmation).filter_by(run_id=run_id)).all()
        late = sorted(r.order_number for r in rows if r.late_hours and r.late_hours > 0.001)
    page = reader.get(f"{url}?late=yes&per=200").get_data(as_text=True)
    assert sorted(first_cells(page, "table-confirmations")) == late


def test_confirmations_show_customer_requested_time_and_lateness(reader, run_id, app):
    with app.app_context():
        conf = db.session.scalars(
            db.select(PlannedConfirmation).filter_by(run_id=run_id).order_by(PlannedConfirmation.order_number)
        ).first()
        order = db.session.scalar(db.select(CustomerOrder).filter_by(number=conf.order_number))
        assert conf.customer == order.customer.code and conf.requested_at == order.requested_at
        assert conf.late_hours == pytest.approx(
            (conf.promised_at - order.requested_at).total_seconds() / 3600 if conf.promised_at else None
        )
    page = reader.get(f"/runs/{run_id}?per=1").get_data(as_text=True)
    row = page.split('id="table-confirmations"', 1)[1].split("</tbody>", 1)[0]
    assert order.customer.code in row and order.requested_at.strftime("%Y-%m-%d %H:%M") in row
    assert ">Customer<" in page and ">Requested<" in page and ">Late by<" in page


def test_a_plan_tab_csv_is_the_filtered_set(reader, run_id, app):
    response = reader.get(f"/runs/{run_id}/confirmations.csv?status=confirmed&per=3")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    with app.app_context():
        confirmed = db.session.query(PlannedConfirmation).filter_by(run_id=run_id, status="confirmed").count()
    assert len(rows) == confirmed > 3 and {r["status"] for r in rows} == {"confirmed"}
    assert {"customer", "requested_at", "late_hours"} <= set(rows[0])


def test_two_tables_on_one_tab_page_apart(reader, run_id):
    page = reader.get(f"/runs/{run_id}?tab=distribution&deliveries.per=3&deliveries.page=2").get_data(
        as_text=True
    )
    deliveries = page.split('id="block-deliveries"', 1)[1]
    assert count_text(deliveries).startswith("4\u20136 of ")
    transfers = page.split('id="block-transfers"', 1)[1].split('id="block-deliveries"', 1)[0]
    assert not count_text(transfers).startswith("4\u2013")  # the other table stays on its first page


def test_an_order_is_pegged_only_to_the_quantities_serving_it(app, db_session, run_id):
    with app.app_context():
        run = db.session.get(PlanningRun, run_id)
        confirmed = db.session.scalars(
            db.select(PlannedConfirmation).filter_by(run_id=run_id, status="confirmed")
        ).all()
        assert confirmed
        for conf in confirmed:
            chain, hidden = order_supply(run, conf)
            assert len(chain) == len(conf.deliveries) and hidden == 0
            for delivery, step in zip(conf.deliveries, chain, strict=True):
                pegged = sum(feed["qty"] for feed in step["feeds"])
                assert pegged == pytest.approx(float(delivery.qty))  # no more than it takes, all of it
                texts = [feed["step"] for feed in step["feeds"]]
                assert len(texts) == len(set(texts))  # each source once


def test_the_order_explanation_page_is_small(reader, run_id):
    page = reader.get(f"/runs/{run_id}/orders/SO-1001").get_data(as_text=True)
    assert "Supply behind the promise" in page and len(page) < 30_000


def test_the_changes_list_the_promises_a_plan_moved_and_the_proposals_it_changed(reader, seed, run_id):
    def promise_a_day_sooner() -> str:
        order = db.session.scalars(
            db.select(CustomerOrder).filter_by(status="confirmed").order_by(CustomerOrder.number)
        ).first()
        order.promised_at -= timedelta(days=1)
        return order.number

    moved = seed(promise_a_day_sooner)
    newer = seed(publish_greedy_run)
    page = reader.get(f"/runs/{newer}/changes").get_data(as_text=True)
    assert first_cells(page, "moved") == [moved] and count_text(page) == "1\u20131 of 1"
    assert "later" in page and "+1 d 0 h" in page
    assert (
        first_cells(reader.get(f"/runs/{newer}/changes?direction=earlier").get_data(as_text=True), "moved")
        == []
    )
    for show in ("purchases-new", "purchases-removed", "productions-new", "productions-removed"):
        response = reader.get(f"/runs/{newer}/changes?show={show}")
        assert response.status_code == 200 and 'id="proposals"' in response.get_data(as_text=True)
