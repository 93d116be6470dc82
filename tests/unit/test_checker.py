"""takt's plan checker on hand-built snapshots and plans: a valid plan costs what the contract's arithmetic
says, each rule broken is reported under its number, a malformed snapshot is refused naming the field."""

from __future__ import annotations

import json

import pytest

from planning.__main__ import main
from planning.checker import SnapshotError, check_snapshot, verify
from planning.solver import solve, solve_baseline
from tests.unit.solver.conftest import order, plant_snapshot, snapshot

START = "2026-11-23T00:00:00Z"


def at(day: int, hour: float = 0) -> str:
    """`START` plus `day` days and `hour` hours, as the contract writes times."""
    minutes = round(hour * 60)
    return f"2026-11-{23 + day:02d}T{minutes // 60:02d}:{minutes % 60:02d}:00Z"


def plan(*confirmations, **sections) -> dict:
    return {
        "contract": "supply-plan/1",
        "plan_start": START,
        "confirmations": list(confirmations),
        "procurement": [],
        "production": [],
        "transfers": [],
        **sections,
    }


def delivery(qty: float, depart: str, arrive: str, origin: str = "WH-N", mode: str = "truck") -> dict:
    return {"qty": qty, "from": origin, "mode": mode, "depart_at": depart, "arrive_at": arrive}


def confirmed(order_id: str, promised: str, *deliveries: dict, qty: float = 10, sku: str = "NB-14") -> dict:
    line = {"line": "1", "sku": sku, "qty": qty, "deliveries": list(deliveries)}
    return {"order_id": order_id, "status": "confirmed", "promised_at": promised, "lines": [line]}


def unconfirmed(order_id: str) -> dict:
    return {"order_id": order_id, "status": "unconfirmed", "promised_at": None, "lines": []}


def on_hand(qty: float, sku: str = "NB-14", location: str = "WH-N") -> list[dict]:
    return [{"sku": sku, "location": location, "on_hand": qty}]


def broken(report: dict) -> set[int]:
    """The rules a report says the plan breaks."""
    assert not report["valid"]
    return {v["rule"] for v in report["violations"]}


def from_stock(**sections) -> dict:
    """20 NB-14 at WH-N and order SO-1 for 10 (priority 2: weight 10), wanted at START in north."""
    return snapshot(**{"stock": on_hand(20), "orders": [order("SO-1")], **sections})


def shipped_at_start() -> dict:
    return plan(confirmed("SO-1", at(0, 6), delivery(10, at(0), at(0, 6))))


# -- a valid plan and its cost -------------------------------------------------------------------------------


def test_a_plan_from_stock_is_valid_and_costs_what_the_contract_adds_up():
    report = verify(from_stock(), shipped_at_start())
    assert report["valid"], report["violations"]
    cost = report["cost"]
    # 6 h late = 0.25 day x 50 x weight 10; 10 units x 1.0 freight; 10 units left at WH-N x 30 days x 0.01
    assert cost["lateness"] == pytest.approx(125)
    assert cost["freight"] == pytest.approx(10)
    assert cost["holding"] == pytest.approx(3)
    assert (cost["unserved"], cost["broken_promises"], cost["purchasing"], cost["production"]) == (0, 0, 0, 0)
    assert cost["service"] == pytest.approx(125) and cost["supply"] == pytest.approx(10)
    assert cost["total"] == pytest.approx(138)
    assert report["kpis"] == {
        "orders": 1,
        "confirmed": 1,
        "unconfirmed": 0,
        "on_time": 0,
        "late": 1,
        "broken_promises": 0,
        "mean_late_days": 0.25,
    }


