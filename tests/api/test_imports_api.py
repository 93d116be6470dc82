"""Imports over HTTP (`POST /imports/<kind>`): a dry run reports every refused row and changes nothing; an
apply saves all rows or none; exports give back files that import as they are."""

import csv
import io
from datetime import datetime

from openpyxl import Workbook, load_workbook

from tests.factories import make_item, make_location, make_region

CSV = {"Content-Type": "text/csv"}


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, kind, content: bytes, headers, *, dry_run=False, name="file.csv", key=None):
    query = "?dry_run=true" if dry_run else ""
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/imports/{kind}{query}",
        data={"file": (io.BytesIO(content), name)},
        headers=headers | extra,
        content_type="multipart/form-data",
    )


def skus(client, headers) -> list[str]:
    return [item["sku"] for item in client.get("/api/v1/items?page_size=1000", headers=headers).get_json()]


ITEMS_WITH_ERRORS = (
    b"sku,name,unit,kind,holding_cost_per_day\n"
    b"IMP-1,good one,pcs,finished,0.5\n"
    b"IMP-2,bad cost,pcs,finished,cheap\n"
    b",no sku,pcs,finished,1\n"
    b"IMP-4,bad kind,pcs,gadget,1\n"
    b"IMP-1,twice,pcs,finished,1\n"
)


def test_a_dry_run_names_each_refused_row_field_and_reason_and_changes_nothing(client, headers):
    planner = headers("planner")
    response = client.post(
        "/api/v1/imports/items?dry_run=true", data=ITEMS_WITH_ERRORS, headers=planner | CSV
    )
    assert response.status_code == 200
    report = response.get_json()
    assert report | {"errors": None} == {
        "dry_run": True,
        "applied": False,
        "rows": 5,
        "records": 5,
        "created": 1,
        "updated": 0,
        "errors": None,
    }
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "holding_cost_per_day"),
        (4, "sku"),
        (5, "kind"),
        (6, "sku"),
    ]
    assert report["errors"][0]["reason"] == "must be a number"
    assert report["errors"][3]["reason"] == "also on row 2"
    assert skus(client, planner) == []


def test_an_apply_with_one_refused_row_saves_nothing_and_lists_every_row(client, headers):
    planner = headers("planner")
    response = client.post("/api/v1/imports/items", data=ITEMS_WITH_ERRORS, headers=planner | CSV)
    assert response.status_code == 422
    body = response.get_json()
    assert body["status"] == "import_refused"
    assert body["message"].startswith("nothing imported: 4 row(s) refused")
    assert [row["row"] for row in body["rows"]] == [3, 4, 5, 6]
    assert body["errors"]["file"]["row 5"] == {"kind": ["Must be one of: material, finished, both."]}
    assert skus(client, planner) == []  # not even the good row 2


def test_a_clean_file_is_applied_then_a_second_import_updates(client, headers):
    planner = headers("planner")
    clean = b"sku,name,unit\nIMP-1,one,pcs\nIMP-2,two,kg\n"
    first = upload(client, "items", clean, planner)
    assert first.status_code == 200
    assert first.get_json() | {"errors": []} == {
        "dry_run": False,
        "applied": True,
        "rows": 2,
        "records": 2,
        "created": 2,
        "updated": 0,
        "errors": [],
    }
    assert skus(client, planner) == ["IMP-1", "IMP-2"]
    again = upload(client, "items", b"sku,name\nIMP-2,renamed\n", planner).get_json()
    assert (again["created"], again["updated"]) == (0, 1)
    # a row is a whole record, as in `PUT /items`: a column left out takes its default
    assert client.get("/api/v1/items/IMP-2", headers=planner).get_json() | {
        "created_at": 0,
        "updated_at": 0,
    } == {
        "sku": "IMP-2",
        "name": "renamed",
        "unit": "pcs",
        "kind": "finished",
        "holding_cost_per_day": 0,
        "whole_units": False,
        "decimals": 6,
        "active": True,
        "created_at": 0,
        "updated_at": 0,
    }


def test_refusals_only_a_service_finds_are_reported_by_row(client, headers, seed):
    seed(make_region, "north")
    planner = headers("planner")
    locations = b"code,name,region\nWH-A,Alpha,north\nWH-B,Beta,atlantis\n"
    report = upload(client, "locations", locations, planner, dry_run=True).get_json()
    assert report["errors"] == [{"row": 3, "field": "region", "reason": "unknown region 'atlantis'"}]
    assert client.get("/api/v1/locations/WH-A", headers=planner).status_code == 404


