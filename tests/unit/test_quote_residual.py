"""The residual of a plan (what it leaves free) and a quote against it, without Flask or a database."""

from planning.runs.changes import plan_changes
from planning.solver.contract import DAY, HOUR, parse_snapshot, parse_time
from quotes import quoting, residual

START = "2026-12-01T00:00:00Z"


def _snapshot(**extra) -> dict:
    snapshot = {
        "contract": "supply-plan/1",
        "plan_start": START,
        "horizon_days": 30,
        "policy": {
            "priority_weights": {"1": 10, "2": 1},
            "lateness_cost_per_day": 50,
            "unserved_penalty": 100000,
            "broken_promise_penalty": 2000,
        },
        "items": [{"sku": "A"}, {"sku": "C"}],
        "regions": [{"code": "r"}],
        "locations": [
            {"code": "W", "kind": "warehouse", "region": "r"},
            {"code": "P", "kind": "plant", "region": "r"},
        ],
        "stock": [
            {"sku": "A", "location": "W", "on_hand": 10},
            {"sku": "C", "location": "P", "on_hand": 100},
        ],
        "receipts": [
            {"ref": "R1", "sku": "A", "location": "W", "qty": 5, "arrive_at": "2026-12-03T00:00:00Z"}
        ],
        "suppliers": [],
        "supply_offers": [],
        "resources": [
            {
                "code": "L",
                "location": "P",
                "hours_per_day": 8,
                "calendar": [{"date": "2026-12-01", "hours": 0}],
            }
        ],
        "routes": [
            {
                "sku": "A",
                "resource": "L",
                "hours_per_unit": 1,
                "lead_time_hours": 24,
                "unit_cost": 1,
                "components": [{"sku": "C", "qty_per": 1}],
            }
        ],
        "lanes": [
            {"from": "W", "to": "r", "mode": "truck", "transit_hours": 4, "unit_cost": 1},
            {
                "from": "P",
                "to": "W",
                "mode": "rail",
                "transit_hours": 12,
                "unit_cost": 1,
                "capacity_per_day": 50,
            },
        ],
        "orders": [
            {
                "id": "SO-1",
                "region": "r",
                "created_at": START,
                "requested_at": START,
                "priority": 2,
                "lines": [{"line": "1", "sku": "A", "qty": 8}],
            }
        ],
    }
    return snapshot | extra


PLAN = {
    "confirmations": [
        {
            "order_id": "SO-1",
            "status": "confirmed",
            "promised_at": "2026-12-01T04:00:00Z",
            "lines": [
                {
                    "line": "1",
                    "sku": "A",
                    "qty": 8,
                    "deliveries": [
                        {
                            "qty": 8,
                            "from": "W",
                            "mode": "truck",
                            "depart_at": START,
                            "arrive_at": "2026-12-01T04:00:00Z",
                        }
                    ],
                }
            ],
        }
    ],
    "production": [
        {
            "id": "M1",
            "resource": "L",
            "sku": "A",
            "qty": 6,
            "start_at": "2026-12-02T00:00:00Z",
            "end_at": "2026-12-03T00:00:00Z",
        }
    ],
    "transfers": [
        {
            "id": "T1",
            "from": "P",
            "to": "W",
            "mode": "rail",
            "sku": "A",
            "qty": 6,
            "depart_at": "2026-12-03T00:00:00Z",
            "arrive_at": "2026-12-03T12:00:00Z",
        }
    ],
}


def _residual():
    snap = parse_snapshot(_snapshot())
    return snap, residual.load_ledger(snap, residual.document(residual.build_ledger(snap, PLAN)))


def test_the_residual_is_free_stock_after_the_plan_with_its_unpegged_receipts():
    snap, ledger = _residual()
    start = snap.plan_start
    assert ledger.line("A", "W").takeable(start) == 2  # 10 on hand, 8 delivered
    assert ledger.line("A", "W").takeable(start + 2 * DAY) == 7  # + the receipt of 5
    assert ledger.line("A", "W").takeable(parse_time("2026-12-03T12:00:00Z")) == 13  # + the transfer
    assert ledger.line("C", "P").takeable(start) == 94  # 6 components taken by the production