def test_goods_on_the_road_are_not_held_and_an_overdue_receipt_counts_from_plan_start():
    snap = snapshot(
        locations=[
            {"code": "WH-N", "kind": "warehouse", "region": "north"},
            {"code": "WH-S", "kind": "warehouse", "region": "east"},
        ],
        lanes=[{"from": "WH-S", "to": "WH-N", "mode": "rail", "transit_hours": 24, "unit_cost": 0.5}],
        receipts=[
            {
                "ref": "PO-OLD",
                "sku": "NB-14",
                "location": "WH-S",
                "qty": 10,
                "arrive_at": "2026-11-20T00:00:00Z",
            },
            {
                "ref": "PO-LATE",
                "sku": "NB-14",
                "location": "WH-S",
                "qty": 99,
                "arrive_at": "2027-02-01T00:00:00Z",
            },
        ],
    )
    transfer = {"id": "TR-1", "from": "WH-S", "to": "WH-N", "mode": "rail", "sku": "NB-14", "qty": 10}
    report = verify(snap, plan(transfers=[transfer | {"depart_at": at(0), "arrive_at": at(1)}]))
    assert report["valid"], report["violations"]
    # held 29 of 30 days at WH-N; the receipt beyond the horizon is not stock at all
    assert report["cost"]["holding"] == pytest.approx(10 * 0.01 * 29)
    assert report["cost"]["total"] == pytest.approx(2.9 + 5)


def test_a_made_to_order_plan_is_valid_with_its_hand_computed_cost():
    snap = plant_snapshot([order("SO-1", region="east")], hours_per_unit=0.5, setup_hours=1, setup_cost=30)
    mo = {"id": "MO-1", "resource": "L1", "sku": "NB-14", "qty": 10, "start_at": at(0), "end_at": at(1)}
    shipped = confirmed("SO-1", at(1, 12), delivery(10, at(1), at(1, 12), origin="PL-E"))
    report = verify(snap, plan(shipped, production=[mo]))
    assert report["valid"], report["violations"]
    # 1.5 days late x 50 x 10; 10 units x 1 + setup 30; freight 10 x 1; PART holds at no cost
    assert report["cost"]["production"] == pytest.approx(40)
    assert report["cost"]["total"] == pytest.approx(750 + 40 + 10)


def test_a_partial_order_is_late_by_the_quantity_weighted_mean_of_its_deliveries():
    snap = from_stock(
        stock=on_hand(4),
        receipts=[{"ref": "R", "sku": "NB-14", "location": "WH-N", "qty": 6, "arrive_at": at(1, 18)}],
    )
    snap["orders"][0]["ship_complete"] = False
    now, later = delivery(4, at(0), at(0, 6)), delivery(6, at(1, 18), at(2))
    report = verify(snap, plan(confirmed("SO-1", at(2), now, later)))
    assert report["valid"], report["violations"]
    lateness = (4 * 0.25 + 6 * 2) / 10
    assert report["cost"]["lateness"] == pytest.approx(10 * 50 * lateness)


def test_an_unconfirmed_order_pays_the_unserved_penalty_and_breaks_its_earlier_promise():
    snap = snapshot(orders=[order("SO-1", promised=at(1)), order("SO-2", priority=3)])
    report = verify(snap, plan(unconfirmed("SO-1"), unconfirmed("SO-2")))
    assert report["valid"], report["violations"]
    assert report["cost"]["unserved"] == pytest.approx(10 * 100000 + 1 * 100000)
    assert report["cost"]["broken_promises"] == pytest.approx(10 * 2000)
    assert report["kpis"]["unconfirmed"] == 2 and report["kpis"]["broken_promises"] == 1


def test_a_promise_later_than_the_one_given_is_broken_and_one_kept_is_not():
    kept = verify(from_stock(orders=[order("SO-1", promised=at(0, 6))]), shipped_at_start())
    late = verify(from_stock(orders=[order("SO-1", promised=at(0, 5))]), shipped_at_start())
    assert kept["cost"]["broken_promises"] == 0 and kept["kpis"]["broken_promises"] == 0
    assert late["cost"]["broken_promises"] == pytest.approx(10 * 2000)
    assert late["cost"]["total"] == pytest.approx(kept["cost"]["total"] + 10 * 2000)


