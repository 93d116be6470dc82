"""Warehouse staff in headless Chromium with a barcode scanner: it types a code and Enter into whatever
field has the focus. Receive, issue, transfer, count and receive a purchase order; refusals shown in the
page; a double submit books once; the forms fit a phone."""

import json
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

from tests.browser.test_workspace import shoot

pytestmark = pytest.mark.browser


def scan(page, *codes: str) -> None:
    """What a scanner does: each code typed into the focused field, then Enter."""
    for code in codes:
        page.keyboard.type(code)
        page.keyboard.press("Enter")


def api(live_server, token, path):
    request = Request(f"{live_server}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    with urlopen(request, timeout=10) as response:
        return json.load(response)


def on_hand(live_server, token, sku, location) -> float:
    rows = api(live_server, token, f"/stock?sku={sku}&location={location}")
    return rows[0]["on_hand"] if rows else 0


def ledger_size(live_server, token, sku) -> int:
    return len(api(live_server, token, f"/ledger?sku={sku}&page_size=1000"))


@pytest.fixture(scope="module")
def clerk(page):
    page.goto("/login")
    page.fill("input[name=username]", "demo-warehouse")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/runs")
    return page


def test_a_receipt_is_scanned_field_by_field_and_booked_on_enter(clerk, live_server, api_token):
    before = on_hand(live_server, api_token, "NB-14", "WH-BJ")
    clerk.click("nav >> text=Warehouse")
    clerk.click("a.task-tile >> text=Receive")
    expect(clerk.locator("#f-sku")).to_be_focused()
    scan(clerk, "NB-14")
    expect(clerk.locator("#f-location")).to_be_focused()  # Enter moved on, nothing sent yet
    scan(clerk, "WH-BJ")
    expect(clerk.locator("#f-quantity")).to_be_focused()
    scan(clerk, "12")  # Enter on the quantity books (the optional note is skipped)
    expect(clerk.locator("#booked")).to_contain_text("Received 12 pcs of NB-14 into WH-BJ")
    assert on_hand(live_server, api_token, "NB-14", "WH-BJ") == before + 12
    expect(clerk.locator("#f-location")).to_have_value("WH-BJ")  # kept for the next item
    expect(clerk.locator("#f-sku")).to_be_focused()
    shoot(clerk, "warehouse-receive")


def test_an_issue_beyond_stock_is_refused_in_the_page_and_books_nothing(clerk, live_server, api_token):
    clerk.click("nav.tabs >> text=Issue")
    expect(clerk.locator("h1")).to_have_text("Issue")
    expect(clerk.locator("#f-sku")).to_be_focused()
    entries = ledger_size(live_server, api_token, "NB-14")
    scan(clerk, "NB-14", "WH-BJ", "999999")
    expect(clerk.locator("#refused")).to_contain_text("would take stock to")
    expect(clerk.locator("#f-quantity")).to_have_value("999999")  # the form keeps what was scanned
    assert ledger_size(live_server, api_token, "NB-14") == entries
    shoot(clerk, "warehouse-refused")
    clerk.fill("#f-quantity", "abc")
    clerk.locator("#f-quantity").press("Enter")
    expect(clerk.locator("#e-quantity")).to_have_text("must be a number")
    expect(clerk.locator("#f-quantity")).to_be_focused()


def test_a_double_submit_books_once(clerk, live_server, api_token):
    clerk.goto("/warehouse/issue")
    entries = ledger_size(live_server, api_token, "NB-14")
    clerk.fill("#f-sku", "NB-14")
    clerk.fill("#f-location", "WH-BJ")
    clerk.fill("#f-quantity", "2")
    statuses = clerk.evaluate(
        """async () => {
            const form = document.querySelector("form[data-scan]");
            const body = new FormData(form);
            const send = () => fetch(form.action, {method: "POST", body: body, redirect: "manual"});
            const answers = await Promise.all([send(), send()]);
            const again = await send();  // a retry later: replayed
            return [...answers, again].map(a => a.type === "opaqueredirect" ? 303 : a.status);
        }"""
    )
    assert statuses == [303, 303, 303]
    assert ledger_size(live_server, api_token, "NB-14") == entries + 1


def test_a_transfer_and_a_count_by_scanner(clerk, live_server, api_token):
    clerk.goto("/warehouse/transfer")
    expect(clerk.locator("#f-sku")).to_be_focused()
    scan(clerk, "NB-14", "WH-BJ", "WH-SH", "3")
    expect(clerk.locator("#booked")).to_contain_text("Moved 3 pcs of NB-14 from WH-BJ into WH-SH")
    clerk.click("nav.tabs >> text=Count")
    expect(clerk.locator("h1")).to_have_text("Count")
    expect(clerk.locator("#f-sku")).to_be_focused()
    scan(clerk, "NB-14", "WH-SH", "40")
    expect(clerk.locator("#booked")).to_contain_text("Counted 40 pcs of NB-14 at WH-SH")
    assert on_hand(live_server, api_token, "NB-14", "WH-SH") == 40


def test_a_purchase_order_is_received_by_scanning_its_number_sku_and_quantity(clerk, live_server, api_token):
    clerk.click("nav.tabs >> text=Receive PO")
    expect(clerk.locator("#f-number")).to_be_focused()
    scan(clerk, "PO-000002")
    expect(clerk.locator("#po-lines")).to_contain_text("PANEL-24")  # its lines, shown once scanned
    scan(clerk, "PANEL-24", "150")
    expect(clerk.locator("#booked")).to_contain_text("Received 150 of PANEL-24 on PO-000002 line 1")
    order = api(live_server, api_token, "/purchase-orders/PO-000002")
    assert order["status"] == "partially_received"
    shoot(clerk, "warehouse-receive-po")
    scan(clerk, "PANEL-24", "1000")
    expect(clerk.locator("#refused")).to_contain_text("exceeds the limit")


def test_the_forms_fit_a_phone(chromium_browser, live_server, clerk):
    phone = chromium_browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone.add_cookies(clerk.context.cookies())
    page = phone.new_page()
    page.goto("/warehouse/receipt")
    for field in ("#f-sku", "#f-location", "#f-quantity", "form.scan button"):
        box = page.locator(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.locator("#f-quantity").get_attribute("inputmode") == "decimal"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(_shots() / "warehouse-phone.png"))
    phone.close()


def _shots():
    from tests.browser.test_workspace import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