def test_an_xlsx_file_imports_with_its_typed_cells(client, headers, seed):
    seed(make_region, "north")
    seed(make_item, "1001")
    seed(make_location, "WH-1", region="north")
    planner = headers("planner")
    client.post("/api/v1/customers", json={"code": "C-1", "name": "Customer"}, headers=planner)
    rows = [
        [
            "number",
            "customer",
            "requested_at",
            "priority",
            "region",
            "line",
            "sku",
            "qty",
        ],  # `qty`: the older column, still read
        ["SO-X1", "C-1", datetime(2027, 1, 5, 12), 1.0, "north", 1, 1001, 5],
        ["SO-X1", "C-1", datetime(2027, 1, 5, 12), 1.0, "north", 2, 1001, 2.5],
        ["SO-X2", "C-1", datetime(2027, 1, 6), 2, "north", 1, 1001, -3],
    ]
    dry = upload(client, "orders", xlsx(rows), planner, dry_run=True, name="orders.xlsx").get_json()
    assert (dry["rows"], dry["records"]) == (3, 2)
    assert [(e["row"], e["field"]) for e in dry["errors"]] == [(4, "quantity")]  # the line's own row
    fixed = xlsx([*rows[:3], ["SO-X2", "C-1", datetime(2027, 1, 6), 2, "north", 1, 1001, 3]])
    applied = upload(client, "orders", fixed, planner, name="orders.xlsx")
    assert applied.status_code == 200, applied.get_json()
    order = client.get("/api/v1/orders/SO-X1", headers=planner).get_json()
    assert order["priority"] == 1
    assert order["requested_at"].startswith("2027-01-05T12:00:00")
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("1001", 5), ("1001", 2.5)]


def test_exports_import_back_unchanged_as_csv_and_xlsx(client, headers, seed):
    seed(make_region, "north")
    seed(make_location, "WH-1", region="north", name="=cmd|' /C calc'!A0")
    planner = headers("planner")
    exported = client.get("/api/v1/exports/locations?format=csv", headers=planner)
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0]["code"] == "WH-1"
    assert rows[0]["name"] == "'=cmd|' /C calc'!A0"  # never a formula in a spreadsheet
    again = client.post("/api/v1/imports/locations?dry_run=true", data=exported.data, headers=planner | CSV)
    assert again.get_json()["errors"] == []
    assert again.get_json()["updated"] == 1
    book = client.get("/api/v1/exports/locations?format=xlsx", headers=planner)
    sheet = load_workbook(io.BytesIO(book.data)).active
    assert [cell.value for cell in sheet[1]][:4] == ["code", "name", "kind", "region"]
    report = upload(client, "locations", book.data, planner, dry_run=True, name="l.xlsx").get_json()
    assert (report["updated"], report["errors"]) == (1, [])


def test_who_may_import_follows_the_apis_roles(client, headers):
    warehouse = headers("warehouse")
    assert upload(client, "suppliers", b"code,name\nS-1,Supplier\n", warehouse).status_code == 403
    assert upload(client, "items", b"sku,name\nI-1,Item\n", warehouse).status_code == 200
    assert client.get("/api/v1/exports/suppliers", headers=warehouse).status_code == 200
    assert upload(client, "nothing", b"a\n1\n", warehouse).status_code == 404


def test_a_retried_import_with_its_key_is_applied_once(client, headers):
    planner = headers("planner")
    first = upload(client, "suppliers", b"code,name\nS-1,Supplier\n", planner, key="imp-1")
    retry = upload(client, "suppliers", b"code,name\nS-1,Supplier\n", planner, key="imp-1")
    assert first.get_json()["created"] == 1
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == first.get_json()


def test_a_file_that_is_neither_csv_nor_xlsx_is_a_422_naming_the_file(client, headers):
    planner = headers("planner")
    response = client.post("/api/v1/imports/items", data=b"\xff\xfe\x00bad", headers=planner | CSV)
    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]["json"]
    empty = client.post("/api/v1/imports/items", json={"sku": "x"}, headers=planner)
    assert empty.status_code == 422