# -- each rule broken ----------------------------------------------------------------------------------------


def test_rule_1_the_plan_must_refer_to_the_snapshot():
    snap = from_stock()
    assert broken(verify(snap, shipped_at_start() | {"contract": "supply-plan/0"})) == {1}
    assert broken(verify(snap, shipped_at_start() | {"plan_start": at(1)})) == {1}
    beyond = plan(confirmed("SO-1", at(40, 6), delivery(10, at(40), at(40, 6))))
    assert 1 in broken(verify(snap, beyond))
    nowhere = plan(confirmed("SO-1", at(0, 6), delivery(10, at(0), at(0, 6), origin="WH-X")))
    assert 1 in broken(verify(snap, nowhere))
    stranger = shipped_at_start()
    stranger["confirmations"].append(unconfirmed("SO-404"))
    assert broken(verify(snap, stranger)) == {1}


def test_rule_1_a_quantity_must_be_positive_and_a_plan_of_the_wrong_shape_is_reported_not_raised():
    snap = from_stock()
    nothing = plan(confirmed("SO-1", at(0, 6), delivery(0, at(0), at(0, 6)), delivery(10, at(0), at(0, 6))))
    assert broken(verify(snap, nothing)) == {1}
    assert 1 in broken(verify(snap, plan(transfers={"not": "a list"})))
    assert 1 in broken(verify(snap, ["not", "a", "plan"]))


def test_rule_2_every_order_once_with_every_line_delivered_in_full():
    snap = from_stock()
    assert broken(verify(snap, plan())) == {2}
    twice = plan(shipped_at_start()["confirmations"][0], unconfirmed("SO-1"))
    assert broken(verify(snap, twice)) == {2}
    short = plan(confirmed("SO-1", at(0, 6), delivery(7, at(0), at(0, 6))))
    assert broken(verify(snap, short)) == {2}
    wrong_line = shipped_at_start()
    wrong_line["confirmations"][0]["lines"][0]["line"] = "9"
    assert broken(verify(snap, wrong_line)) == {2}
    bad_status = plan(shipped_at_start()["confirmations"][0] | {"status": "maybe"})
    assert broken(verify(snap, bad_status)) == {2}


def test_rule_2_no_delivery_before_the_customer_wants_it_and_the_promise_is_the_last_arrival():
    snap = from_stock(orders=[order("SO-1", requested=at(1))])
    assert broken(verify(snap, shipped_at_start())) == {2}
    too_soon = plan(confirmed("SO-1", at(0, 5), delivery(10, at(0), at(0, 6))))
    assert broken(verify(from_stock(), too_soon)) == {2}


def test_rule_2_a_ship_complete_order_arrives_all_at_once_and_an_unconfirmed_one_ships_nothing():
    split = plan(confirmed("SO-1", at(1), delivery(5, at(0), at(0, 6)), delivery(5, at(0, 18), at(1))))
    assert broken(verify(from_stock(), split)) == {2}
    snap = from_stock()
    snap["orders"][0]["ship_complete"] = False
    assert verify(snap, split)["valid"]
    shipping = shipped_at_start()["confirmations"][0] | {"status": "unconfirmed"}
    assert broken(verify(from_stock(), plan(shipping))) == {2}


def purchasing_snapshot(**terms) -> dict:
    offer = {"supplier": "SUP-A", "sku": "NB-14", "location": "WH-N", "lead_time_hours": 72, "unit_cost": 20}
    return snapshot(supply_offers=[offer | terms])


def po(
    qty: float, order_at: str = START, receive_at: str = at(3), supplier: str = "SUP-A", ident="PO-1"
) -> dict:
    return {
        "id": ident,
        "supplier": supplier,
        "sku": "NB-14",
        "location": "WH-N",
        "qty": qty,
        "order_at": order_at,
        "receive_at": receive_at,
    }


