"""Sales staff quote an order in headless Chromium: the answer appears under the form (htmx), then held."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_workspace import shoot

pytestmark = pytest.mark.browser


def test_sales_staff_quote_and_hold_an_order(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/login")
    page.fill("input[name=username]", "demo-sales")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/runs")
    page.click("nav >> text=Quote")
    page.fill("input[name=customer]", "C-JD")
    page.fill("textarea[name=lines]", "NB-14 2\nDT-TW 1")
    page.click("form.quote button[type=submit]")
    expect(page.locator("#promise")).to_contain_text("Promised")
    expect(page.locator("#answer table tbody tr")).to_have_count(2)
    assert "/quote" in page.url  # htmx swapped the answer in; the page did not reload
    shoot(page, "quote")
    page.check("input[name=hold]")
    page.click("form.quote button[type=submit]")
    expect(page.locator("#answer")).to_contain_text("Held as order SO-")
    context.close()
