"""The stock ledger at the service level: every stock change goes through `post_movements`."""

from datetime import timedelta
from decimal import Decimal

import pytest

from core import records
from core.db import referring_rows, utcnow
from core.errors import Conflict, Invalid
from inventory import service
from inventory.models import StockMovement
from tests.factories import balance_of, make_item, make_location, make_user, post, stock_at


def count_rows(session, model) -> int:
    return len(session.scalars(service.select(model)).all())


def test_a_receipt_raises_on_hand_and_writes_one_ledger_entry(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    movement = post("receipt", "SKU-1", "2.5", user_id=user_id, location="WH-1")
    assert balance_of("SKU-1", "WH-1").on_hand == Decimal("12.5")
    [entry] = movement.entries
    assert (entry.delta, entry.balance_after) == (Decimal("2.5"), Decimal("12.5"))


def test_every_movement_records_the_user_who_posted_it(session, user_id):
    stock_at("SKU-1", "WH-1", 1, user_id=user_id)
    other = make_user("warehouse").id
    movement = post("issue", "SKU-1", 1, user_id=other, location="WH-1")
    assert [
        m.created_by_id for m in session.scalars(service.select(StockMovement).order_by(StockMovement.id))
    ] == [
        user_id,
        other,
    ]
    assert movement.created_by_id == other


def test_an_issue_below_zero_is_refused_and_changes_nothing(session, user_id):
    stock_at("SKU-1", "WH-1", 3, user_id=user_id)
    movements_before = count_rows(session, StockMovement)
    with pytest.raises(service.InsufficientStock) as refused:
        post("issue", "SKU-1", 4, user_id=user_id, location="WH-1")
    assert refused.value.message == "issue of 4 SKU-1 at WH-1 would take stock to -1"
    assert balance_of("SKU-1", "WH-1").on_hand == 3
    assert count_rows(session, StockMovement) == movements_before


def test_a_refused_movement_leaves_the_session_usable_for_the_caller(session, user_id):
    stock_at("SKU-1", "WH-1", 3, user_id=user_id)
    with pytest.raises(service.InsufficientStock):
        service.post_movements(
            [
                {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": Decimal(5)},
                {"kind": "issue", "sku": "SKU-1", "location": "WH-1", "quantity": Decimal(9)},
            ],
            user_id=user_id,
        )
    post("issue", "SKU-1", 1, user_id=user_id, location="WH-1")
    assert balance_of("SKU-1", "WH-1").on_hand == 2
    assert service.ledger_sums()[(make_item("SKU-1").id, make_location("WH-1").id)] == 2


def test_an_issue_may_not_eat_reserved_stock(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    service.reserve_stock(
        sku="SKU-1",
        location="WH-1",
        quantity=Decimal(7),
        reference_type="shipment",
        reference="S-1",
        user_id=user_id,
    )
    post("issue", "SKU-1", 3, user_id=user_id, location="WH-1")
    with pytest.raises(service.InsufficientStock) as refused:
        post("issue", "SKU-1", "0.5", user_id=user_id, location="WH-1")
    assert refused.value.message == "issue of 0.5 SKU-1 at WH-1 would use reserved stock (free 0)"
    assert balance_of("SKU-1", "WH-1").on_hand == 7


def test_a_location_that_allows_negative_stock_may_go_below_zero(session, user_id):
    make_item("SKU-1")
    make_location("PL-1", allow_negative_stock=True)
    post("issue", "SKU-1", 4, user_id=user_id, location="PL-1")
    assert balance_of("SKU-1", "PL-1").on_hand == -4


def test_a_transfer_is_an_out_and_in_pair(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    make_location("WH-2")
    movement = post("transfer", "SKU-1", 4, user_id=user_id, from_location="WH-1", to_location="WH-2")
    assert [(e.location.code, e.delta, e.balance_after) for e in movement.entries] == [
        ("WH-1", -4, 6),
        ("WH-2", 4, 4),
    ]


def test_a_refused_transfer_changes_neither_balance(session, user_id):
    stock_at("SKU-1", "WH-1", 2, user_id=user_id)
    stock_at("SKU-1", "WH-2", 5, user_id=user_id)
    with pytest.raises(service.InsufficientStock):
        post("transfer", "SKU-1", 3, user_id=user_id, from_location="WH-1", to_location="WH-2")
    assert (balance_of("SKU-1", "WH-1").on_hand, balance_of("SKU-1", "WH-2").on_hand) == (2, 5)


def test_a_transfer_needs_two_different_locations(session, user_id):
    stock_at("SKU-1", "WH-1", 2, user_id=user_id)
    with pytest.raises(Invalid) as refused:
        post("transfer", "SKU-1", 1, user_id=user_id, from_location="WH-1", to_location="WH-1")
    assert refused.value.errors == {"json": {"to_location": ["a transfer needs two different locations"]}}


def test_a_count_sets_the_balance_and_records_the_difference(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    movement = post("count", "SKU-1", 7, user_id=user_id, location="WH-1")
    assert [(e.delta, e.balance_after) for e in movement.entries] == [(-3, 7)]
    assert balance_of("SKU-1", "WH-1").on_hand == 7


def test_a_count_below_reserved_is_accepted_and_leaves_free_stock_negative(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    service.reserve_stock(
        sku="SKU-1",
        location="WH-1",
        quantity=Decimal(8),
        reference_type="shipment",
        reference="S-1",
        user_id=user_id,
    )
    post("count", "SKU-1", 5, user_id=user_id, location="WH-1")
    assert balance_of("SKU-1", "WH-1").free == -3
    below = session.scalars(service.balances_query(below_zero_free=True)).all()
    assert [(b.item.sku, b.location.code) for b in below] == [("SKU-1", "WH-1")]


def test_an_adjustment_is_a_signed_change(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    post("adjustment", "SKU-1", -2, user_id=user_id, location="WH-1")
    post("adjustment", "SKU-1", "0.25", user_id=user_id, location="WH-1")
    assert balance_of("SKU-1", "WH-1").on_hand == Decimal("8.25")


def test_a_batch_applies_in_order_so_a_receipt_can_feed_a_later_issue(session, user_id):
    make_item("SKU-1")
    make_location("WH-1")
    service.post_movements(
        [
            {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": Decimal(5)},
            {"kind": "issue", "sku": "SKU-1", "location": "WH-1", "quantity": Decimal(5)},
        ],
        user_id=user_id,
    )
    assert balance_of("SKU-1", "WH-1").on_hand == 0


def test_a_batch_with_an_unknown_sku_names_the_movement_and_posts_nothing(session, user_id):
    make_item("SKU-1")
    make_location("WH-1")
    with pytest.raises(Invalid) as refused:
        service.post_movements(
            [
                {"kind": "receipt", "sku": "SKU-1", "location": "WH-1", "quantity": Decimal(5)},
                {"kind": "receipt", "sku": "NOPE", "location": "WH-1", "quantity": Decimal(5)},
            ],
            user_id=user_id,
        )
    assert refused.value.errors == {"json": {"movements[1].sku": ["unknown sku 'NOPE'"]}}
    assert count_rows(session, StockMovement) == 0


def test_every_balance_equals_the_sum_of_its_ledger_entries(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    stock_at("SKU-2", "WH-2", 4, user_id=user_id)
    post("transfer", "SKU-1", 3, user_id=user_id, from_location="WH-1", to_location="WH-2")
    post("count", "SKU-2", 9, user_id=user_id, location="WH-2")
    post("adjustment", "SKU-1", -1, user_id=user_id, location="WH-2")
    balances = session.scalars(service.balances_query()).all()
    assert {(b.item_id, b.location_id): b.on_hand for b in balances} == service.ledger_sums()


def test_stock_as_of_a_past_instant_sums_the_ledger_up_to_it(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    between = utcnow()
    later = post("issue", "SKU-1", 4, user_id=user_id, location="WH-1")
    for entry in later.entries:  # the ledger is append-only; only a test may move time
        entry.created_at = between + timedelta(seconds=1)
    session.flush()
    assert service.stock_as_of(between) == [{"sku": "SKU-1", "location": "WH-1", "on_hand": 10}]
    assert service.stock_as_of(between + timedelta(seconds=2), sku="SKU-1")[0]["on_hand"] == 6
    assert service.stock_as_of(between - timedelta(days=1)) == []


def test_the_ledger_is_newest_first_and_filters_by_sku_location_kind_and_reference(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    stock_at("SKU-2", "WH-1", 10, user_id=user_id)
    make_location("WH-2")
    post("transfer", "SKU-1", 2, user_id=user_id, from_location="WH-1", to_location="WH-2")
    service.post_movement(
        kind="issue", sku="SKU-2", location="WH-1", quantity=Decimal(1), reference="SO-9", user_id=user_id
    )

    def ledger(**filters):
        return [
            (e.movement.kind, e.movement.item.sku, e.location.code)
            for e in session.scalars(service.ledger_query(**filters))
        ]

    assert ledger()[0] == ("issue", "SKU-2", "WH-1")
    assert ledger(sku="SKU-1") == [
        ("transfer", "SKU-1", "WH-2"),
        ("transfer", "SKU-1", "WH-1"),
        ("receipt", "SKU-1", "WH-1"),
    ]
    assert ledger(location="WH-2") == [("transfer", "SKU-1", "WH-2")]
    assert ledger(kind="receipt", location="WH-1") == [
        ("receipt", "SKU-2", "WH-1"),
        ("receipt", "SKU-1", "WH-1"),
    ]
    assert ledger(reference="SO-9") == [("issue", "SKU-2", "WH-1")]
    assert ledger(since=utcnow() + timedelta(minutes=1)) == []
    assert len(ledger(until=utcnow())) == 5


def test_balances_filter_by_sku_location_and_region(session, user_id):
    stock_at("SKU-1", "WH-N", 1, user_id=user_id, region="north")
    stock_at("SKU-2", "WH-N", 1, user_id=user_id, region="north")
    stock_at("SKU-1", "WH-S", 1, user_id=user_id, region="south")

    def keys(**filters):
        return [(b.item.sku, b.location.code) for b in session.scalars(service.balances_query(**filters))]

    assert keys() == [("SKU-1", "WH-N"), ("SKU-1", "WH-S"), ("SKU-2", "WH-N")]
    assert keys(sku="SKU-1") == [("SKU-1", "WH-N"), ("SKU-1", "WH-S")]
    assert keys(location="WH-N") == [("SKU-1", "WH-N"), ("SKU-2", "WH-N")]
    assert keys(region="south") == [("SKU-1", "WH-S")]
    assert keys(region="nowhere") == []


def test_reserving_more_than_is_free_is_refused(session, user_id):
    stock_at("SKU-1", "WH-1", 5, user_id=user_id)
    with pytest.raises(service.InsufficientStock) as refused:
        service.reserve_stock(
            sku="SKU-1",
            location="WH-1",
            quantity=Decimal(6),
            reference_type="shipment",
            reference="S-1",
            user_id=user_id,
        )
    assert refused.value.message == "only 5 SKU-1 free at WH-1, 6 to reserve"


def test_releasing_a_documents_reservations_frees_the_stock_once(session, user_id):
    stock_at("SKU-1", "WH-1", 5, user_id=user_id)
    for quantity in (2, 1):
        service.reserve_stock(
            sku="SKU-1",
            location="WH-1",
            quantity=Decimal(quantity),
            reference_type="shipment",
            reference="S-1",
            user_id=user_id,
        )
    assert balance_of("SKU-1", "WH-1").free == 2
    assert service.release_reservations(reference_type="shipment", reference="S-1") == 3
    assert service.release_reservations(reference_type="shipment", reference="S-1") == 0
    assert balance_of("SKU-1", "WH-1").free == 5


def test_a_count_csv_posts_every_row_as_a_count(session, user_id):
    stock_at("SKU-1", "WH-1", 5, user_id=user_id)
    make_item("SKU-2")
    movements = service.import_count_csv(
        "sku,location,counted\nSKU-1,WH-1,3\nSKU-2,WH-1,1.5\n", user_id=user_id, max_rows=10
    )
    assert [(m.kind, m.reference_type, m.entries[0].delta) for m in movements] == [
        ("count", "count", -2),
        ("count", "count", Decimal("1.5")),
    ]


def test_a_count_csv_with_bad_rows_reports_each_and_posts_nothing(session, user_id):
    stock_at("SKU-1", "WH-1", 5, user_id=user_id)
    with pytest.raises(Invalid) as refused:
        service.import_count_csv(
            "sku,location,counted\nSKU-1,WH-1,3\nNOPE,WH-1,1\nSKU-1,WH-9,-1\nSKU-1,WH-1,x\n",
            user_id=user_id,
            max_rows=10,
        )
    assert refused.value.details["rows"] == {
        "row 3": ["unknown sku 'NOPE'"],
        "row 4": ["unknown location 'WH-9'", "counted '-1' must be a number >= 0 with at most 6 decimals"],
        "row 5": ["counted 'x' is not a number"],
    }
    assert balance_of("SKU-1", "WH-1").on_hand == 5


def test_a_count_csv_needs_its_header(session, user_id):
    with pytest.raises(Invalid) as refused:
        service.import_count_csv("sku,where,counted\n", user_id=user_id, max_rows=10)
    assert "missing location" in refused.value.message


def test_a_count_csv_quantity_beyond_the_ledger_range_is_named_by_its_row(session, user_id):
    stock_at("SKU-1", "WH-1", 5, user_id=user_id)
    with pytest.raises(Invalid) as refused:
        service.import_count_csv("sku,location,counted\nSKU-1,WH-1,1e20\n", user_id=user_id, max_rows=10)
    assert refused.value.details["rows"] == {
        "row 2": ["counted '1e20' is beyond the ledger's range (less than 1000000000000)"]
    }
    assert balance_of("SKU-1", "WH-1").on_hand == 5


def test_a_count_csv_over_its_row_limit_is_413_naming_the_first_row_beyond(session, user_id):
    stock_at("SKU-1", "WH-1", 5, user_id=user_id)
    text = "sku,location,counted\n" + "SKU-1,WH-1,1\n" * 4
    with pytest.raises(service.TooManyRows) as refused:
        service.import_count_csv(text, user_id=user_id, max_rows=3)
    assert refused.value.status == 413
    assert refused.value.message == "row 5: a count may have at most 3 rows; split the file"
    assert balance_of("SKU-1", "WH-1").on_hand == 5


def test_a_balance_beyond_the_ledger_range_is_refused_and_changes_nothing(session, user_id):
    stock_at("SKU-1", "WH-1", 900_000_000_000, user_id=user_id)
    with pytest.raises(Invalid) as refused:
        post("receipt", "SKU-1", 200_000_000_000, user_id=user_id, location="WH-1")
    assert refused.value.errors == {
        "json": {
            "quantity": [
                "would take SKU-1 at WH-1 to 1100000000000: beyond the ledger's range "
                "(less than 1000000000000 in magnitude)"
            ]
        }
    }
    assert balance_of("SKU-1", "WH-1").on_hand == 900_000_000_000


def test_creating_an_existing_code_is_a_conflict(session):
    make_item("SKU-1")
    with pytest.raises(Conflict):
        service.save_item("SKU-1", {"name": "again"}, create=True)


def test_a_location_in_an_unknown_region_is_invalid(session):
    with pytest.raises(Invalid) as refused:
        service.save_location("WH-1", {"name": "x", "region_code": "atlantis"})
    assert refused.value.errors == {"json": {"region": ["unknown region 'atlantis'"]}}


def test_bulk_upsert_counts_created_and_updated_rows(session):
    make_item("SKU-1")
    result = records.upsert_many(
        service.save_item, "sku", [{"sku": "SKU-1", "name": "a"}, {"sku": "SKU-2", "name": "b"}]
    )
    assert result == {"created": 1, "updated": 1}
    assert make_item("SKU-1").name == "item SKU-1"


def test_stock_makes_an_item_and_location_referred_to(session, user_id):
    make_item("SKU-0")
    stock_at("SKU-1", "WH-1", 1, user_id=user_id)
    assert referring_rows(make_item("SKU-1")) == {
        "stock_balances": 1,
        "stock_movements": 1,
        "ledger_entries": 1,
    }
    assert referring_rows(make_item("SKU-0")) == {}
    assert referring_rows(make_location("WH-1"))["stock_balances"] == 1
    assert referring_rows(make_region_of("WH-1")) == {"locations": 1}


def make_region_of(location_code: str):
    return make_location(location_code).region