def test_rule_3_a_purchase_keeps_its_offer():
    snap = purchasing_snapshot(min_qty=25, multiple=20, order_cost=10, capacity_per_day=50)
    report = verify(snap, plan(procurement=[po(40)]))
    assert report["valid"], report["violations"]
    assert report["cost"]["purchasing"] == pytest.approx(40 * 20 + 10)
    later = verify(snap, plan(procurement=[po(40, receive_at=at(5))]))
    assert later["valid"], "a purchase order may ask for delivery later than the lead time"
    assert broken(verify(snap, plan(procurement=[po(40, receive_at=at(2, 23))]))) == {3}
    assert broken(verify(snap, plan(procurement=[po(20)]))) == {3}
    assert broken(verify(snap, plan(procurement=[po(50)]))) == {3}
    assert broken(verify(snap, plan(procurement=[po(40, supplier="SUP-B")]))) == {3}
    assert broken(verify(snap, plan(procurement=[po(40, supplier="SUP-Z")]))) == {1}


def test_rule_3_the_quantity_received_a_day_is_within_the_offer_capacity():
    snap = purchasing_snapshot(capacity_per_day=50)
    same_day = [po(30, receive_at=at(3)), po(30, receive_at=at(3, 20), ident="PO-2")]
    assert broken(verify(snap, plan(procurement=same_day))) == {3}
    next_day = [po(30, receive_at=at(3)), po(30, receive_at=at(4), ident="PO-2")]
    assert verify(snap, plan(procurement=next_day))["valid"]


def made(
    qty: float, start: str = START, end: str | None = None, ident: str = "MO-1", sku: str = "NB-14"
) -> dict:
    start_day = int(start[8:10]) - 23
    return {
        "id": ident,
        "resource": "L1",
        "sku": sku,
        "qty": qty,
        "start_at": start,
        "end_at": end or at(start_day + 1, int(start[11:13])),
    }


def line_snapshot(*calendar: tuple[str, float]) -> dict:
    """Line L1 (8 h a day) makes NB-14 in 0.5 h a unit plus a 1 h setup per production order."""
    snap = plant_snapshot([], hours_per_unit=0.5, setup_hours=1)
    snap["resources"][0]["calendar"] = [{"date": day, "hours": hours} for day, hours in calendar]
    return snap


def test_rule_4_a_line_works_its_hours_a_day_setups_included():
    snap = line_snapshot()
    assert verify(snap, plan(production=[made(14)]))["valid"], "7 h of work and 1 h of setup fill 8 h"
    assert broken(verify(snap, plan(production=[made(15)]))) == {4}
    two = [made(7), made(6, start=at(0, 10), ident="MO-2")]
    assert broken(verify(snap, plan(production=two))) == {4}, "13 units and two setups take 8.5 h"
    other_days = [made(6), made(6, start=at(1), ident="MO-2")]
    assert verify(snap, plan(production=other_days))["valid"]


def test_rule_4_a_closed_calendar_day_takes_nothing_and_an_extra_shift_takes_more():
    snap = line_snapshot(("2026-11-23", 0), ("2026-11-24", 16))
    assert broken(verify(snap, plan(production=[made(1)]))) == {4}
    assert verify(snap, plan(production=[made(30, start=at(1))]))["valid"], "15 h + 1 h setup on a 16 h day"
    assert broken(verify(snap, plan(production=[made(31, start=at(1))]))) == {4}


def test_rule_4_a_production_order_lasts_its_route_lead_time_on_a_route_that_exists():
    snap = line_snapshot()
    assert broken(verify(snap, plan(production=[made(4, end=at(2))]))) == {4}
    assert broken(verify(snap, plan(production=[made(4, sku="PART")]))) == {4}


def test_rule_5_movement_uses_an_existing_lane_for_exactly_its_transit():
    snap = from_stock()
    by_air = plan(confirmed("SO-1", at(0, 6), delivery(10, at(0), at(0, 6), mode="air")))
    assert broken(verify(snap, by_air)) == {5}
    faster = plan(confirmed("SO-1", at(0, 4), delivery(10, at(0), at(0, 4))))
    assert broken(verify(snap, faster)) == {5}
    waits_on_the_road = plan(confirmed("SO-1", at(1), delivery(10, at(0), at(1))))
    assert broken(verify(snap, waits_on_the_road)) == {5}