def test_the_residual_keeps_spare_line_hours_by_calendar_and_lane_capacity():
    snap, ledger = _residual()
    day2 = parse_time("2026-12-02T00:00:00Z")
    assert ledger.room(("resource", "L"), day2, snap.resources["L"].hours_on(day2 // DAY)) == 2
    assert snap.resources["L"].hours_on(snap.plan_start // DAY) == 0  # closed on the first day
    assert ledger.room(("lane", "P", "W", "rail"), day2 + DAY, 50) == 44


def test_a_quote_uses_what_is_left_and_says_so_in_the_run_s_words():
    snap, ledger = _residual()
    order = quoting.prospective_order(
        region="r",
        requested_at=snap.plan_start,
        priority=2,
        weight=1,
        ship_complete=True,
        lines=[("1", "A", 2)],
    )
    quote = quoting.quote_order(snap, ledger, order, now=snap.plan_start)
    assert quote.answer["promised_at"] == "2026-12-01T04:00:00Z"
    assert (
        quote.answer["explanation"]
        == "2 A on hand at W; truck from W to r takes 4 h; 4 h after the requested time"
    )
    ledger.rollback(0)
    bigger = quoting.prospective_order(
        region="r",
        requested_at=snap.plan_start,
        priority=2,
        weight=1,
        ship_complete=True,
        lines=[("1", "A", 7)],
    )
    later = quoting.quote_order(snap, ledger, bigger, now=snap.plan_start)
    assert later.answer["reason"] == "receipt"  # the receipt of 5 the plan left unpegged
    assert later.answer["promised_at"] == "2026-12-03T04:00:00Z"


def test_held_entries_and_movements_replay_on_another_copy_of_the_residual():
    snap, ledger = _residual()
    order = quoting.prospective_order(
        region="r",
        requested_at=snap.plan_start,
        priority=2,
        weight=1,
        ship_complete=True,
        lines=[("1", "A", 2)],
    )
    held = residual.entries(quoting.quote_order(snap, ledger, order, now=snap.plan_start).journal)
    _, other = _residual()
    residual.apply(other, held)
    assert other.line("A", "W").takeable(snap.plan_start) == 0
    residual.apply(other, residual.movement_entries([("A", "W", 3.0)], snap.plan_start + HOUR))
    assert other.line("A", "W").takeable(snap.plan_start + HOUR) == 3


def test_a_quoted_promise_the_next_plan_breaks_shows_in_the_changes():
    snapshot = {"orders": [{"id": "SO-9", "confirmed_promise_at": "2026-12-02T00:00:00Z"}]}
    current = {
        "confirmations": [{"order_id": "SO-9", "status": "confirmed", "promised_at": "2026-12-03T00:00:00Z"}]
    }
    [moved] = plan_changes({"confirmations": []}, current, snapshot=snapshot)["orders"]
    assert (moved["order"], moved["hours"], moved["broken"]) == ("SO-9", 24.0, True)
    kept = {
        "confirmations": [{"order_id": "SO-9", "status": "confirmed", "promised_at": "2026-12-01T20:00:00Z"}]
    }
    assert plan_changes({"confirmations": []}, kept, snapshot=snapshot)["orders"][0]["broken"] is False


def test_each_instant_shares_the_snapshot_s_lookups_built_once():
    snap, _ = _residual()
    first = quoting.at_instant(snap, snap.plan_start + HOUR)
    second = quoting.at_instant(snap, snap.plan_start + 2 * HOUR)
    assert (first.plan_start, second.plan_start) == (snap.plan_start + HOUR, snap.plan_start + 2 * HOUR)
    assert first.orders == () and first.offers_at("A", "W") == snap.offers_at("A", "W")
    for name in ("_offers", "_routes", "_lanes_to", "sourced_skus"):
        assert first.__dict__[name] is second.__dict__[name] is snap.__dict__[name]
