"""How one purchase order line's receipt is split by what its supplier confirmed and shipped (pure)."""

from datetime import UTC, datetime
from decimal import Decimal

from planning.runs.changes import moved_receipts
from suppliers.receipts import line_receipts

ROW = {"ref": "PO-55/1", "sku": "BRD", "location": "PL-T", "qty": 70, "arrive_at": "2026-12-20T08:00:00Z"}
D1, D2 = datetime(2026, 12, 22, tzinfo=UTC), datetime(2026, 12, 27, tzinfo=UTC)


def test_what_was_received_and_shipped_is_taken_from_the_earliest_confirmed_deliveries():
    # 100 ordered, 30 received (70 open), 20 on a ship notice: 50 still to come of the 40 + 60 confirmed
    schedule = (Decimal(30), [(Decimal(40), D1), (Decimal(60), D2)])
    shipments = [("ASN-7", Decimal(20), datetime(2026, 12, 21, tzinfo=UTC))]
    rows = line_receipts(dict(ROW), schedule, shipments, True)
    assert [(r["ref"], r["qty"], r["arrive_at"]) for r in rows] == [
        ("PO-55/1@ASN-7", 20, "2026-12-21T00:00:00Z"),
        ("PO-55/1", 50, "2026-12-27T00:00:00Z"),
    ]


def test_an_unconfirmed_line_keeps_its_date_for_what_is_not_shipped_and_is_flagged():
    rows = line_receipts(dict(ROW), None, [("ASN-7", Decimal(100), D1)], False)
    assert [(r["ref"], r["qty"]) for r in rows] == [("PO-55/1@ASN-7", 70)]  # never more than is open
    rows = line_receipts(dict(ROW), None, [("ASN-7", Decimal(10), D1)], False)
    assert rows[1] == ROW | {"qty": 60, "unconfirmed": True}


def test_moved_receipts_compare_the_last_arrival_of_each_document_line():
    before = {"receipts": [ROW, ROW | {"ref": "SH-1/1"}]}
    after = {
        "receipts": [ROW | {"ref": "PO-55/1#2", "arrive_at": "2026-12-23T08:00:00Z"}, ROW | {"ref": "SH-1/1"}]
    }
    assert moved_receipts(before, after) == [
        {"ref": "PO-55/1", "was": ROW["arrive_at"], "now": "2026-12-23T08:00:00Z", "hours": 72.0}
    ]
