"""Units of measure: an item counted in whole units takes no fraction, one counted to N decimals takes no
more; the refusal is a 422 naming the field (and the line), wherever the quantity is given."""

import io
import secrets

import pytest

from core.db import db
from inventory import service as inventory_service
from tests.factories import keyed
from tests.procurement_factories import build_world

API = "/api/v1"


@pytest.fixture
def world(app, db_session):
    """The procurement world, its BRD counted in pieces and CPU to one decimal."""
    with app.app_context():
        build_world(stock={("BRD", "PL-T"): 10})
        inventory_service.save_item("BRD", {"whole_units": True})
        inventory_service.save_item("CPU", {"decimals": 1})
        db.session.commit()


def field_error(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]["json"]


def test_an_item_says_how_it_is_counted(client, headers, world):
    brd = client.get(f"{API}/items/BRD", headers=headers()).get_json()
    cpu = client.get(f"{API}/items/CPU", headers=headers()).get_json()
    assert (brd["whole_units"], cpu["whole_units"], cpu["decimals"]) == (True, False, 1)
    bad = client.patch(f"{API}/items/CPU", json={"decimals": 7}, headers=headers("planner"))
    assert "decimals" in field_error(bad)


def test_a_receipt_of_a_fraction_of_a_piece_is_refused_and_moves_nothing(client, headers, world):
    receipt = {"kind": "receipt", "sku": "BRD", "location": "PL-T", "quantity": 1.5}
    response = client.post(f"{API}/movements", json=receipt, headers=keyed(headers("warehouse")))
    assert field_error(response) == {"quantity": ["BRD is counted in whole pcs: 1.5 is not a whole number"]}
    assert response.get_json()["sku"] == "BRD" and response.get_json()["decimals"] == 0
    whole = dict(receipt, quantity=2)
    assert client.post(f"{API}/movements", json=whole, headers=keyed(headers("warehouse"))).status_code == 201


def test_a_batch_names_the_movement_whose_quantity_is_refused(client, headers, world):
    ok = {"kind": "receipt", "sku": "CPU", "location": "PL-T", "quantity": 2.5}
    bad = dict(ok, quantity=2.55)
    response = client.post(
        f"{API}/movements/batch", json={"movements": [ok, ok, bad]}, headers=keyed(headers("warehouse"))
    )
    assert field_error(response) == {
        "movements[2].quantity": ["CPU is counted to 1 decimal(s): 2.55 has more"]
    }


def test_document_lines_refuse_fractions_of_whole_unit_items(client, headers, world):
    order = {
        "supplier": "SUP",
        "location": "PL-T",
        "receive_at": "2026-11-24T08:00:00Z",
        "lines": [
            {"sku": "CPU", "quantity": 4, "unit_cost": 9},
            {"sku": "BRD", "quantity": 0.5, "unit_cost": 3},
        ],
    }
    response = client.post(f"{API}/purchase-orders", json=order, headers=headers("planner"))
    assert list(field_error(response)) == ["lines[1].quantity"]


def test_receiving_a_purchase_line_refuses_a_fraction_of_a_piece(client, headers, world):
    order = {
        "supplier": "SUP",
        "location": "PL-T",
        "receive_at": "2026-11-24T08:00:00Z",
        "status": "released",
        "lines": [{"sku": "BRD", "quantity": 10}],
    }
    number = client.post(f"{API}/purchase-orders", json=order, headers=headers("planner")).get_json()[
        "number"
    ]
    response = client.post(
        f"{API}/purchase-orders/{number}/lines/1/receive",
        json={"quantity": 2.5},
        headers=dict(headers("warehouse"), **{"Idempotency-Key": secrets.token_hex(8)}),
    )
    assert list(field_error(response)) == ["quantity"]


def test_a_count_row_of_a_fraction_of_a_piece_is_named(client, headers, world):
    data = {"file": (io.BytesIO(b"sku,location,counted\nBRD,PL-T,4\nBRD,PL-T,3.5\n"), "count.csv")}
    response = client.post(f"{API}/counts", data=data, headers=keyed(headers("warehouse")))
    assert response.status_code == 422
    assert response.get_json()["rows"] == {
        "row 3": ["BRD is counted in whole pcs: 3.5 is not a whole number"]
    }
