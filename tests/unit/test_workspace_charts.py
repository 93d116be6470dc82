"""The workspace's SVG charts, plan comparison and cost split, as pure functions."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest

from planning.runs.changes import plan_changes, supply_chain
from planning.runs.costs import cost_split, stock_projection
from planning.solver import solve
from planning.web.charts import ZOOMS, Axis, Bar, calendar_shades, gantt_svg, pack, resource_loads
from planning.web.stock_chart import nice_ticks, stock_svg

T0 = datetime(2026, 11, 22, 8, tzinfo=UTC)
CASES = Path(__file__).parent / "solver" / "cases"  # takt's own example cases


SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg_text: str) -> list:
    return ElementTree.fromstring(svg_text).findall(f"{SVG}g[@class]")


def test_a_gantt_draws_one_row_per_resource_and_a_bar_per_order_in_time_order():
    bars = [
        Bar("L1", T0, T0 + timedelta(days=1), "MO-1", "production"),
        Bar("L2", T0 + timedelta(days=1), T0 + timedelta(days=3), "MO-2", "production"),
        Bar("L1", T0 + timedelta(days=2), T0 + timedelta(days=3), "MO-3", "production"),
    ]
    names, plot = gantt_svg([("Production", bars)])
    groups = [g for g in _bars(plot) if g.get("class").startswith("bar")]
    rects = {g.find(f"{SVG}title").text.splitlines()[0].split(": ")[1]: g.find(f"{SVG}rect") for g in groups}
    xs = [float(rects[ref].get("x")) for ref in ("MO-1", "MO-2", "MO-3")]
    ys = [float(rects[ref].get("y")) for ref in ("MO-1", "MO-2", "MO-3")]
    assert xs[0] < xs[1] < xs[2] and ys[0] == ys[2] != ys[1]
    row_names = [t.text for t in ElementTree.fromstring(names).findall(f"{SVG}text[@class='row-name']")]
    assert row_names == ["L1", "L2"]


def test_overlapping_purchases_on_one_lane_are_separate_bars_one_under_the_other():
    lane = "SUP-1 → WH-1"
    bars = [
        Bar(lane, T0, T0 + timedelta(days=3), "PO-1", "purchase"),
        Bar(lane, T0 + timedelta(days=1), T0 + timedelta(days=4), "PO-2", "purchase"),
        Bar(lane, T0 + timedelta(days=3), T0 + timedelta(days=5), "PO-3", "purchase"),
    ]
    placed, lanes = pack(bars)
    assert lanes == 2
    assert [(bar.label, lane) for bar, lane in placed] == [("PO-1", 0), ("PO-2", 1), ("PO-3", 0)]
    groups = _bars(gantt_svg([("Purchases", bars)])[1])
    assert [g.get("data-lane") for g in groups] == ["0", "1", "0"]
    heights = {float(g.find(f"{SVG}rect").get("y")) for g in groups}
    assert len(heights) == 2


def test_production_and_supply_share_one_time_axis_and_the_zoom_sets_its_scale():
    production = [Bar("L1", T0, T0 + timedelta(days=1), "MO-1", "production")]
    purchases = [Bar("S → W", T0, T0 + timedelta(days=1), "PO-1", "purchase")]
    sections = [("Production", production), ("Purchases", purchases)]
    for zoom, per_day in ZOOMS.items():
        axis = Axis.around([T0, T0 + timedelta(days=6)], zoom)
        assert axis.start == T0.replace(hour=0) and axis.days == 7
        plot = ElementTree.fromstring(gantt_svg(sections, axis)[1])
        assert plot.get("data-zoom") == zoom
        assert float(plot.get("width")) == 7 * per_day
        xs = [float(g.find(f"{SVG}rect").get("x")) for g in plot.findall(f"{SVG}g[@data-lane]")]
        assert xs[0] == xs[1] == round(axis.x(T0), 1)  # one start, one x, whatever the section
    day_ticks = ElementTree.fromstring(gantt_svg(sections, Axis.around([T0], "day"))[1])
    assert day_ticks.findall(f"{SVG}text[@class='tick']")  # a label per day only when zoomed in


def test_a_resource_load_per_day_is_set_against_its_calendar():
    snapshot = {
        "routes": [{"sku": "A", "resource": "L1", "hours_per_unit": 0.5, "setup_hours": 1}],
        "resources": [
            {
                "code": "L1",
                "location": "P",
                "hours_per_day": 8,
                "calendar": [{"date": "2026-11-23", "hours": 0}],
            }
        ],
    }
    production = [
        {"sku": "A", "resource": "L1", "qty": 10, "start_at": "2026-11-22T08:00:00Z"},
        {"sku": "A", "resource": "L1", "qty": 4, "start_at": "2026-11-22T14:00:00Z"},
    ]
    axis = Axis.around([T0, T0 + timedelta(days=2)], "day")
    loads = {f"{load.day:%d}": load for load in resource_loads(snapshot, production, axis)}
    assert (loads["22"].hours, loads["22"].capacity, loads["22"].share) == (9.0, 8, 1.125)
    assert (loads["23"].capacity, loads["23"].share) == (0, None)  # closed
    assert loads["24"].share == 0
    bars = [Bar("L1", T0, T0 + timedelta(hours=6), "MO-1", "production")]
    plot = gantt_svg(
        [("Production", bars)],
        axis,
        shades=calendar_shades(snapshot["resources"]),
        loads=list(loads.values()),
    )[1]
    svg = ElementTree.fromstring(plot)
    cells = {g.get("data-day"): g.get("data-share") for g in svg.findall(f"{SVG}g[@class='load']")}
    assert cells == {"2026-11-22": "1.125", "2026-11-23": "", "2026-11-24": "0.000"}
    closed = svg.findall(f"{SVG}rect[@class='day closed']")
    assert len(closed) == 1 and "closed" in closed[0].find(f"{SVG}title").text


def test_a_gantt_of_nothing_says_so():
    assert "Nothing planned" in gantt_svg([])[1]


def test_the_stock_chart_steps_down_when_stock_leaves_and_labels_its_axes_and_causes():
    history = [(T0, 10.0, 10.0, "on hand"), (T0 + timedelta(days=1), -6.0, 4.0, "delivery of order SO-1")]
    svg = ElementTree.fromstring(stock_svg(history, until=T0 + timedelta(days=3)))
    path = svg.find(f"{SVG}path").get("d").split()
    first, drop = path[0], path[2]
    assert float(drop[1:].split(",")[1]) > float(first[1:].split(",")[1])  # lower balance: further down
    assert [t.text for t in svg.findall(f"{SVG}text[@class='y-tick']")] == ["0", "2", "4", "6", "8", "10"]
    assert [t.text for t in svg.findall(f"{SVG}text[@class='axis-title']")] == [
        "on hand (units)",
        "date (UTC)",
    ]
    tips = [c.find(f"{SVG}title").text for c in svg.findall(f"{SVG}circle")]
    assert tips[1].endswith("-6 → 4 (delivery of order SO-1)")


def test_nice_ticks_are_round_and_cover_the_range():
    assert nice_ticks(0, 1234) == [0, 500, 1000, 1500]
    assert nice_ticks(-35, 80) == [-50, 0, 50, 100]
    assert nice_ticks(0, 7) == [0, 2, 4, 6, 8]


def test_a_promise_that_moved_later_is_reported_with_its_hours():
    before = {
        "confirmations": [{"order_id": "SO-1", "status": "confirmed", "promised_at": "2026-11-23T12:00:00Z"}]
    }
    after = {
        "confirmations": [{"order_id": "SO-1", "status": "confirmed", "promised_at": "2026-11-24T00:00:00Z"}]
    }
    assert plan_changes(before, after)["orders"] == [
        {
            "order": "SO-1",
            "was": "2026-11-23T12:00:00Z",
            "now": "2026-11-24T00:00:00Z",
            "hours": 12.0,
            "direction": "later",
            "broken": True,
        }
    ]


def test_proposals_are_compared_by_what_they_are_not_by_their_ids():
    purchase = {"supplier": "S", "sku": "A", "location": "W", "qty": 5, "receive_at": "2026-11-25T00:00:00Z"}
    before = {"procurement": [dict(purchase, id="PO-P1")]}
    after = {"procurement": [dict(purchase, id="PO-P7"), dict(purchase, id="PO-P8", qty=9)]}
    diff = plan_changes(before, after)["purchases"]
    assert [p["id"] for p in diff["new"]] == ["PO-P8"] and diff["removed"] == []


def example(name: str) -> dict:
    return json.loads((CASES / name).read_text())


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.json")))
def test_the_cost_split_adds_up_to_the_planners_own_cost(name):
    snapshot = example(name)["snapshot"]
    plan = solve(snapshot, time_limit_s=10)
    split = cost_split(snapshot, plan)
    parts = ("service", "purchasing", "production", "freight", "holding")
    assert split["total"] == pytest.approx(plan["solver"]["objective"], abs=0.01)
    assert sum(split[part] for part in parts) == pytest.approx(split["total"], abs=0.03)


def test_the_supply_chain_of_a_made_to_order_promise_reaches_its_production():
    snapshot = example("06_made_to_order.json")["snapshot"]
    plan = solve(snapshot, time_limit_s=10)
    order = snapshot["orders"][0]["id"]
    text = json.dumps(supply_chain(plan, snapshot, order))
    assert "production" in text
    sku, location = (
        plan["production"][0]["sku"],
        next(r["location"] for r in snapshot["resources"] if r["code"] == plan["production"][0]["resource"]),
    )
    balances = [b for _, b in stock_projection(snapshot, plan, sku=sku, location=location)]
    assert min(balances) >= 0
