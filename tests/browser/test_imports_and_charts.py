"""A planner in headless Chromium imports master data (a file with errors, checked, then a clean one,
as CSV and as xlsx), exports it, and reads the Gantt at two zooms and projected stock picked by search."""

import io
import json
from urllib.request import Request, urlopen

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.browser.test_workspace import shoot

pytestmark = pytest.mark.browser


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def api(live_server, token, path):
    request = Request(f"{live_server}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    with urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def planner(page):
    page.goto("/login")
    page.fill("input[name=username]", "demo-planner")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/runs")
    return page


def choose(page, name: str, content: bytes, mime: str) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": content}])


def test_an_import_with_errors_is_checked_row_by_row_then_a_clean_one_is_applied(
    planner, live_server, api_token
):
    planner.click("nav >> text=Master data")
    planner.click("#kinds >> text=Items")
    bad = (
        b"sku,name,kind,holding_cost_per_day\n"
        b"BR-1,Bracket,material,0.01\nBR-2,,material,x\nBR-3,Clip,gadget,0\n"
    )
    choose(planner, "items.csv", bad, "text/csv")
    planner.click("#check")
    errors = planner.locator("#import-errors tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text("3")
    expect(errors.nth(0)).to_contain_text("holding_cost_per_day")
    expect(planner.locator("#import-errors")).to_contain_text("Must be one of: material, finished, both.")
    expect(planner.locator("#apply")).to_have_count(0)  # nothing to apply while rows are refused
    shoot(planner, "import-check-errors")
    skus = [i["sku"] for i in api(live_server, api_token, "/items?q=BR-")]
    assert skus == []  # the check changed nothing

    clean = xlsx(
        [
            ["sku", "name", "kind", "holding_cost_per_day"],
            ["BR-1", "Bracket", "material", 0.01],
            ["BR-2", "Hinge", "material", 0.02],
        ]
    )
    choose(planner, "items.xlsx", clean, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    expect(planner.locator("#import-summary")).to_have_count(0)  # a new file clears the old report
    planner.click("#check")
    expect(planner.locator("#import-summary")).to_contain_text("2 new")
    shoot(planner, "import-check-clean")
    planner.click("#apply")
    expect(planner.locator("#imported")).to_have_text("Imported: 2 created, 0 updated.")
    assert [i["sku"] for i in api(live_server, api_token, "/items?q=BR-")] == ["BR-1", "BR-2"]
    expect(planner.locator("#records")).to_contain_text("Hinge")


def test_an_order_file_as_csv_is_checked_and_applied_with_its_lines(planner, live_server, api_token):
    planner.goto("/data/orders")
    rows = (
        "number,customer,requested_at,line,sku,quantity\n"
        "SO-IMP-1,C-JD,2027-01-10T12:00:00Z,1,NB-14,5\n"
        "SO-IMP-1,C-JD,2027-01-10T12:00:00Z,2,NB-16,0\n"
    )
    choose(planner, "orders.csv", rows.encode(), "text/csv")
    planner.click("#check")
    expect(planner.locator("#import-errors tbody tr")).to_have_count(1)
    expect(planner.locator("#import-errors tbody tr")).to_contain_text("3")  # the line's own row
    choose(planner, "orders.csv", rows.replace("NB-16,0", "NB-16,2").encode(), "text/csv")
    planner.click("#check")
    planner.click("#apply")
    expect(planner.locator("#imported")).to_contain_text("1 created")
    order = api(live_server, api_token, "/orders/SO-IMP-1")
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("NB-14", 5), ("NB-16", 2)]


def test_an_export_downloads_the_same_columns(planner):
    planner.goto("/data/suppliers")
    with planner.expect_download() as download:
        planner.click("#export-csv")
    text = download.value.path().read_text(encoding="utf-8")
    assert text.splitlines()[0] == "code,name,active"
    with planner.expect_download() as download:
        planner.click("#export-xlsx")
    assert download.value.suggested_filename == "suppliers.xlsx"


def test_the_gantt_zooms_from_weeks_to_days_on_one_axis(planner):
    planner.goto("/runs")
    planner.locator("#runs tbody tr").first.locator("a").first.click()
    planner.click("nav.tabs >> text=Gantt")
    chart = planner.locator("svg.gantt")
    expect(chart).to_have_attribute("data-zoom", "week")
    week_width = float(chart.get_attribute("width"))
    expect(planner.locator("svg.gantt g.bar.production").first).to_be_attached()
    expect(planner.locator("svg.gantt g.bar.purchase").first).to_be_attached()
    expect(planner.locator("svg.gantt g.load").first).to_be_attached()
    expect(planner.locator("svg.gantt text.week").first).to_be_attached()
    shoot(planner, "gantt-week")
    planner.click("#zoom-day")
    expect(chart).to_have_attribute("data-zoom", "day")
    assert float(chart.get_attribute("width")) == pytest.approx(
        week_width * 4, rel=0.01
    )  # 160 px a day, not 40
    expect(planner.locator("svg.gantt text.tick").first).to_be_attached()  # a label per day
    labels = planner.locator("svg.gantt g.bar.production text")
    assert labels.count() > 0  # wide enough now to label the bars
    shoot(planner, "gantt-day")


def test_projected_stock_is_picked_by_search_and_says_what_changes_it(planner):
    planner.click("nav.tabs >> text=Projected stock")
    planner.fill("#sku", "")
    planner.locator("#sku").type("batt", delay=30)
    options = planner.locator("#sku-options option")
    expect(options.first).to_be_attached()
    assert all("battery" in (options.nth(i).inner_text() or "").lower() for i in range(options.count()))
    planner.fill("#sku", options.first.get_attribute("value"))
    planner.select_option("#stock-picker select[name=location]", "PL-HF")  # where batteries are used
    planner.click("#stock-picker button")
    expect(planner.locator("svg.stock-chart text.axis-title")).to_have_count(2)
    causes = planner.locator("#stock-changes tbody td:nth-child(4)").all_inner_texts()
    assert causes[0] == "on hand"
    assert any(cause.startswith("component of production") for cause in causes)
    shoot(planner, "projected-stock-search")
