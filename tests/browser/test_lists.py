"""Paging 10,000 orders in headless Chromium: the count, search, the next page and sorting, all answered by
the server (a takt of its own: the demo company plus 10,000 bulk-loaded orders, no plan)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from core.db import db

pytestmark = pytest.mark.browser
ORDERS = 10_000


def _bulk_orders(count: int) -> None:
    """`count` orders BL-00000... of one line each, straight into the tables (the services take minutes)."""
    from inventory.models import Item
    from orders.models import Customer, CustomerOrder, OrderLine

    customers = db.session.execute(db.select(Customer.id, Customer.region_id)).all()
    item = db.session.scalar(db.select(Item.id).where(Item.sku == "NB-14"))
    now = datetime.now(UTC).replace(microsecond=0)
    orders, lines = [], []
    for n in range(count):
        customer, region = customers[n % len(customers)]
        orders.append(
            {
                "id": 100_000 + n,
                "number": f"BL-{n:05d}",
                "customer_id": customer,
                "channel": "b2b",
                "region_id": region,
                "created_at": now,
                "requested_at": now + timedelta(hours=n % 500),
                "priority": 1 + n % 3,
                "ship_complete": True,
                "status": "accepted",
                "updated_at": now,
            }
        )
        lines.append(
            {"order_id": 100_000 + n, "line": "1", "item_id": item, "quantity": 1, "shipped_quantity": 0}
        )
    db.session.execute(CustomerOrder.__table__.insert(), orders)
    db.session.execute(OrderLine.__table__.insert(), lines)
    db.session.commit()


@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("lists") / "takt.sqlite3"
    settings = {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "lists", "SESSION_COOKIE_SECURE": False}
    app = create_app(settings)
    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["demo"])
        _bulk_orders(ORDERS)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=30)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def page(chromium_browser, big_server):
    context = chromium_browser.new_context(base_url=big_server, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/login")
    page.fill("input[name=username]", "demo-planner")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/runs")
    yield page
    context.close()


def numbers(page) -> list[str]:
    return page.locator("#orders tbody tr td:first-child").all_inner_texts()


def test_the_orders_page_counts_every_order_and_pages_through_them(page):
    page.goto("/orders")
    total = ORDERS + 60  # and the demo's own
    expect(page.locator(".pager .count").first).to_have_text(f"1\u201350 of {total:,}")
    first = numbers(page)
    page.locator(".pager a[rel=next]").first.click()
    page.wait_for_url("**page=2**")
    expect(page.locator(".pager .count").first).to_have_text(f"51\u2013100 of {total:,}")
    second = numbers(page)
    assert len(first) == len(second) == 50 and not set(first) & set(second)
    assert first + second == sorted(first + second)


def test_a_search_finds_one_order_among_ten_thousand(page):
    page.goto("/orders")
    page.fill("input[type=search]", "BL-04321")
    page.press("input[type=search]", "Enter")
    page.wait_for_url("**q=BL-04321**")
    assert numbers(page) == ["BL-04321"]
    expect(page.locator(".pager .count").first).to_have_text("1\u20131 of 1")


def test_sorting_by_a_column_reorders_the_whole_list(page):
    page.goto("/orders?q=BL-")
    page.locator("#orders th a", has_text="Order").click()  # by number already: now descending
    page.wait_for_url("**sort=-number**")
    assert "q=BL-" in page.url  # the search stays
    listed = numbers(page)
    assert listed[0] == f"BL-{ORDERS - 1:05d}" and listed == sorted(listed, reverse=True)
    page.locator(".pager a[rel=last]").first.click()
    page.wait_for_url("**page=**")
    assert numbers(page)[-1] < listed[-1]
