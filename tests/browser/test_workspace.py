"""A planner's day in headless Chromium: sign in, run, read the plan, release part of it.

The tests run in order on one signed-in page; each leaves a screenshot (see SHOTS).
"""

import json
import os
import tempfile
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
# README screenshots: run with TAKT_SCREENSHOTS=docs/screenshots to refresh them; otherwise a temp dir.
SHOTS = Path(os.environ.get("TAKT_SCREENSHOTS") or tempfile.mkdtemp(prefix="takt-screenshots-"))


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_a_planner_signs_in_and_watches_a_run_complete(page):
    page.goto("/runs")
    assert "/login" in page.url
    page.fill("input[name=username]", "demo-planner")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.click("#run-now")
    page.locator("text=queued: the scheduler starts it").wait_for()
    page.locator('.progress[data-status="running"]').wait_for()  # htmx polls the progress fragment
    shoot(page, "run-in-progress")
    page.locator("#runs tbody tr").first.locator(".pill.succeeded").wait_for(timeout=60_000)
    expect(page.locator("#runs tbody tr").first.locator(".badge")).to_have_text("in force")
    shoot(page, "runs")


def test_the_plan_shows_its_kpis_and_its_tables_sort_and_filter(page):
    page.locator("#runs tbody tr").first.locator("a").first.click()
    tiles = page.locator("#kpis .tile")
    expect(tiles).to_have_count(6)
    expect(tiles.first).to_contain_text("orders", ignore_case=True)
    expect(page.locator("#costs .tile")).to_have_count(6)
    shoot(page, "plan")
    page.locator("#table-confirmations th a", has_text="Order").click()  # already by order: now descending
    page.wait_for_url("**sort=-order**")
    orders = page.locator("#table-confirmations tbody tr td:first-child").all_inner_texts()
    assert orders == sorted(orders, reverse=True)
    page.fill("#block-confirmations input[type=search]", orders[-1])
    page.press("#block-confirmations input[type=search]", "Enter")
    page.wait_for_url("**q=**")
    rows = page.locator("#table-confirmations tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(orders[-1])


def test_an_order_explains_its_promise_and_the_supply_behind_it(page):
    page.locator("#table-confirmations tbody tr a").first.click()
    expect(page.locator("#explanation blockquote")).not_to_be_empty()
    expect(page.locator("#supply-chain li").first).to_be_visible()
    shoot(page, "order-explanation")


def test_gantt_changes_and_projected_stock_render(page):
    page.click("nav.tabs >> text=Gantt")
    expect(page.locator("svg.gantt rect.bar").first).to_be_attached()
    shoot(page, "gantt")
    page.click("nav.tabs >> text=Changes")
    expect(page.locator("text=Compared with the previous published plan")).to_have_count(1)
    shoot(page, "changes")
    page.click("nav.tabs >> text=Projected stock")
    page.locator("svg.stock-chart").wait_for()
    shoot(page, "projected-stock")


def test_a_planner_releases_a_selection_and_the_purchase_orders_appear_in_the_api(
    page, live_server, api_token
):
    page.click("nav.tabs >> text=Procurement")
    boxes = page.locator("#table-purchases tbody input[name=ref]")
    refs = [boxes.nth(i).get_attribute("value") for i in range(min(2, boxes.count()))]
    for i in range(len(refs)):
        boxes.nth(i).check()
    page.click("button.release-selected")
    assert refs
    expect(page.locator(".flash.ok")).to_contain_text(f"Released {len(refs)}")
    expect(page.locator("#table-purchases tbody input[name=ref]:disabled")).to_have_count(len(refs))
    run_id = page.url.split("/runs/")[1].split("?")[0]
    request = Request(
        f"{live_server}/api/v1/purchase-orders?page_size=200",
        headers={"Authorization": f"Bearer {api_token}"},
    )
    with urlopen(request, timeout=10) as response:
        orders = json.load(response)
    released = {o["plan_ref"]: o["status"] for o in orders if o.get("plan_ref")}
    assert {f"run {run_id}/{ref}": "released" for ref in refs}.items() <= released.items()


def test_warehouse_staff_see_stock_but_no_release_buttons(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", "demo-warehouse")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/runs")
    page.goto("/stock")
    expect(page.locator("#stock tbody tr").nth(5)).to_be_visible()
    shoot(page, "stock")
    page.goto(page.locator("#stock a", has_text="projection").first.get_attribute("href"))
    expect(page.locator("svg.stock-chart")).to_have_count(1)
    expect(page.locator("#release-all")).to_have_count(0)
    context.close()
