"""A supplier on a phone: signs in, finds its open purchase order, proposes a later date; the page fits
the screen (no sideways scrolling)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def phone(chromium_browser, live_server):
    context = chromium_browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_a_supplier_answers_its_purchase_order_from_a_phone(phone):
    phone.goto("/login")
    phone.fill("input[name=username]", "demo-supplier")
    phone.fill("input[name=password]", "demo")
    phone.click("button[type=submit]")
    expect(phone).to_have_url(f"{phone.url.split('/portal')[0]}/portal")
    order = phone.locator("#orders .po").first
    expect(order.locator(".pill")).to_have_text("awaiting")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    order.locator("input[name=arrive_on]").fill("2030-01-15")
    order.locator("button[value=propose]").click()
    expect(phone.locator(".flash.ok")).to_contain_text("propose sent")
    expect(phone.locator("#orders .po").first.locator(".pill")).to_have_text("proposed")
    expect(phone.locator("#pending")).to_contain_text("2030-01-15")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
