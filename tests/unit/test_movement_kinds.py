"""The table of movement kinds: where each takes and puts stock, what quantity it accepts, how it counts."""

from decimal import Decimal

import pytest

from inventory.movements import KINDS, MovementSpec


def test_each_kind_names_its_places_source_first():
    assert {name: kind.places for name, kind in KINDS.items()} == {
        "receipt": ("location",),
        "issue": ("location",),
        "transfer": ("from_location", "to_location"),
        "adjustment": ("location",),
        "count": ("location",),
    }


@pytest.mark.parametrize(
    ("kind", "refused", "accepted"),
    [
        ("receipt", "0", "1"),
        ("issue", "-1", "0.5"),
        ("transfer", "0", "2"),
        ("adjustment", "0", "-3"),
        ("count", "-1", "0"),
    ],
)
def test_each_kind_refuses_the_quantities_it_cannot_post(kind, refused, accepted):
    assert KINDS[kind].quantity_problem(Decimal(refused)) is not None
    assert KINDS[kind].quantity_problem(Decimal(accepted)) is None


def test_a_count_sets_the_balance_and_may_go_into_reserved_stock_while_a_receipt_adds():
    assert KINDS["count"].target_delta(Decimal(7), Decimal(10)) == -3
    assert KINDS["receipt"].target_delta(Decimal(7), Decimal(10)) == 7
    assert [name for name, kind in KINDS.items() if kind.may_use_reserved] == ["count"]


def test_a_spec_is_made_from_the_fields_of_a_parsed_payload_and_names_no_other():
    spec = MovementSpec.of({"kind": "issue", "sku": "A", "quantity": Decimal(1), "location": "WH"})
    assert (spec.rule.name, spec.place(spec.rule.source), spec.reference_type) == ("issue", "WH", "free")
    with pytest.raises(TypeError):
        MovementSpec.of({"kind": "issue", "sku": "A", "quantity": Decimal(1), "warehouse": "WH"})
