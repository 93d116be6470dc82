"""Large counts as jobs over HTTP: 202 and a job to poll, applied chunk by chunk (each whole or not at
all), refused rows named with nothing applied, and an idempotent retry that starts no second job."""

import io

import pytest

from core.errors import Conflict
from inventory import service
from tests.factories import keyed

JOBS = "/api/v1/counts/jobs"
HEADER = "sku,location,counted\n"


@pytest.fixture(autouse=True)
def jobs_in_small_chunks(app, monkeypatch):
    """3 rows a chunk (the tests' jobs run in their request once it commits: COUNT_JOBS_INLINE)."""
    assert app.config["COUNT_JOBS_INLINE"]
    monkeypatch.setitem(app.config, "COUNT_JOB_CHUNK_ROWS", 3)


def upload(client, headers, text: str, *, key_headers=None):
    data = {"file": (io.BytesIO(text.encode()), "count.csv")}
    sent = key_headers or keyed(headers("warehouse"))
    return client.post(JOBS, data=data, headers=sent, content_type="multipart/form-data")


def on_hand(client, headers, sku: str) -> list:
    rows = client.get(f"/api/v1/stock?sku={sku}", headers=headers()).get_json()
    return [(r["location"], r["on_hand"]) for r in rows]


def job_of(client, headers, response) -> dict:
    return client.get(response.headers["Location"], headers=headers()).get_json()


def counted_entries(client, headers, job: dict) -> list:
    query = {"reference": job["reference"], "page_size": 1000}
    return client.get("/api/v1/ledger", query_string=query, headers=headers()).get_json()


def test_a_count_job_is_202_then_applied_chunk_by_chunk(client, headers, stock):
    for n in range(1, 8):
        stock(f"SKU-{n}", "WH-1", 10)
    rows = "".join(f"SKU-{n},WH-1,{n}\n" for n in range(1, 8))
    response = upload(client, headers, HEADER + rows)
    assert response.status_code == 202
    assert response.get_json()["status"] == "queued" and response.get_json()["rows_total"] == 7
    job = job_of(client, headers, response)
    assert (job["status"], job["rows_applied"], job["refused"], job["error"]) == ("done", 7, None, None)
    assert on_hand(client, headers, "SKU-6") == [("WH-1", 6)]
    movements = {e["movement_id"] for e in counted_entries(client, headers, job)}
    assert len(movements) == 7


def test_a_chunk_that_cannot_be_applied_is_rolled_back_whole_and_the_chunks_before_it_stay(
    client, headers, stock, monkeypatch
):
    for n in range(1, 8):
        stock(f"SKU-{n}", "WH-1", 10)
    post_movements, chunks = service.post_movements, []

    def third_chunk_refused(specs, *, user_id):
        chunks.append(len(specs))
        posted = post_movements(specs, user_id=user_id)  # written, then refused: must roll back whole
        if len(chunks) == 3:
            raise Conflict("item SKU-7 was deactivated meanwhile")
        return posted

    monkeypatch.setattr(service, "post_movements", third_chunk_refused)
    response = upload(client, headers, HEADER + "".join(f"SKU-{n},WH-1,0\n" for n in range(1, 8)))
    job = job_of(client, headers, response)
    assert chunks == [3, 3, 1]
    assert (job["status"], job["rows_applied"]) == ("failed", 6)
    assert job["error"] == (
        "rows 8-8 not applied: item SKU-7 was deactivated meanwhile; the 6 rows before them were"
    )
    assert len(counted_entries(client, headers, job)) == 6
    assert on_hand(client, headers, "SKU-6") == [("WH-1", 0)]
    assert on_hand(client, headers, "SKU-7") == [("WH-1", 10)]


def test_refused_rows_are_each_named_and_refuse_the_whole_count(client, headers, stock):
    stock("SKU-1", "WH-1", 10)
    stock("SKU-2", "WH-1", 10)
    client.patch("/api/v1/items/SKU-2", json={"active": False}, headers=headers("warehouse"))
    text = HEADER + "SKU-1,WH-1,4\nNOPE,WH-1,1\nSKU-1,WH-9,-2\nSKU-2,WH-1,1\n" + "SKU-1,WH-1,5\n" * 4
    job = job_of(client, headers, upload(client, headers, text))
    assert (job["status"], job["rows_applied"], job["refused_rows"]) == ("refused", 0, 3)
    assert job["refused"] == {
        "row 3": ["unknown sku 'NOPE'"],
        "row 4": ["unknown location 'WH-9'", "counted '-2' must be a number >= 0 with at most 6 decimals"],
        "row 5": ["item SKU-2 is inactive: its stock does not move (reactivate it first)"],
    }
    assert counted_entries(client, headers, job) == []
    assert on_hand(client, headers, "SKU-1") == [("WH-1", 10)]


def test_a_retry_with_the_same_key_replays_the_job_and_applies_nothing_again(client, headers, stock):
    stock("SKU-1", "WH-1", 10)
    sent = keyed(headers("warehouse"))
    first = upload(client, headers, HEADER + "SKU-1,WH-1,4\n", key_headers=sent)
    retry = upload(client, headers, HEADER + "SKU-1,WH-1,4\n", key_headers=sent)
    assert retry.status_code == 202 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json()["id"] == first.get_json()["id"]
    assert retry.headers["Location"] == first.headers["Location"]
    assert len(counted_entries(client, headers, job_of(client, headers, first))) == 1
    other = upload(client, headers, HEADER + "SKU-1,WH-1,5\n", key_headers=sent)
    assert other.status_code == 409


def test_a_count_job_needs_a_count_csv_within_its_row_limit(client, headers, stock, app, monkeypatch):
    stock("SKU-1", "WH-1", 10)
    assert upload(client, headers, "sku,counted\nSKU-1,4\n").status_code == 422
    assert upload(client, headers, HEADER).get_json()["errors"] == {"json": {"file": ["no rows"]}}
    monkeypatch.setitem(app.config, "COUNT_JOB_MAX_ROWS", 2)
    too_many = upload(client, headers, HEADER + "SKU-1,WH-1,4\n" * 3)
    assert too_many.status_code == 413
    assert (
        upload(client, headers, HEADER + "SKU-1,WH-1,4\n", key_headers=headers("warehouse")).status_code
        == 428
    )


def test_an_unknown_count_job_is_404(client, headers):
    assert client.get(f"{JOBS}/999999", headers=headers()).status_code == 404