def test_rule_5_the_quantity_departing_a_lane_a_day_is_within_its_capacity():
    lanes = [
        {
            "from": "WH-N",
            "to": "north",
            "mode": "truck",
            "transit_hours": 6,
            "unit_cost": 1,
            "capacity_per_day": 15,
        }
    ]
    snap = from_stock(orders=[order("SO-1"), order("SO-2")], lanes=lanes)
    same_day = plan(*(confirmed(o, at(0, 6), delivery(10, at(0), at(0, 6))) for o in ("SO-1", "SO-2")))
    assert broken(verify(snap, same_day)) == {5}
    second = confirmed("SO-2", at(1, 6), delivery(10, at(1), at(1, 6)))
    assert verify(snap, plan(shipped_at_start()["confirmations"][0], second))["valid"]


def test_rule_6_stock_that_is_not_there_cannot_be_shipped():
    report = verify(from_stock(stock=on_hand(9)), shipped_at_start())
    assert broken(report) == {6}
    assert report["violations"][0]["id"] == "NB-14 at WH-N"
    assert broken(verify(from_stock(stock=[]), shipped_at_start())) == {6}


def test_rule_6_goods_leave_only_after_they_arrive_and_an_arrival_counts_before_a_departure_at_one_instant():
    receipt = {"ref": "PO-9", "sku": "NB-14", "location": "WH-N", "qty": 10, "arrive_at": at(1)}
    snap = from_stock(stock=[], receipts=[receipt])
    before = plan(confirmed("SO-1", at(0, 18), delivery(10, at(0, 12), at(0, 18))))
    assert broken(verify(snap, before)) == {6}
    same_instant = plan(confirmed("SO-1", at(1, 6), delivery(10, at(1), at(1, 6))))
    assert verify(snap, same_instant)["valid"]


def test_rule_6_production_takes_its_components_when_it_starts():
    snap = line_snapshot()
    snap["resources"][0]["hours_per_day"] = 200
    assert broken(verify(snap, plan(production=[made(101)]))) == {6}, "100 PART on hand"
    shipped = confirmed("SO-1", at(0, 12), delivery(10, at(0), at(0, 12), origin="PL-E"))
    snap["orders"] = [order("SO-1", region="east")]
    assert broken(verify(snap, plan(shipped, production=[made(10)]))) == {6}, (
        "made by day 1, shipped at day 0"
    )


# -- the planner's own plans ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "snap",
    [
        from_stock(orders=[order("SO-1"), order("SO-2", 15, priority=1)]),
        purchasing_snapshot(min_qty=25, multiple=20, order_cost=10) | {"orders": [order("SO-1", 7)]},
        plant_snapshot(
            [order("SO-1", 30, region="east"), order("SO-2", 20, region="east", priority=1)],
            hours_per_unit=0.2,
        ),
    ],
    ids=["stock", "purchase", "production"],
)
def test_the_planners_plans_are_valid_and_cost_what_the_planner_says(snap):
    planned = solve(snap, time_limit_s=5)
    report = verify(snap, planned)
    assert report["valid"], report["violations"]
    assert report["cost"]["total"] == pytest.approx(planned["solver"]["objective"], rel=1e-6)
    baseline = verify(snap, solve_baseline(snap))
    assert baseline["valid"], baseline["violations"]
    assert report["cost"]["total"] <= baseline["cost"]["total"] + 1e-6


# -- malformed snapshots -------------------------------------------------------------------------------------


