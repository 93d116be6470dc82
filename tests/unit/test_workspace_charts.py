"""The workspace's SVG charts, plan comparison and cost split, as pure functions."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest

from planning.runs.changes import plan_changes, supply_chain
from planning.runs.costs import cost_split, stock_projection
from planning.solver import solve
from planning.web.charts import Bar, gantt_svg, stock_svg

T0 = datetime(2026, 11, 22, 8, tzinfo=UTC)
CASES = Path(__file__).parent / "solver" / "cases"  # takt's own example cases


def test_a_gantt_draws_one_row_per_resource_and_a_bar_per_order_in_time_order():
    bars = [
        Bar("L1", T0, T0 + timedelta(days=1), "MO-1", "production"),
        Bar("L2", T0 + timedelta(days=1), T0 + timedelta(days=3), "MO-2", "production"),
        Bar("L1", T0 + timedelta(days=2), T0 + timedelta(days=3), "MO-3", "production"),
    ]
    svg = ElementTree.fromstring(gantt_svg(bars))
    rects = svg.findall("{http://www.w3.org/2000/svg}rect")
    assert len(rects) == 3
    xs = [float(r.get("x")) for r in rects]
    ys = [float(r.get("y")) for r in rects]
    assert xs[0] < xs[1] < xs[2] and ys[0] == ys[2] != ys[1]
    assert "MO-2" in rects[1].find("{http://www.w3.org/2000/svg}title").text


def test_a_gantt_of_nothing_says_so():
    assert "Nothing planned" in gantt_svg([])


def test_the_stock_chart_steps_down_when_stock_leaves():
    points = [(T0, 10.0), (T0 + timedelta(days=1), 4.0)]
    svg = ElementTree.fromstring(stock_svg(points, until=T0 + timedelta(days=3)))
    path = svg.find("{http://www.w3.org/2000/svg}path").get("d").split()
    first, drop = path[0], path[2]
    assert float(drop[1:].split(",")[1]) > float(first[1:].split(",")[1])  # lower balance: further down


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