def test_a_well_formed_snapshot_has_no_errors():
    assert check_snapshot(from_stock()) == []
    assert check_snapshot(line_snapshot(("2026-12-25", 0))) == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda s: s.pop("orders"), "orders: must be a list"),
        (
            lambda s: s.update(contract="supply-plan/2"),
            "contract: must be 'supply-plan/1' (got 'supply-plan/2')",
        ),
        (
            lambda s: s.update(plan_start="2026-11-23T00:00:00"),
            "plan_start: must be an ISO 8601 time with a UTC",
        ),
        (lambda s: s.update(horizon_days=0), "horizon_days: must be a number > 0 (got 0)"),
        (lambda s: s["policy"].pop("unserved_penalty"), "policy.unserved_penalty: required, absent"),
        (
            lambda s: s["policy"]["priority_weights"].update({"4": -1}),
            "policy.priority_weights['4']: must be",
        ),
        (
            lambda s: s["lanes"][0].update(transit_hours=-1),
            "lanes[0].transit_hours: must be a number >= 0 (got -1)",
        ),
        (
            lambda s: s["lanes"][0].update(to="south"),
            "lanes[0].to: must be a code of destinations (got 'south')",
        ),
        (lambda s: s["stock"][0].update(location="WH-X"), "stock[0].location: must be a code of locations"),
        (
            lambda s: s["orders"][0].update(priority=7),
            "orders[0].priority: must be a priority of policy.priority_",
        ),
        (lambda s: s["orders"][0].update(lines=[]), "orders[0].lines: must be a non-empty list"),
        (lambda s: s["orders"][0]["lines"][0].update(qty=0), "orders[0].lines[0].qty: must be a number > 0"),
        (lambda s: s["orders"][0].update(ship_complete="yes"), "orders[0].ship_complete: must be a boolean"),
        (
            lambda s: s["orders"].append(dict(s["orders"][0])),
            "orders[1]: same (id) as orders[0]; order 'SO-1'",
        ),
        (lambda s: s["lanes"].append(dict(s["lanes"][0])), "lanes[1]: same (from, to, mode) as lanes[0]"),
    ],
)
def test_a_malformed_snapshot_is_refused_naming_the_field(change, error):
    snap = from_stock()
    change(snap)
    errors = check_snapshot(snap)
    assert any(e.startswith(error) for e in errors), errors
    with pytest.raises(SnapshotError) as refused:
        verify(snap, shipped_at_start())
    assert refused.value.errors == errors and isinstance(refused.value, ValueError)


def test_a_bad_calendar_entry_is_named():
    errors = check_snapshot(line_snapshot(("2026-13-01", 8), ("2026-11-24", -2)))
    assert errors == [
        "resources[0].calendar[0].date: must be a YYYY-MM-DD date (got '2026-13-01')",
        "resources[0].calendar[1].hours: must be a number >= 0 (got -2)",
    ]


# -- the command ---------------------------------------------------------------------------------------------


def test_the_verify_command_prints_the_report_and_fails_on_an_invalid_plan(tmp_path, capsys):
    paths = {name: tmp_path / f"{name}.json" for name in ("snapshot", "good", "bad", "malformed")}
    paths["snapshot"].write_text(json.dumps(from_stock()))
    paths["good"].write_text(json.dumps(shipped_at_start()))
    paths["bad"].write_text(json.dumps(plan()))
    paths["malformed"].write_text(json.dumps({"contract": "supply-plan/1"}))
    assert main(["verify", str(paths["snapshot"]), str(paths["good"])]) == 0
    assert capsys.readouterr().out.startswith("valid: cost=138.00")
    assert main(["verify", str(paths["snapshot"]), str(paths["bad"])]) == 1
    assert "rule 2 SO-1: the order has no confirmation" in capsys.readouterr().out
    assert main(["verify", "--json", str(paths["snapshot"]), str(paths["good"])]) == 0
    assert json.loads(capsys.readouterr().out)["cost"]["total"] == pytest.approx(138)
    assert main(["verify", str(paths["malformed"]), str(paths["good"])]) == 2
    assert "plan_start: required, absent" in capsys.readouterr().err
